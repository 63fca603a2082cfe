"""Broadcast benchmark: a notice to 10,000 residents through the Telegram channel against the fake
Bot API enforcing Telegram's limits, bulk enqueueing, sender memory, and a kill -9 crash test.

    .venv/bin/python benchmarks/bench_broadcast.py [--quick]

Prints: achieved rate ÷ 30 msg/s (target ≥ 0.95), lost (0), duplicates, 429s received (target 0),
seconds to enqueue 100,000 recipients (< 3 s), sender RSS growth (< 50 MB), and for the crash test
lost (0) and duplicated (≤ messages in flight at the kill) counts.

The fake Bot API runs in this process; the sender runs in a child process (the real
``TelegramChannel`` + ``OutboxSender``) so it can be killed with SIGKILL and started again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from bot.config import DEPLOYMENTS_DIR  # noqa: E402
from storage import units  # noqa: E402
from storage.db import create_engine, session_factory, utcnow  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

WARD_CODE = "13384"


async def _prepare(url: str, residents: int, chat_base: int) -> tuple[object, object, list[int], int]:
    """Migrated database with ``residents`` onboarded people in one ward (Telegram chat ids)."""
    from storage.people.models import ChannelIdentity, Person

    await upgrade(url)
    engine = create_engine(url)
    factory = session_factory(engine)
    async with factory() as s:
        await units.load_deployment_units(s, "kim_bang", DEPLOYMENTS_DIR / "kim_bang" / "units.yaml")
        await s.commit()
        ward = await units.by_code(s, WARD_CODE)
        assert ward is not None and ward.id is not None
        now = utcnow()
        await s.exec(
            insert(Person),
            params=[  # type: ignore[call-overload]
                {
                    "display_name": f"Dân {i}",
                    "onboarded_at": now,
                    "consent_given": True,
                    "ward_id": ward.id,
                    "created_at": now,
                    "locale": "vi",
                }
                for i in range(residents)
            ],
        )
        ids = list(await s.exec(select(Person.id).order_by(col(Person.id))))
        await s.exec(
            insert(ChannelIdentity),
            params=[  # type: ignore[call-overload]
                {
                    "person_id": pid,
                    "channel": "telegram",
                    "external_id": str(chat_base + i),
                    "chat_id": str(chat_base + i),
                    "unreachable": False,
                    "created_at": now,
                }
                for i, pid in enumerate(ids)
            ],
        )
        await s.commit()
    return engine, factory, ids, ward.id


async def _notice(factory: object, ward_id: int, author_id: int) -> tuple[int, float]:
    """A notice to the ward, dispatched the way the scheduler does; returns (rows, seconds)."""
    import handlers.notices.notify  # noqa: F401  (connects the receiver that builds and queues the messages)
    from storage.notices import services as notices
    from storage.notices.models import Notice, NoticeTarget

    async with factory() as s:  # type: ignore[operator]
        n = Notice(
            author_id=author_id,
            author_role="official",
            text="Thông báo: lịch tiêm phòng cho trẻ em.",
            status="scheduled",
            send_at=utcnow(),
        )
        s.add(n)
        await s.flush()
        s.add(NoticeTarget(notice_id=n.id, unit_id=ward_id))
        t0 = time.perf_counter()
        rows = await notices.dispatch(s, n.id)
        await s.commit()
        return rows, time.perf_counter() - t0


async def bench_enqueue(tmp: Path, n: int) -> float:
    from bot.core.messages import Button, Reply
    from storage import outbox

    url = f"sqlite+aiosqlite:///{tmp / 'enqueue.db'}"
    engine, factory, ids, _ = await _prepare(url, n, 10_000_000)
    reply = Reply(
        "📢 Thông báo tới bà con phường Kim Bảng\n\nLịch cắt điện ngày mai.",
        buttons=((Button("✅ Đã xem", "seen:1"),),),
    )
    t0 = time.perf_counter()
    async with factory() as s:  # type: ignore[operator]
        queued = await outbox.enqueue_many(
            s, ids, reply, kind="notice", dedupe_prefix="notice:1", ref_type="notice", ref_id=1
        )
        await s.commit()
    took = time.perf_counter() - t0
    assert queued == n, queued
    await engine.dispose()  # type: ignore[attr-defined]
    return took


# --- the sender child process --------------------------------------------------------------------


async def sender_main(db: str, api: str, token: str) -> None:
    import psutil
    from aiohttp import web

    from bot.channels.telegram import TelegramChannel
    from bot.config import load_settings
    from bot.dispatch import Dispatcher
    from bot.outbox import OutboxSender
    from handlers.framework.services import Services
    from storage.outbox.models import OutboxMessage

    proc = psutil.Process()
    settings = load_settings(
        database_url=db,
        telegram_bot_token=token,
        telegram_api_base_url=f"{api}/bot",
        telegram_file_base_url=f"{api}/file/bot",
        webchat_enabled=False,
    )
    engine = create_engine(db)
    factory = session_factory(engine)
    services = Services(session_factory=factory, deployment="kim_bang", deployment_dir=DEPLOYMENTS_DIR / "kim_bang")
    channel = TelegramChannel(Dispatcher(services), settings, web.Application())
    await channel.app.initialize()
    sender = OutboxSender(factory, {"telegram": channel}, idle_wait=0.2)
    rss0 = proc.memory_info().rss
    peak = rss0
    await sender.start()
    print(json.dumps({"event": "started", "pid": os.getpid()}), flush=True)
    while True:
        await asyncio.sleep(1.0)
        peak = max(peak, proc.memory_info().rss)
        async with factory() as s:
            left = (
                await s.exec(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(col(OutboxMessage.status).in_(("queued", "sending")))
                )
            ).one()
        if left == 0:
            break
    await sender.stop()
    await channel.app.shutdown()
    await engine.dispose()
    print(
        json.dumps({"event": "done", "stats": dict(sender.stats["telegram"]), "rss_start": rss0, "rss_peak": peak}),
        flush=True,
    )


async def _spawn(db: str, fake: object) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--sender",
        "--db",
        db,
        "--api",
        fake.url,
        "--token",
        fake.token,  # type: ignore[attr-defined]
        stdout=asyncio.subprocess.PIPE,
        cwd=str(ROOT),
    )


async def _result(proc: asyncio.subprocess.Process) -> dict[str, object]:
    out: dict[str, object] = {}
    assert proc.stdout is not None
    async for line in proc.stdout:
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("event") == "done":
            out = msg
    await proc.wait()
    return out


def _deliveries(fake: object, base: int, n: int) -> tuple[Counter[int], list[float]]:
    counts: Counter[int] = Counter()
    times: list[float] = []
    for rec in fake.sent():  # type: ignore[attr-defined]
        cid = int(rec["chat_id"])
        if base <= cid < base + n:
            counts[cid] += 1
            times.append(rec["time"])
    return counts, sorted(times)


async def bench_broadcast(tmp: Path, fake: object, n: int) -> dict[str, object]:
    base = 20_000_000
    url = f"sqlite+aiosqlite:///{tmp / 'broadcast.db'}"
    engine, factory, ids, ward = await _prepare(url, n, base)
    rows, enqueue_s = await _notice(factory, ward, ids[0])
    await engine.dispose()  # type: ignore[attr-defined]
    errors_before = fake.stats.rate_limited  # type: ignore[attr-defined]
    proc = await _spawn(url, fake)
    res = await _result(proc)
    counts, times = _deliveries(fake, base, n)
    rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    rss = (int(res.get("rss_peak", 0)) - int(res.get("rss_start", 0))) / 2**20  # type: ignore[call-overload]
    return {
        "recipients": n,
        "queued": rows,
        "dispatch_s": enqueue_s,
        "rate": rate,
        "rate_ratio": rate / 30,
        "lost": n - len(counts),
        "duplicates": sum(c - 1 for c in counts.values()),
        "429s": fake.stats.rate_limited - errors_before,  # type: ignore[attr-defined]
        "rss_growth_mb": rss,
        "sender": res.get("stats"),
    }


async def bench_crash(tmp: Path, fake: object, n: int) -> dict[str, object]:
    base = 30_000_000
    url = f"sqlite+aiosqlite:///{tmp / 'crash.db'}"
    engine, factory, ids, ward = await _prepare(url, n, base)
    await _notice(factory, ward, ids[0])
    await engine.dispose()  # type: ignore[attr-defined]
    proc = await _spawn(url, fake)
    while True:
        await asyncio.sleep(0.2)
        got, _ = _deliveries(fake, base, n)
        if sum(got.values()) >= n // 3:
            break
    os.kill(proc.pid, signal.SIGKILL)
    await proc.wait()
    at_kill = sum(_deliveries(fake, base, n)[0].values())
    proc2 = await _spawn(url, fake)
    await _result(proc2)
    counts, _ = _deliveries(fake, base, n)
    return {
        "recipients": n,
        "sent_before_kill": at_kill,
        "lost": n - len(counts),
        "duplicated": sum(c - 1 for c in counts.values()),
        "in_flight_max": 3,
    }


async def main(quick: bool) -> int:
    from tests.fakes.telegram_api import FakeTelegramAPI

    n_enqueue = 100_000
    n_broadcast = 1_000 if quick else 10_000
    n_crash = 450 if quick else 3_000
    ok = True
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        took = await bench_enqueue(tmp, n_enqueue)
        print(f"enqueue {n_enqueue} recipients: {took:.2f} s (target < 3 s)")
        ok &= took < 3
        async with FakeTelegramAPI(enforce_limits=True) as fake:
            b = await bench_broadcast(tmp, fake, n_broadcast)
            print(
                f"broadcast to {b['recipients']}: rate {b['rate']:.2f} msg/s = {b['rate_ratio']:.3f} of 30/s "
                f"(target ≥ 0.95); lost {b['lost']}; duplicates {b['duplicates']}; 429s {b['429s']} (target 0); "
                f"notice dispatch {b['dispatch_s']:.2f} s; sender RSS growth {b['rss_growth_mb']:.1f} MB "
                f"(target < 50); sender stats {b['sender']}"
            )
            ok &= b["rate_ratio"] >= 0.95 and b["lost"] == 0 and b["rss_growth_mb"] < 50  # type: ignore[operator]
            c = await bench_crash(tmp, fake, n_crash)
            print(
                f"crash test ({c['recipients']} recipients, kill -9 after {c['sent_before_kill']} sent): "
                f"lost {c['lost']} (target 0); duplicated {c['duplicated']} (target ≤ {c['in_flight_max']} in flight)"
            )
            ok &= c["lost"] == 0 and c["duplicated"] <= c["in_flight_max"]  # type: ignore[operator]
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="1,000 recipients instead of 10,000; smaller crash test")
    p.add_argument("--sender", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--db", help=argparse.SUPPRESS)
    p.add_argument("--api", help=argparse.SUPPRESS)
    p.add_argument("--token", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.sender:
        import logging

        logging.basicConfig(level=logging.WARNING)
        asyncio.run(sender_main(a.db, a.api, a.token))
        sys.exit(0)
    sys.exit(asyncio.run(main(a.quick)))
