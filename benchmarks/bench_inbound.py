"""Inbound benchmark of the Telegram channel (figures, not a test).

    python benchmarks/bench_inbound.py [--quick] [--latency 0 0.05] [--profile]

For each fake Bot API latency: N users (500) each do S steps (10) of onboarding and menu use through
the real ``TelegramChannel`` (polling, SQLite, real dispatcher and flows); every user waits for the
answer to a step before the next one, all users at once. Reported: updates/s over the whole run and
p50/p99 latency from pushing the update to the first reply.

Because all users act at once the run is saturated, so its latency is mostly queueing. A second,
paced pass offers a steady load (``--rate``, default 100 updates/s) to give the latency a person
sees under a realistic load. The same is measured for a bare python-telegram-bot echo bot
(sequential, and ``concurrent_updates``) in the same process against the same fake.
Finally ``python -m bot run`` is started: seconds until /healthz answers, and idle RSS.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import cProfile  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from benchmarks.echo_bot import EchoBot  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramAPI  # noqa: E402

TOKEN = "123456:BENCH-token-abcdef"
CONNECTIONS = 64  # the channel's default
SQL_TOP = 0  # print the most frequent SQL statements (--sql N)


@dataclass
class Result:
    name: str
    updates: int
    seconds: float
    latencies: list[float]
    cpu: float = 0.0  # this process's user+sys seconds during the run (fake Bot API included)
    statements: int = 0  # SQL statements executed

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000

    def line(self) -> str:
        return (
            f"  {self.name:<34} {self.updates:>5} updates in {self.seconds:6.2f}s = {self.rate:7.1f}/s   "
            f"p50 {self.pct(0.5):7.1f} ms   p99 {self.pct(0.99):7.1f} ms   "
            f"CPU {self.cpu * 1000 / max(1, self.updates):5.2f} ms/update"
            + (f"   SQL {self.statements / max(1, self.updates):5.2f}/update" if self.statements else "")
        )


class Recorder:
    """Per-chat reply waiters hooked into the fake's log (its own wait_for scans every record)."""

    def __init__(self, fake: FakeTelegramAPI) -> None:
        self.by_chat: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        self.waiters: dict[Any, list[tuple[int, asyncio.Future[None]]]] = defaultdict(list)
        original = fake.log.add

        def add(record: dict[str, Any]) -> None:
            original(record)
            chat = record["chat_id"]
            recs = self.by_chat[chat]
            recs.append(record)
            pending = self.waiters.get(chat)
            if pending:
                keep = []
                for n, fut in pending:
                    if len(recs) >= n:
                        if not fut.done():
                            fut.set_result(None)
                    else:
                        keep.append((n, fut))
                self.waiters[chat] = keep

        fake.log.add = add  # type: ignore[method-assign]

    async def wait(self, chat: Any, count: int, timeout: float = 60.0) -> None:
        if len(self.by_chat[chat]) >= count:
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters[chat].append((count, fut))
        await asyncio.wait_for(fut, timeout)


class Pacer:
    """Hands out permission to push at ``rate`` per second (None: no pacing)."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self.next_at = time.monotonic()
        self.lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.rate:
            return
        async with self.lock:
            now = time.monotonic()
            if self.next_at > now:
                await asyncio.sleep(self.next_at - now)
            self.next_at = max(self.next_at, now) + 1.0 / self.rate


# -- the Loa Làng run -----------------------------------------------------------------------------


def _button(records: list[dict[str, Any]], pick: Callable[[str, str], bool]) -> str:
    for r in reversed(records):
        for row in (r.get("reply_markup") or {}).get("inline_keyboard", []):
            for b in row:
                if pick(b["text"], b["callback_data"]):
                    return str(b["callback_data"])
    raise RuntimeError(f"no such button in {[r['text'] for r in records]}")


async def _loalang_users(
    fake: FakeTelegramAPI,
    rec: Recorder,
    done: dict[str, asyncio.Future[None]],
    users: list[int],
    steps: int,
    pacer: Pacer,
) -> list[float]:
    latencies: list[float] = []

    async def push(update: dict[str, Any], user: int) -> None:
        await pacer.wait()
        n = len(rec.by_chat[user])
        uid = fake.updates.next_id
        fut = done.setdefault(str(uid), asyncio.get_running_loop().create_future())
        t0 = time.monotonic()
        assert fake.push_update(update) == uid
        await rec.wait(user, n + 1)
        latencies.append(rec.by_chat[user][n]["time"] - t0)
        await fut  # every reply of this step is out

    async def one(user: int) -> None:
        f = fake
        script: list[Callable[[], Awaitable[None]]] = [
            lambda: push(f.make_command_update(user, "start"), user),
            lambda: push(
                f.make_callback_update(user, _button(rec.by_chat[user], lambda t, d: d.endswith(":yes"))), user
            ),
            lambda: push(f.make_text_update(user, "xa thanh son"), user),
            lambda: push(
                f.make_callback_update(
                    user, _button(rec.by_chat[user], lambda t, d: t.startswith("Thôn") or t.startswith("Tổ"))
                ),
                user,
            ),
            # "Bỏ qua" sits on the reply keyboard beside the contact button: a tap sends its label as text.
            lambda: push(f.make_text_update(user, "Bỏ qua"), user),
            lambda: push(f.make_command_update(user, "help"), user),
            lambda: push(f.make_command_update(user, "menu"), user),
            lambda: push(f.make_text_update(user, "tro giup"), user),
            lambda: push(f.make_command_update(user, "profile"), user),
            lambda: push(f.make_command_update(user, "start"), user),
        ]
        for i in range(steps):
            await script[i % len(script)]()

    await asyncio.gather(*(one(u) for u in users))
    return latencies


async def run_loalang(
    latency: float,
    n_users: int,
    steps: int,
    rate: float | None,
    profile: bool,
    max_parallel: int,
    dispatch_parallel: int | None = None,
) -> Result:
    from bot.channels.telegram import TelegramChannel
    from bot.config import load_settings
    from bot.core.messages import Incoming
    from bot.dispatch import Dispatcher
    from storage.db import create_engine, session_factory
    from storage.migrate import upgrade
    from tests.world import make_services

    tmp = tempfile.mkdtemp(prefix="loalang-bench-")
    url = f"sqlite+aiosqlite:///{tmp}/bench.db"
    await upgrade(url)
    engine = create_engine(url)
    factory = session_factory(engine)
    services = await make_services(factory)
    statements = [0]
    by_text: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements[0] += 1
        if SQL_TOP:
            by_text[" ".join(statement.split())[:150]] += 1

    from sqlalchemy import event

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    async with FakeTelegramAPI(token=TOKEN, latency=latency) as fake:
        rec = Recorder(fake)
        settings = load_settings(
            telegram_bot_token=TOKEN,
            telegram_api_base_url=f"{fake.url}/bot",
            telegram_file_base_url=f"{fake.url}/file/bot",
            database_url=url,
        )
        ch = TelegramChannel(
            Dispatcher(services),
            settings,
            web.Application(),
            max_parallel=max_parallel,
            dispatch_parallel=dispatch_parallel,
            connections=CONNECTIONS,
            session_factory=factory,  # as bot/app.py wires it (reply keyboards kept in the database)
        )
        done: dict[str, asyncio.Future[None]] = {}
        original = ch.handle

        async def handle(inc: Incoming) -> None:
            try:
                await original(inc)
            finally:
                fut = done.setdefault(inc.event_id or "", asyncio.get_running_loop().create_future())
                if not fut.done():
                    fut.set_result(None)

        ch.handle = handle  # type: ignore[method-assign]
        await ch.start()
        users = list(range(100_001, 100_001 + n_users))
        prof = cProfile.Profile() if profile else None
        statements[0] = 0
        t0, c0 = time.monotonic(), time.process_time()
        if prof:
            prof.enable()
        lat = await _loalang_users(fake, rec, done, users, steps, Pacer(rate))
        elapsed, cpu, n_sql = time.monotonic() - t0, time.process_time() - c0, statements[0]
        calls = {m: round(n / max(1, len(users) * steps), 2) for m, n in fake.stats.requests.most_common()}
        print(f"    Bot API calls per update: {calls}")
        for stmt, n in by_text.most_common(SQL_TOP):
            print(f"    {n / max(1, len(users) * steps):5.2f}/update  {stmt}")
        if prof:
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
            pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        await ch.stop()
    await engine.dispose()
    label = "Loa Làng (telegram, sqlite)" + (f" @{rate:.0f}/s" if rate else "")
    return Result(label, len(lat), elapsed, lat, cpu, n_sql)


# -- the bare echo bot ----------------------------------------------------------------------------


async def run_echo(latency: float, n_users: int, steps: int, concurrent: bool, rate: float | None) -> Result:
    async with FakeTelegramAPI(token=TOKEN, latency=latency) as fake:
        rec = Recorder(fake)
        bot = EchoBot(TOKEN, f"{fake.url}/bot", concurrent=concurrent)
        await bot.start()
        pacer = Pacer(rate)
        latencies: list[float] = []

        async def one(user: int) -> None:
            for i in range(steps):
                await pacer.wait()
                n = len(rec.by_chat[user])
                t0 = time.monotonic()
                fake.push_update(fake.make_text_update(user, f"hello {i}"))
                await rec.wait(user, n + 1)
                latencies.append(rec.by_chat[user][n]["time"] - t0)

        t0, c0 = time.monotonic(), time.process_time()
        await asyncio.gather(*(one(u) for u in range(200_001, 200_001 + n_users)))
        elapsed, cpu = time.monotonic() - t0, time.process_time() - c0
        await bot.stop()
    label = f"bare PTB echo ({'concurrent' if concurrent else 'sequential'})" + (f" @{rate:.0f}/s" if rate else "")
    return Result(label, len(latencies), elapsed, latencies, cpu)


# -- loalang run: start time and idle memory ------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def run_service() -> tuple[float, float]:
    import psutil

    async with FakeTelegramAPI(token=TOKEN) as fake:
        port = _free_port()
        tmp = tempfile.mkdtemp(prefix="loalang-run-")
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/run.db",
            "HTTP_PORT": str(port),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": f"{fake.url}/bot",
            "TELEGRAM_FILE_BASE_URL": f"{fake.url}/file/bot",
        }
        t0 = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        ready = float("nan")
        try:
            async with aiohttp.ClientSession() as http:
                while time.monotonic() - t0 < 30 and proc.poll() is None:
                    try:
                        async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                            if resp.status == 200:
                                ready = time.monotonic() - t0
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.05)
            if proc.poll() is not None:
                print("  loalang run exited:", proc.stderr.read().decode()[-2000:] if proc.stderr else "")
                return ready, float("nan")
            await asyncio.sleep(3.0)  # idle
            rss = psutil.Process(proc.pid).memory_info().rss / 2**20
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.to_thread(proc.wait, 15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        return ready, rss


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="50 users × 10 steps instead of 500 × 10")
    ap.add_argument("--latency", type=float, nargs="*", default=[0.0, 0.05], help="fake API latencies (s)")
    ap.add_argument("--rate", type=float, default=100.0, help="offered load of the paced pass (updates/s)")
    ap.add_argument("--parallel", type=int, default=64, help="updates processed at once by the channel")
    ap.add_argument(
        "--dispatch-parallel",
        type=int,
        default=None,
        help="dispatches at once (default: the channel's choice, 1 on SQLite)",
    )
    ap.add_argument("--only-loalang", action="store_true", help="skip the echo baselines and the paced pass")
    ap.add_argument("--profile", action="store_true", help="cProfile the saturated Loa Làng run")
    ap.add_argument("--skip-service", action="store_true", help="do not start `python -m bot run`")
    ap.add_argument("--connections", type=int, default=64, help="HTTP connections of the channel's bot")
    ap.add_argument("--sql", type=int, default=0, help="print the N most frequent SQL statements of each run")
    args = ap.parse_args()
    global CONNECTIONS, SQL_TOP
    CONNECTIONS = args.connections
    SQL_TOP = args.sql
    logging.basicConfig(level=logging.WARNING)
    users, steps = (50, 10) if args.quick else (500, 10)
    print(
        f"{users} users × {steps} steps = {users * steps} updates per run; paced passes at {args.rate:.0f}/s "
        f"with {users * steps // 5} updates"
    )
    for lat in args.latency:
        print(f"\nfake Bot API latency {lat * 1000:.0f} ms")
        if args.only_loalang:
            ours = await run_loalang(lat, users, steps, None, args.profile, args.parallel, args.dispatch_parallel)
            print(ours.line())
            continue
        # The sequential echo bot needs latency × updates seconds: a fifth of the users is enough for its rate.
        echo_seq = await run_echo(lat, users if not lat else max(1, users // 5), steps, False, None)
        print(echo_seq.line())
        echo_con = await run_echo(lat, users, steps, True, None)
        print(echo_con.line())
        ours = await run_loalang(lat, users, steps, None, args.profile, args.parallel, args.dispatch_parallel)
        print(ours.line())
        paced_users = max(1, users // 5)
        paced = await run_loalang(lat, paced_users, steps, args.rate, False, args.parallel, args.dispatch_parallel)
        print(paced.line())
        best = max(echo_seq.rate, echo_con.rate)
        print(
            f"  ratio Loa Làng / best bare echo: {ours.rate / best:.2f}   "
            f"(vs sequential echo {ours.rate / echo_seq.rate:.2f})"
        )
    if not args.skip_service:
        ready, rss = await run_service()
        print(f"\nloalang run: /healthz answered after {ready:.2f}s; idle RSS {rss:.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
