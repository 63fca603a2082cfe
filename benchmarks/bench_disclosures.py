"""Disclosure benchmark: publishing one disclosure to 40,000 residents of a ward, and delivering it
at the channel's rate.

    .venv/bin/python benchmarks/bench_disclosures.py [--quick] [--residents N] [--url DATABASE_URL]

``--url`` (PostgreSQL) must name a scratch database: every table is emptied first.

Prints: seconds for ``publish`` to check, store and enqueue every resident in one transaction
(target < 1 s for 40,000), the outbox rows queued, and, for a delivery window (20 s; 5 s with
``--quick``) through the real ``OutboxSender`` at Telegram's limits (30 msg/s) to a recording
channel, the achieved rate ÷ 30 (target ≥ 0.95) and duplicates (0). Then the Art. 13 day-1
reminder job after 10 % opened: seconds and rows queued (the openers and the undelivered are skipped).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from bot.channels.base import DIRECT, Channel, Delivery  # noqa: E402
from bot.config import DEPLOYMENTS_DIR  # noqa: E402
from bot.core.messages import Reply  # noqa: E402
from bot.outbox import TELEGRAM_LIMITS, OutboxSender  # noqa: E402
from handlers.disclosures import notify  # noqa: E402,F401  (connects the receivers)
from handlers.disclosures.jobs import send_daily_repeats  # noqa: E402
from handlers.framework import Services  # noqa: E402
from handlers.framework.manifest import JobContext  # noqa: E402
from storage import units  # noqa: E402
from storage.db import create_engine, session_factory, utcnow  # noqa: E402
from storage.disclosures import services  # noqa: E402
from storage.disclosures.config import load_config  # noqa: E402
from storage.disclosures.models import DisclosureOpened  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.people.invites import grant_role  # noqa: E402
from storage.people.models import ChannelIdentity, Person, RoleGrant  # noqa: E402

WARD_CODE = "13384"


class Recorder(Channel):
    """Telegram's name (so Telegram's limits apply), no network: records who got what."""

    name = "telegram"

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()

    async def send(self, recipient: str, reply: Reply, delivery: Delivery = DIRECT) -> None:
        self.sent[recipient] += 1


async def main(residents: int, window: float, url: str | None) -> None:
    tmp = tempfile.mkdtemp()
    url = url or f"sqlite+aiosqlite:///{tmp}/bench.db"
    await upgrade(url)
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":  # --url names a scratch database: emptied first
        from sqlalchemy import text
        from sqlmodel import SQLModel

        import storage.tables  # noqa: F401

        async with engine.begin() as conn:
            names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
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
                    "external_id": str(10**6 + i),
                    "chat_id": str(10**6 + i),
                    "unreachable": False,
                    "created_at": now,
                }
                for i, pid in enumerate(ids)
            ],
        )
        official = Person(display_name="Cán bộ", onboarded_at=now, consent_given=True)
        s.add(official)
        await s.flush()
        assert official.id is not None
        await grant_role(s, official.id, "official", ward.id, by="bench")
        await s.commit()
        ward_id, official_id = ward.id, official.id
    svc = Services(session_factory=factory, deployment="kim_bang", deployment_dir=DEPLOYMENTS_DIR / "kim_bang")
    cfg = load_config(svc.deployment_dir)
    today = svc.local(utcnow()).date()

    async with factory() as s:
        person = await s.get(Person, official_id)
        grants = list(await s.exec(select(RoleGrant).where(RoleGrant.person_id == official_id)))
        assert person is not None
        t0 = time.perf_counter()
        d = await services.publish(
            s,
            cfg,
            person,
            grants,
            services.DisclosureInput(
                "thu_hoi_dat",
                ward_id,
                "Kế hoạch thu hồi đất 2027",
                "Danh sách các hộ …",
                today,
                today + timedelta(days=44),
            ),
            today=today,
        )
        await s.commit()
        publish_s = time.perf_counter() - t0
        did = d.id
    print(f"publish + enqueue {residents:,} residents: {publish_s:.3f} s (target < 1 s), rows {d.recipients:,}")

    channel = Recorder()
    sender = OutboxSender(factory, {"telegram": channel}, limits={"telegram": TELEGRAM_LIMITS}, idle_wait=0.05)
    await sender.start()
    await asyncio.sleep(2.0)  # warm-up: the first window fills at once
    before, t1 = sum(channel.sent.values()), time.perf_counter()
    await asyncio.sleep(window)
    sent, elapsed = sum(channel.sent.values()) - before, time.perf_counter() - t1
    await sender.stop()
    rate = sent / elapsed
    dups = sum(1 for n in channel.sent.values() if n > 1)
    print(f"delivery at Telegram's limits: {rate:.1f} msg/s = {rate / 30:.2f} of 30 (target ≥ 0.95); duplicates {dups}")

    async with factory() as s:
        await s.exec(
            insert(DisclosureOpened),
            params=[{"disclosure_id": did, "person_id": pid, "at": utcnow()} for pid in ids[: residents // 10]],  # type: ignore[call-overload]
        )
        await s.commit()
    t2 = time.perf_counter()
    queued = await send_daily_repeats(JobContext(svc, utcnow() + timedelta(days=1)))
    print(
        f"day-1 reminder job: {time.perf_counter() - t2:.3f} s, {queued:,} rows "
        f"(skips {residents // 10:,} openers and the {residents - sum(channel.sent.values()):,} still queued)"
    )
    await engine.dispose()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--residents", type=int, default=40_000)
    ap.add_argument("--url", default=None)
    a = ap.parse_args()
    asyncio.run(main(a.residents, 5.0 if a.quick else 20.0, a.url))
