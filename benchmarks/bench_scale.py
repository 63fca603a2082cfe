"""Scale benchmark on PostgreSQL: several ``loalang run`` workers behind a round-robin proxy (figures, not a test).

    python benchmarks/bench_scale.py [--workers 1 2 4] [--users 200] [--steps 10] [--broadcast 10000]

A fake Bot API (50 ms per call) delivers webhook updates the way Telegram does: at most
``max_connections`` (40) deliveries at once, one at a time per chat (a chat's next update only after
the previous one was answered), again after a non-200 answer. A small proxy in this process hands
each delivery to the next worker in turn. Every run starts the workers together on a fresh database
(they migrate and load units under the start-up lock).

Per worker count: updates/s, p50/p99 (delivery to answer, which includes handling and replies),
workers' CPU ms per update, and the checks: updates lost (never answered 200, or not recorded as
processed), handled twice (replies beyond the one-worker run's count), replies out of order (a reply
sent after its update was answered, i.e. possibly after the person's next message).
Then, with 2 and 4 workers, a broadcast to ``--broadcast`` residents through the outbox against the
fake enforcing Telegram's limits: rate, 429s, busiest second. With 4 workers, the scheduled jobs:
which workers ran ``notices.send_due`` (every 20 s), a notice sent once, the leader killed (-9),
the time until another runs the jobs, and a second notice sent once.

Needs PostgreSQL; ``--admin-url`` names a database to connect to for creating ``--db`` (dropped first).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import itertools  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import aiohttp  # noqa: E402
import psutil  # noqa: E402
from aiohttp import web  # noqa: E402
from sqlalchemy import text  # noqa: E402

from benchmarks.bench_inbound import _button  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramAPI  # noqa: E402
from tests.fakes.telegram_rules import SendLimiter  # noqa: E402

TOKEN = "123456:SCALE-token-abcdef"
SECRET = "bench-secret"
MAX_CONNECTIONS = 40
LATENCY = 0.05


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000


def peak_per_second(times: list[float]) -> int:
    times, best, j = sorted(times), 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - 1.0:
            j += 1
        best = max(best, i - j + 1)
    return best


# -- database ---------------------------------------------------------------------------------------


async def fresh_database(admin_url: str, name: str) -> str:
    from storage.db import create_engine

    admin = create_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return admin_url.rpartition("/")[0] + "/" + name


async def scalar(url: str, sql: str, **params: Any) -> Any:
    from storage.db import create_engine

    engine = create_engine(url)
    try:
        async with engine.begin() as conn:  # committed: some callers write
            result = await conn.execute(text(sql), params)
            return result.scalar() if result.returns_rows else None
    finally:
        await engine.dispose()


# -- workers and the proxy ---------------------------------------------------------------------------


@dataclass
class Workers:
    url: str
    fake: FakeTelegramAPI
    proxy_port: int
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="loalang-scale-")))

    async def start(self, n: int) -> float:
        t0 = time.monotonic()
        for i in range(n):
            port = _free_port()
            log = self.tmp / f"worker{i}.log"
            env = {
                **os.environ,
                "DATABASE_URL": self.url,
                "HTTP_PORT": str(port),
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": f"{self.fake.url}/bot",
                "TELEGRAM_FILE_BASE_URL": f"{self.fake.url}/file/bot",
                "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{self.proxy_port}/telegram/webhook",
                "TELEGRAM_WEBHOOK_SECRET": SECRET,
                "TELEGRAM_WEBHOOK_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
                "DB_POOL_SIZE": "5",
                "DB_MAX_OVERFLOW": "5",
                "SECRET_KEY": "bench-secret-key-bench-secret-key",
                "DATA_DIR": str(self.tmp / f"data{i}"),
                "LOALANG_DEBUG": "bot.scheduler",  # each job run in the log (for the jobs check)
            }
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
                )
            self.procs.append(proc)
            self.ports.append(port)
            self.logs.append(log)
        async with aiohttp.ClientSession() as http:
            for i, port in enumerate(self.ports):
                while True:
                    if self.procs[i].poll() is not None:
                        raise RuntimeError(f"worker {i} exited:\n{self.logs[i].read_text()[-3000:]}")
                    try:
                        async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                            if r.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.1)
        return time.monotonic() - t0

    def cpu(self) -> float:
        total = 0.0
        for p in self.procs:
            try:
                t = psutil.Process(p.pid).cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return total

    def alive(self) -> list[int]:
        return [i for i, p in enumerate(self.procs) if p.poll() is None]

    def kill(self, i: int) -> None:
        self.procs[i].send_signal(signal.SIGKILL)
        self.procs[i].wait()

    async def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                await asyncio.to_thread(p.wait, 30)
            except subprocess.TimeoutExpired:
                p.kill()


class Proxy:
    """Round robin over the workers that answer (like nginx with proxy_next_upstream error)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.targets: list[int] = []
        self._next = itertools.count()
        self.runner: web.AppRunner | None = None
        self.http: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/telegram/webhook", self.forward)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))

    async def stop(self) -> None:
        if self.http:
            await self.http.close()
        if self.runner:
            await self.runner.cleanup()

    async def forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-telegram")}
        headers["Content-Type"] = "application/json"
        assert self.http is not None
        for _ in range(len(self.targets)):
            port = self.targets[next(self._next) % len(self.targets)]
            try:
                async with self.http.post(f"http://127.0.0.1:{port}/telegram/webhook", data=body, headers=headers) as r:
                    return web.Response(status=r.status, body=await r.read())
            except aiohttp.ClientError:
                continue
        return web.Response(status=502, text="no worker")


# -- Telegram's webhook deliveries --------------------------------------------------------------------


@dataclass
class Delivery:
    update_id: int
    user: int
    posted: float
    answered: float = 0.0
    attempts: int = 0
    status: int = 0


class Telegram:
    """Delivers updates to the proxy: ``MAX_CONNECTIONS`` at once, one at a time per chat, retrying non-200."""

    def __init__(self, fake: FakeTelegramAPI, url: str) -> None:
        self.fake = fake
        self.url = url
        self.gate = asyncio.Semaphore(MAX_CONNECTIONS)
        self.deliveries: list[Delivery] = []
        self.http: aiohttp.ClientSession | None = None

    async def deliver(self, update: dict[str, Any], user: int) -> Delivery:
        update = self.fake.updates.assign_id(update)
        d = Delivery(update["update_id"], user, time.monotonic())
        self.deliveries.append(d)
        assert self.http is not None
        while d.attempts < 20:
            d.attempts += 1
            async with self.gate:
                try:
                    async with self.http.post(
                        self.url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                    ) as r:
                        d.status = r.status
                        await r.read()
                except aiohttp.ClientError:
                    d.status = 599
            if d.status == 200:
                d.answered = time.monotonic()
                return d
            await asyncio.sleep(0.5)  # Telegram waits before delivering again
        return d


async def resident(tg: Telegram, user: int, steps: int) -> None:
    f = tg.fake

    def sent() -> list[dict[str, Any]]:
        return f.sent(user)

    script = [
        lambda: f.make_command_update(user, "start"),
        lambda: f.make_callback_update(user, _button(sent(), lambda t, d: d.endswith(":yes"))),
        lambda: f.make_text_update(user, "xa thanh son"),
        lambda: f.make_callback_update(user, _button(sent(), lambda t, d: t.startswith("Thôn") or t.startswith("Tổ"))),
        lambda: f.make_text_update(user, "Bỏ qua"),
        lambda: f.make_command_update(user, "help"),
        lambda: f.make_command_update(user, "menu"),
        lambda: f.make_text_update(user, "tro giup"),
        lambda: f.make_command_update(user, "profile"),
        lambda: f.make_command_update(user, "start"),
    ]
    for i in range(steps):
        await tg.deliver(script[i % len(script)](), user)


@dataclass
class Run:
    workers: int
    updates: int
    seconds: float
    latencies: list[float]
    cpu: float
    lost: int
    replies: int
    out_of_order_people: int
    start_s: float

    def line(self, replies_one: int | None) -> str:
        twice = "n/a" if replies_one is None else f"{self.replies - replies_one:+d}"
        return (
            f"  {self.workers} worker(s): {self.updates} updates in {self.seconds:6.2f}s = "
            f"{self.updates / self.seconds:6.1f}/s   p50 {pct(self.latencies, 0.5):7.1f} ms   "
            f"p99 {pct(self.latencies, 0.99):7.1f} ms   CPU {self.cpu * 1000 / max(1, self.updates):5.1f} ms/update   "
            f"lost {self.lost}   replies vs 1 worker {twice}   people with a late reply {self.out_of_order_people}   "
            f"(start {self.start_s:.1f}s)"
        )


def order_check(fake: FakeTelegramAPI, deliveries: list[Delivery]) -> int:
    """People with a reply recorded after the answer to its update (so maybe after their next message)."""
    by_user: dict[int, list[Delivery]] = defaultdict(list)
    for d in deliveries:
        by_user[d.user].append(d)
    late = 0
    for user, ds in by_user.items():
        windows = sorted((d.posted, d.answered or float("inf")) for d in ds)
        for r in fake.sent(user):
            t = r["time"]
            if not any(a <= t <= b + 0.005 for a, b in windows):
                late += 1
                break
    return late


async def inbound_run(args: argparse.Namespace, n: int) -> tuple[Run, Workers, Proxy, FakeTelegramAPI]:
    url = await fresh_database(args.admin_url, args.db)
    fake = await FakeTelegramAPI(token=TOKEN, latency=LATENCY).start()
    proxy = Proxy(_free_port())
    await proxy.start()
    workers = Workers(url, fake, proxy.port)
    started = await workers.start(n)
    proxy.targets = list(workers.ports)
    tg = Telegram(fake, f"http://127.0.0.1:{proxy.port}/telegram/webhook")
    tg.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    users = list(range(300_001, 300_001 + args.users))
    fake.clear()
    c0, t0 = workers.cpu(), time.monotonic()
    await asyncio.gather(*(resident(tg, u, args.steps) for u in users))
    seconds, cpu = time.monotonic() - t0, workers.cpu() - c0
    await tg.http.close()
    ok = [d for d in tg.deliveries if d.status == 200]
    processed = await scalar(url, "SELECT count(*) FROM processedevent WHERE channel = 'telegram'")
    lost = (len(tg.deliveries) - len(ok)) + max(0, len(tg.deliveries) - int(processed))
    replies = sum(len(fake.sent(u)) for u in users)
    run = Run(
        n,
        len(tg.deliveries),
        seconds,
        [d.answered - d.posted for d in ok],
        cpu,
        lost,
        replies,
        order_check(fake, tg.deliveries),
        started,
    )
    return run, workers, proxy, fake


# -- broadcast ------------------------------------------------------------------------------------------


async def add_residents(url: str, n: int, first_chat: int, prefix: str, village_every: int = 0) -> tuple[int, int]:
    """``n`` consenting residents with a Telegram identity (bulk); returns (ward id, village id) used."""
    from storage.db import create_engine

    engine = create_engine(url)
    async with engine.begin() as conn:
        ward = (await conn.execute(text("SELECT id FROM unit WHERE kind='ward' AND valid_to IS NULL LIMIT 1"))).scalar()
        village = (
            await conn.execute(text("SELECT id FROM unit WHERE parent_id=:w AND valid_to IS NULL LIMIT 1"), {"w": ward})
        ).scalar()
        await conn.execute(
            text(
                "INSERT INTO person (display_name, consent_given, consent_at, ward_id, village_id, onboarded_at, "
                "created_at) "
                "SELECT CAST(:prefix AS text) || g, true, now(), :ward, "
                "CASE WHEN CAST(:every AS int) > 0 AND g % CAST(:every AS int) = 0 THEN CAST(:village AS int) END, "
                "now(), now() FROM generate_series(1, :n) g"
            ),
            {"ward": ward, "village": village, "n": n, "every": village_every, "prefix": prefix},
        )
        await conn.execute(
            text(
                "INSERT INTO channelidentity (person_id, channel, external_id, chat_id, unreachable, created_at) "
                "SELECT p.id, 'telegram', (:first + p.rn)::text, (:first + p.rn)::text, false, now() FROM "
                "(SELECT id, row_number() OVER (ORDER BY id) AS rn FROM person WHERE display_name LIKE :like) p"
            ),
            {"first": first_chat, "like": prefix + "%"},
        )
    await engine.dispose()
    return int(ward), int(village)


async def broadcast(url: str, fake: FakeTelegramAPI, n: int) -> str:
    from bot.core.messages import Reply
    from storage import outbox
    from storage.db import create_engine, session_factory

    await add_residents(url, n, 500_000, f"B{n}-")
    engine = create_engine(url)
    factory = session_factory(engine)
    async with factory() as s:
        sql = text("SELECT id FROM person WHERE display_name LIKE :like")
        ids = list(await s.exec(sql, params={"like": f"B{n}-%"}))  # type: ignore[call-overload]
    fake.enforce_limits = True
    fake.limiter = SendLimiter()
    fake.clear()
    fake.stats.errors.clear()
    t0 = time.monotonic()
    async with factory() as s:
        await outbox.enqueue_many(s, [i for (i,) in ids], Reply("Thông báo: lịch tiêm chủng tuần này."), kind="notice")
        await s.commit()
    await engine.dispose()
    deadline = t0 + n / 30 * 1.5 + 30
    while time.monotonic() < deadline:
        got = [r for r in fake.sent() if int(r["chat_id"]) >= 500_000]
        if len(got) >= n:
            break
        await asyncio.sleep(0.5)
    got = [r for r in fake.sent() if int(r["chat_id"]) >= 500_000]
    times = sorted(r["time"] for r in got)
    counts = Counter(int(r["chat_id"]) for r in got)
    rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    fake.enforce_limits = False
    return (
        f"{len(got)} of {n} delivered, {sum(counts.values()) - len(counts)} twice, {rate:5.2f}/s "
        f"= {rate / 30:.3f} × 30/s, 429s {fake.stats.rate_limited}, busiest second {peak_per_second(times)}"
    )


# -- scheduled jobs -------------------------------------------------------------------------------------

JOB_LINE = re.compile(rb"job notices\.send_due ran")


def job_runs(workers: Workers) -> list[int]:
    return [len(JOB_LINE.findall(p.read_bytes())) for p in workers.logs]


async def notice_once(url: str, village: int, author: int) -> str:
    nid = await scalar(
        url,
        "INSERT INTO notice (author_id, author_role, text, status, send_at, recipients, created_at) "
        "VALUES (:a, 'official', 'Họp tổ dân phố 19 giờ', 'scheduled', now(), 0, now()) RETURNING id",
        a=author,
    )
    await scalar(url, "INSERT INTO noticetarget (notice_id, unit_id) VALUES (:n, :u)", n=nid, u=village)
    for _ in range(120):
        if await scalar(url, "SELECT status FROM notice WHERE id=:n", n=nid) == "sent":
            break
        await asyncio.sleep(0.5)
    rows = await scalar(url, "SELECT count(*) FROM outboxmessage WHERE ref_type='notice' AND ref_id=:n", n=nid)
    distinct = await scalar(
        url, "SELECT count(DISTINCT person_id) FROM outboxmessage WHERE ref_type='notice' AND ref_id=:n", n=nid
    )
    residents = await scalar(url, "SELECT count(*) FROM person WHERE village_id=:v AND consent_given", v=village)
    status = await scalar(url, "SELECT status FROM notice WHERE id=:n", n=nid)
    return f"notice {nid}: {status}, {rows} messages queued for {distinct} people of {residents} residents"


async def jobs_check(workers: Workers, url: str) -> list[str]:
    out = []
    _ward, village = await add_residents(url, 60, 700_000, "J-", village_every=1)
    author = await scalar(url, "SELECT min(id) FROM person")
    await asyncio.sleep(45)
    runs = job_runs(workers)
    out.append(f"notices.send_due runs per worker over 45 s: {runs} (one worker runs it, every 20 s)")
    out.append(await notice_once(url, village, author))
    leader = max(range(len(runs)), key=lambda i: runs[i])
    before = job_runs(workers)
    workers.kill(leader)
    t_kill = time.monotonic()
    took = float("nan")
    while time.monotonic() - t_kill < 90:
        now = job_runs(workers)
        if any(now[i] > before[i] for i in workers.alive()):
            took = time.monotonic() - t_kill
            break
        await asyncio.sleep(0.5)
    out.append(f"killed worker {leader} (-9); another ran the job {took:.1f}s later")
    await asyncio.sleep(45)
    after = job_runs(workers)
    out.append(f"runs per worker in the 45 s after: {[a - b for a, b in zip(after, before, strict=True)]}")
    out.append(await notice_once(url, village, author))
    return out


# -- main -----------------------------------------------------------------------------------------------


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, nargs="*", default=[1, 2, 4])
    ap.add_argument("--users", type=int, default=200, help="residents acting at once")
    ap.add_argument("--steps", type=int, default=10, help="updates per resident")
    ap.add_argument("--broadcast", type=int, default=10_000, help="residents of the broadcast (0: skip)")
    ap.add_argument("--no-jobs", action="store_true", help="skip the scheduled-jobs check")
    ap.add_argument("--admin-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/h_scale")
    ap.add_argument("--db", default="h_scale_bench")
    args = ap.parse_args()
    print(
        f"{args.users} residents × {args.steps} updates, webhook through a round-robin proxy, fake Bot API "
        f"{LATENCY * 1000:.0f} ms, max_connections {MAX_CONNECTIONS}; {os.cpu_count()} CPU cores on this machine"
    )
    replies_one: int | None = None
    for n in args.workers:
        run, workers, proxy, fake = await inbound_run(args, n)
        try:
            if n == 1:
                replies_one = run.replies
            print(run.line(replies_one), flush=True)
            if args.broadcast and n >= 2:
                print(f"  broadcast with {n} workers: {await broadcast(workers.url, fake, args.broadcast)}", flush=True)
            if n == 4 and not args.no_jobs:
                for line in await jobs_check(workers, workers.url):
                    print("  jobs: " + line, flush=True)
        finally:
            await workers.stop()
            await proxy.stop()
            await fake.stop()


if __name__ == "__main__":
    asyncio.run(main())
