"""Petition queue benchmark (figures, not a test).

    python benchmarks/bench_queue.py [--quick] [--db sqlite|postgres|both] [--pg-url URL]

Seeds N petitions (default 1,000,000; ``--quick`` 100,000) over the six Kim Bảng wards and 100,000
residents with bulk INSERTs (executemany on SQLite, COPY on PostgreSQL), then measures through the
real services: one ward official's ``/queue`` page (``petitions.queue``), a filtered page, and the
scheduler's overdue scan (``petitions.overdue``, 500 rows) — p50/p95 over 300 runs each — plus
``petitions.submit`` p50/p99 (the service call: validation, routing, deadlines, code, event, staff
notifications). RSS is read after the queries at 10% of N and at N, to show memory stays flat.
Targets: queue and overdue p95 < 20 ms.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import gc  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402

import psutil  # noqa: E402
from sqlalchemy import create_engine as sync_engine  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlmodel import select  # noqa: E402

import handlers.petitions.notify  # noqa: E402, F401  (submit queues the staff pushes, as in the app)
from storage import petitions, units  # noqa: E402
from storage.db import create_engine, session_factory  # noqa: E402
from storage.migrate import upgrade_sync  # noqa: E402
from storage.people.models import ChannelIdentity, Person, RoleGrant  # noqa: E402
from storage.petitions.models import Case  # noqa: E402

DEPLOYMENT = ROOT / "bot" / "deployments" / "kim_bang"
NOW = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
CHUNK = 50_000
ROUTES = ("gop_y", "kien_nghi", "phan_anh", "phan_anh", "phan_anh", "khieu_nai", "to_cao")
CATS = ("roads", "environment", "security", "land", "social_policy", "procedures", "officials_conduct", "other")
OPEN = ("new", "acknowledged", "in_progress", "waiting_for_resident", "reopened")


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def rss_mb() -> float:
    return psutil.Process(os.getpid()).memory_info().rss / 1e6


def case_rows(
    start: int,
    count: int,
    wards: list[int],
    villages: dict[int, list[int]],
    residents: int,
    person0: int,
    rnd: random.Random,
) -> list[dict[str, Any]]:
    rows = []
    for i in range(start, start + count):
        ward = wards[i % len(wards)]
        created = NOW - timedelta(minutes=rnd.randint(0, 60 * 24 * 720))
        is_open = rnd.random() < 0.08
        status = (
            rnd.choice(OPEN)
            if is_open
            else rnd.choice(("answered", "closed", "closed", "closed", "rejected", "withdrawn"))
        )
        due = created + timedelta(days=rnd.randint(10, 45))
        answered = created + timedelta(days=rnd.randint(1, 40)) if status in ("answered", "closed") else None
        rows.append(
            dict(
                code=f"KB-{i:09d}",
                route=rnd.choice(ROUTES),
                category=rnd.choice(CATS),
                status=status,
                is_open=is_open,
                version=1,
                author_id=person0 + rnd.randrange(residents),
                channel="telegram",
                locale="vi",
                anonymous=False,
                publish_consent=rnd.random() < 0.3,
                ward_id=ward,
                village_id=rnd.choice(villages[ward]) if villages[ward] else None,
                unit_id=ward,
                description="Đường thôn bị sụt lún, xe máy đi lại rất nguy hiểm, đề nghị sửa chữa sớm.",
                description_folded="duong thon bi sut lun xe may di lai rat nguy hiem de nghi sua chua som",
                created_at=created,
                updated_at=created,
                ack_due=created + timedelta(days=7),
                answer_due=due,
                answered_at=answered,
                answer_text="Đã xử lý." if answered else None,
                closed_at=answered + timedelta(days=7) if status == "closed" and answered else None,
                paused_at=created if status == "waiting_for_resident" else None,
                reopen_count=0,
                escalated=False,
                extensions=0,
                rating=rnd.randint(1, 5) if answered and rnd.random() < 0.3 else None,
                rated_at=answered if answered and rnd.random() < 0.3 else None,
            )
        )
    return rows


class Seeder:
    """Bulk loading: sync SQLAlchemy executemany on SQLite, asyncpg COPY on PostgreSQL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.pg = url.startswith("postgresql")

    async def copy(self, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if self.pg:
            import asyncpg

            conn = await asyncpg.connect(self.url.replace("postgresql+asyncpg", "postgresql"))
            try:
                cols = list(rows[0])
                await conn.copy_records_to_table(table, records=[tuple(r[c] for c in cols) for r in rows], columns=cols)
            finally:
                await conn.close()
        else:
            model = {"cases": Case, "person": Person, "channelidentity": ChannelIdentity}[table]
            eng = sync_engine(self.url.replace("+aiosqlite", ""))
            with eng.begin() as conn:
                conn.execute(insert(model.__table__), rows)  # type: ignore[attr-defined]
            eng.dispose()


async def setup(url: str) -> tuple[Any, Any, list[int], dict[int, list[int]], int, int]:
    await asyncio.to_thread(upgrade_sync, url)
    engine = create_engine(url)
    factory = session_factory(engine)
    async with factory() as s:
        await units.load_deployment_units(s, "kim_bang", DEPLOYMENT / "units.yaml")
        wards = [u.id for u in await units.current_communes(s, "kim_bang")]
        villages = {w: [v.id for v in await units.villages_of(s, w)] for w in wards}
        official = Person(display_name="Cán bộ", ward_id=wards[0], locale="vi")
        s.add(official)
        await s.flush()
        s.add(RoleGrant(person_id=official.id, role="official", unit_id=wards[0]))
        s.add(ChannelIdentity(person_id=official.id, channel="telegram", external_id="staff1", chat_id="staff1"))
        await s.commit()
        official_id = official.id
    return engine, factory, wards, villages, official_id, 0  # type: ignore[return-value]


async def seed_residents(seeder: Seeder, factory: Any, wards: list[int], n: int) -> int:
    async with factory() as s:
        before = (await s.exec(select(Person.id).order_by(Person.id.desc()).limit(1))).first() or 0  # type: ignore[union-attr]
    created = NOW - timedelta(days=800)
    for start in range(0, n, CHUNK):
        rows = [
            dict(
                id=before + 1 + i,
                display_name=f"Cư dân {i}",
                locale="vi",
                ward_id=wards[i % len(wards)],
                created_at=created,
                consent_given=True,
            )
            for i in range(start, min(n, start + CHUNK))
        ]
        await seeder.copy("person", rows)
        ids = [
            dict(
                person_id=r["id"],
                channel="telegram",
                external_id=f"r{r['id']}",
                chat_id=f"r{r['id']}",
                unreachable=False,
                created_at=created,
            )
            for r in rows
        ]
        await seeder.copy("channelidentity", ids)
    if seeder.pg:
        async with factory() as s:
            await s.exec(text("SELECT setval('person_id_seq', (SELECT max(id) FROM person))"))  # type: ignore[call-overload]
            await s.commit()
    return before + 1


async def _seed_cases(
    url: str, wards: list[int], villages: dict[int, list[int]], start: int, count: int, residents: int, person0: int
) -> None:
    seeder, rnd = Seeder(url), random.Random(start)
    for s in range(start, start + count, CHUNK):
        await seeder.copy(
            "cases", case_rows(s, min(CHUNK, start + count - s), wards, villages, residents, person0, rnd)
        )


def _seed_child(*args: Any) -> None:
    asyncio.run(_seed_cases(*args))


async def seed_cases(
    url: str, wards: list[int], villages: dict[int, list[int]], start: int, count: int, residents: int, person0: int
) -> float:
    """Seed in a child process, so the RSS measured here is that of the queries only."""
    t = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=_seed_child, args=(url, wards, villages, start, count, residents, person0))
    proc.start()
    await asyncio.to_thread(proc.join)
    if proc.exitcode != 0:
        raise SystemExit(f"seeding failed ({proc.exitcode})")
    return time.perf_counter() - t


async def analyze(factory: Any, pg: bool) -> None:
    async with factory() as s:
        await s.exec(text("ANALYZE"))  # type: ignore[call-overload]
        await s.commit()


async def measure_reads(factory: Any, official_id: int, runs: int) -> dict[str, list[float]]:
    async with factory() as s:
        grants = list(await s.exec(select(RoleGrant).where(RoleGrant.person_id == official_id)))
    out: dict[str, list[float]] = {"queue": [], "queue_filtered": [], "queue_page5": [], "overdue": []}
    for i in range(runs):
        for name in out:
            async with factory() as s:
                t = time.perf_counter()
                if name == "queue":
                    page = await petitions.queue(s, grants)
                    assert page.items
                elif name == "queue_filtered":
                    await petitions.queue(s, grants, status="in_progress", category=CATS[i % len(CATS)])
                elif name == "queue_page5":
                    await petitions.queue(s, grants, page=5)
                else:
                    rows = await petitions.overdue(s, NOW, limit=500)
                    assert rows
                out[name].append((time.perf_counter() - t) * 1000)
    return out


async def measure_submit(factory: Any, cfg: petitions.CasesConfig, person0: int, n: int) -> list[float]:
    lat = []
    rnd = random.Random(7)
    for i in range(n):
        async with factory() as s:
            person = await s.get(Person, person0 + i)
            assert person is not None
            t = time.perf_counter()
            await petitions.submit(
                s,
                cfg,
                person,
                petitions.NewCase(
                    route="phan_anh", category=rnd.choice(CATS), description=f"Phản ánh thử số {i}: đèn đường hỏng."
                ),
                channel="telegram",
                now=datetime.now(UTC),
                idempotency_key=f"bench-{i}",
            )
            await s.commit()
            lat.append((time.perf_counter() - t) * 1000)
    return lat


def report(label: str, res: dict[str, list[float]]) -> None:
    for name, vals in res.items():
        print(
            f"  {label:>9} {name:<15} p50 {statistics.median(vals):6.2f} ms   p95 {pct(vals, 0.95):6.2f} ms"
            f"   max {max(vals):6.2f} ms"
        )


async def run(url: str, total: int, residents: int, runs: int) -> None:
    print(f"\n== {url.split(':')[0]}  {total:,} cases, {residents:,} residents")
    seeder = Seeder(url)
    engine, factory, wards, villages, official_id, _ = await setup(url)
    t = time.perf_counter()
    person0 = await seed_residents(seeder, factory, wards, residents)
    print(f"  residents seeded in {time.perf_counter() - t:.1f} s")
    gc.collect()
    print(f"  RSS before any case exists: {rss_mb():.1f} MB")
    cfg = petitions.load_config(DEPLOYMENT)
    done = 0
    for target in (total // 10, total):
        secs = await seed_cases(url, wards, villages, done, target - done, residents, person0)
        done = target
        await analyze(factory, seeder.pg)
        print(f"  seeded to {done:,} cases ({secs:.1f} s for this step)")
        await measure_reads(factory, official_id, 20)  # warm up
        gc.collect()
        res = await measure_reads(factory, official_id, runs)
        report(f"{done // 1000}k", res)
        gc.collect()
        print(f"  RSS after queries at {done:,} cases: {rss_mb():.1f} MB")
    lat = await measure_submit(factory, cfg, person0, 300)
    print(
        f"  submit() service call: p50 {statistics.median(lat):.2f} ms   p99 {pct(lat, 0.99):.2f} ms"
        f"   (n={len(lat)}, includes commit)"
    )
    await engine.dispose()


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="100,000 cases instead of 1,000,000")
    ap.add_argument("--cases", type=int, default=None)
    ap.add_argument("--residents", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    ap.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_cases")
    )
    args = ap.parse_args()
    total = args.cases or (100_000 if args.quick else 1_000_000)
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            await run(f"sqlite+aiosqlite:///{tmp}/bench.db", total, args.residents, args.runs)
    if args.db in ("postgres", "both"):
        await reset_pg(args.pg_url)
        await run(args.pg_url, total, args.residents, args.runs)


async def reset_pg(url: str) -> None:
    """Start from an empty schema in the benchmark's own database."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
