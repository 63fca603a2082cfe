"""Seed a benchmark database with many petitions quickly (bulk Core inserts, COPY on PostgreSQL).

    python benchmarks/seed_petitions.py URL [--cases 1000000] [--residents 100000]

Used by ``bench_dashboard.py``; usable alone to fill a database for trying the dashboard by hand.
The database is migrated and the Kim Bảng units loaded first. Petitions are spread over the six
wards and their villages and over the two years before ``NOW``, with realistic shares: 8 % still
open, answers mostly on time, a third of the answers rated, a few reopened, 30 % published.
Residents get a name and a phone number (so tests and benchmarks can check they never leak).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402

from sqlalchemy import create_engine as sync_engine  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from storage import petitions, units  # noqa: E402
from storage.db import create_engine, session_factory  # noqa: E402
from storage.migrate import upgrade_sync  # noqa: E402
from storage.people.models import ChannelIdentity, Person  # noqa: E402
from storage.petitions import workdays  # noqa: E402
from storage.petitions.models import Case  # noqa: E402

DEPLOYMENT = ROOT / "bot" / "deployments" / "kim_bang"
NOW = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
CHUNK = 50_000
ROUTES = ("gop_y", "kien_nghi", "phan_anh", "phan_anh", "phan_anh", "khieu_nai", "to_cao")
CATS = ("roads", "environment", "security", "land", "social_policy", "procedures", "officials_conduct", "other")
OPEN = ("new", "acknowledged", "in_progress", "waiting_for_resident", "reopened")
TEXT = "Đường thôn bị sụt lún, xe máy đi lại rất nguy hiểm, đề nghị sửa chữa sớm."
FOLDED = "duong thon bi sut lun xe may di lai rat nguy hiem de nghi sua chua som"


@dataclass(frozen=True)
class Area:
    """The deployment's wards and their villages (ids in this database)."""

    wards: list[int]
    villages: dict[int, list[int]]


def case_rows(
    start: int, count: int, area: Area, residents: tuple[int, int], rnd: random.Random
) -> list[dict[str, Any]]:
    """``count`` petitions numbered from ``start`` (codes KB-000000001…), authors in ``residents`` (first id, n)."""
    person0, n_res = residents
    rows = []
    for i in range(start, start + count):
        ward = area.wards[i % len(area.wards)]
        created = NOW - timedelta(minutes=rnd.randint(0, 60 * 24 * 720))
        is_open = rnd.random() < 0.08
        status = rnd.choice(OPEN) if is_open else rnd.choice(("answered", "closed", "closed", "closed", "rejected"))
        ack_due = created + timedelta(days=7)
        due = created + timedelta(days=rnd.randint(10, 45))
        acked = created + timedelta(days=rnd.randint(0, 9)) if status != "new" else None
        answered = created + timedelta(days=rnd.randint(1, 40)) if status in ("answered", "closed") else None
        rated = answered + timedelta(days=1) if answered and rnd.random() < 0.3 else None
        rows.append(
            dict(
                code=f"KB-{i:09d}",
                route=rnd.choice(ROUTES),
                category=rnd.choice(CATS),
                status=status,
                is_open=is_open,
                version=1,
                author_id=person0 + rnd.randrange(n_res),
                channel="telegram",
                locale="vi",
                anonymous=False,
                publish_consent=rnd.random() < 0.3,
                ward_id=ward,
                village_id=rnd.choice(area.villages[ward]) if area.villages[ward] else None,
                unit_id=ward,
                description=TEXT,
                description_folded=FOLDED,
                created_at=created,
                updated_at=created,
                ack_due=ack_due,
                answer_due=due,
                acknowledged_at=acked,
                answered_at=answered,
                answer_text="Đã xử lý." if answered else None,
                closed_at=answered + timedelta(days=7) if status == "closed" and answered else None,
                paused_at=created if status == "waiting_for_resident" else None,
                reopen_count=1 if status == "reopened" or (answered and rnd.random() < 0.03) else 0,
                escalated=False,
                extensions=0,
                rating=rnd.randint(1, 5) if rated else None,
                rated_at=rated,
            )
        )
    return rows


class Loader:
    """Bulk loading: executemany of Core inserts on SQLite, asyncpg COPY on PostgreSQL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.pg = url.startswith("postgresql")

    def load(self, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if self.pg:
            asyncio.run(self._copy(table, rows))
            return
        model = {"cases": Case, "person": Person, "channelidentity": ChannelIdentity}[table]
        eng = sync_engine(self.url.replace("+aiosqlite", ""))
        with eng.begin() as conn:
            conn.execute(insert(model.__table__), rows)  # type: ignore[attr-defined]
        eng.dispose()

    async def _copy(self, table: str, rows: list[dict[str, Any]]) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.url.replace("postgresql+asyncpg", "postgresql"))
        try:
            cols = list(rows[0])
            await conn.copy_records_to_table(table, records=[tuple(r[c] for c in cols) for r in rows], columns=cols)
        finally:
            await conn.close()


async def prepare(url: str) -> Area:
    """Migrate, load the Kim Bảng units, return the wards and villages."""
    await asyncio.to_thread(upgrade_sync, url)
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as s:
            await units.load_deployment_units(s, "kim_bang", DEPLOYMENT / "units.yaml")
            await s.commit()
            wards = [u.id for u in await units.current_communes(s, "kim_bang") if u.id is not None]
            villages = {w: [v.id for v in await units.villages_of(s, w) if v.id is not None] for w in wards}
    finally:
        await engine.dispose()
    return Area(wards, villages)


def seed_residents(url: str, area: Area, n: int, first_id: int = 100_000) -> tuple[int, int]:
    """``n`` residents with a name, a phone and a Telegram identity; returns (first id, n)."""
    loader = Loader(url)
    created = NOW - timedelta(days=800)
    for start in range(0, n, CHUNK):
        rows = []
        for i in range(start, min(n, start + CHUNK)):
            ward = area.wards[i % len(area.wards)]
            vs = area.villages[ward]
            rows.append(
                dict(
                    id=first_id + i,
                    display_name=f"Nguyễn Văn Cư {i}",
                    phone=f"09{i:08d}",
                    locale="vi",
                    ward_id=ward,
                    village_id=vs[i % len(vs)] if vs else None,
                    created_at=created,
                    consent_given=True,
                )
            )
        loader.load("person", rows)
        loader.load(
            "channelidentity",
            [
                dict(
                    person_id=r["id"],
                    channel="telegram",
                    external_id=f"r{r['id']}",
                    chat_id=f"r{r['id']}",
                    unreachable=False,
                    created_at=created,
                )
                for r in rows
            ],
        )
    return first_id, n


def seed_cases(url: str, area: Area, residents: tuple[int, int], start: int, count: int, seed: int = 1) -> None:
    """``count`` petitions numbered from ``start``, in chunks."""
    loader, rnd = Loader(url), random.Random(seed + start)
    for s in range(start, start + count, CHUNK):
        loader.load("cases", case_rows(s, min(CHUNK, start + count - s), area, residents, rnd))


def _rollup_migration() -> Any:
    """The migration that creates the statistics rollup and its triggers (its SQL, reused here)."""
    import importlib.util

    path = ROOT / "storage" / "migrations" / "versions" / "0010_case_stats_indexes.py"
    spec = importlib.util.spec_from_file_location("rollup_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def without_rollup_triggers(url: str) -> None:
    """Drop the rollup's triggers before a bulk load (``finish`` rebuilds the rollup in one pass and
    puts them back): a million row triggers cost minutes, one GROUP BY seconds."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            if url.startswith("postgresql"):
                await conn.execute(text("DROP TRIGGER IF EXISTS case_stats_update ON cases"))
                await conn.execute(text("DROP TRIGGER IF EXISTS case_stats_insert_delete ON cases"))
                await conn.execute(text("DROP FUNCTION IF EXISTS case_stats_apply()"))
            else:
                for name in ("case_stats_insert", "case_stats_delete", "case_stats_update"):
                    await conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    finally:
        await engine.dispose()


async def rebuild_rollup(url: str) -> None:
    """Recount the rollup from the petitions and (re)create its triggers, as the migration does."""
    m = _rollup_migration()
    pg = url.startswith("postgresql")
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM case_stats_month"))
            for statement in m._backfill(pg):
                await conn.execute(text(statement))
        await without_rollup_triggers(url)
        async with engine.begin() as conn:
            for statement in m._pg_triggers() if pg else m._sqlite_triggers():
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def finish(url: str) -> None:
    """The rollup recounted, sequences past the seeded ids and fresh planner statistics (VACUUM
    for index-only scans)."""
    await rebuild_rollup(url)
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as s:  # the working calendar table, answers' days recounted
            await workdays.ensure(s, petitions.load_config(DEPLOYMENT).calendar, NOW.date())
        if url.startswith("postgresql"):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT setval('person_id_seq', (SELECT max(id) FROM person))"))
                await conn.execute(text("SELECT setval('cases_id_seq', (SELECT max(id) FROM cases))"))
                await conn.commit()
            raw = await engine.raw_connection()
            try:
                await raw.driver_connection.execute("VACUUM ANALYZE")  # type: ignore[union-attr]
            finally:
                raw.close()
        else:
            async with engine.begin() as conn:
                await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()


async def reset_pg(url: str) -> None:
    """Start from an empty schema (benchmark databases only)."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("url", help="sqlite+aiosqlite:///path.db or postgresql+asyncpg://…")
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--residents", type=int, default=100_000)
    args = ap.parse_args()
    t = time.perf_counter()
    area = asyncio.run(prepare(args.url))
    asyncio.run(without_rollup_triggers(args.url))
    residents = seed_residents(args.url, area, args.residents)
    seed_cases(args.url, area, residents, 0, args.cases)
    asyncio.run(finish(args.url))
    print(f"seeded {args.cases:,} petitions and {args.residents:,} residents in {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
