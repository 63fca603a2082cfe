"""Dashboard benchmark (figures, not a test).

    python benchmarks/bench_dashboard.py [--cases 1000000] [--db sqlite|postgres|both] [--pg-url URL]
                                         [--sqlite-file PATH] [--runs 100]

Seeds N petitions (``seed_petitions.py``: bulk inserts, COPY on PostgreSQL, the statistics rollup
recounted in one pass) unless ``--sqlite-file`` names an already seeded file, mounts the dashboard
on a real aiohttp server and measures, signed in as a ward official and as the area administrator:

- the statistics computation (``breakdown``) and the statistics page, this year so far and the last
  12 months, a ward and the whole area — p50/p95 (target p95 < 200 ms);
- the yearly assessment page (a row per ward, every feature's figures) — p50/p95;
- the queue page (dash's ``/admin/queue``) — p50/p95 (target p95 < 50 ms);
- the CSV export of the queue, streamed: rows, seconds, the server process's RSS growth (< 50 MB);
- the public page served from its cache: requests per second with 20 clients for 5 s (≥ 500/s).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import aiohttp  # noqa: E402
import psutil  # noqa: E402
from aiohttp import web  # noqa: E402
from sqlmodel import select  # noqa: E402

import handlers.features  # noqa: E402, F401  (every feature, as in the app)
from benchmarks import seed_petitions as seed  # noqa: E402
from bot.dashboard import mount  # noqa: E402
from bot.dashboard.core import COOKIE  # noqa: E402
from bot.web import security_headers  # noqa: E402
from handlers.framework.services import Services  # noqa: E402
from storage import dashboard, petitions, units  # noqa: E402
from storage.db import create_engine, session_factory  # noqa: E402
from storage.people.invites import grant_role  # noqa: E402
from storage.people.models import Person, RoleGrant  # noqa: E402
from storage.petitions.breakdown import breakdown, month_bounds  # noqa: E402


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def rss_mb() -> float:
    return psutil.Process(os.getpid()).memory_info().rss / 1e6


def line(name: str, ms: list[float]) -> None:
    print(f"  {name:<44} p50 {statistics.median(ms):7.1f} ms   p95 {pct(ms, 0.95):7.1f} ms   (n={len(ms)})")


def _seed_child(url: str, cases: int, residents: int) -> None:
    area = asyncio.run(seed.prepare(url))
    asyncio.run(seed.without_rollup_triggers(url))
    people = seed.seed_residents(url, area, residents)
    seed.seed_cases(url, area, people, 0, cases)
    asyncio.run(seed.finish(url))


def seed_database(url: str, cases: int, residents: int) -> float:
    """Seed in a child process, so the server's RSS measured here is the dashboard's only."""
    t = time.perf_counter()
    proc = multiprocessing.get_context("spawn").Process(target=_seed_child, args=(url, cases, residents))
    proc.start()
    proc.join()
    if proc.exitcode != 0:
        raise SystemExit(f"seeding failed ({proc.exitcode})")
    return time.perf_counter() - t


async def staff(factory: Any, role: str, unit: int | None, services: Services) -> str:
    """A staff member holding ``role`` and the cookie of a dashboard session of theirs."""
    async with factory() as s:
        p = Person(display_name=f"Bench {role}", locale="vi", consent_given=True)
        s.add(p)
        await s.flush()
        assert p.id is not None
        await grant_role(s, p.id, role, unit, by="bench")
        await s.commit()
        grants = list(await s.exec(select(RoleGrant).where(RoleGrant.person_id == p.id)))
        token = await dashboard.issue_login_token(s, p.id, grants, now=services.now())
        new = await dashboard.redeem_login_token(s, token, now=services.now(), locale="vi")
        await s.commit()
    assert new is not None
    return new.secret


async def timed(http: aiohttp.ClientSession, url: str, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        async with http.get(url) as r:
            await r.read()
            assert r.status == 200, (url, r.status)
        out.append((time.perf_counter() - t) * 1000)
    return out


async def run(url: str, cases: int, runs: int, seeded: bool) -> None:
    print(f"\n== {url.split(':')[0]}  {cases:,} petitions")
    if not seeded:
        print(f"  seeded in {seed_database(url, cases, 100_000):.1f} s")
    engine = create_engine(url)
    factory = session_factory(engine)
    services = Services(
        session_factory=factory,
        deployment="kim_bang",
        deployment_dir=seed.DEPLOYMENT,
        clock=lambda: seed.NOW,
    )
    async with factory() as s:
        wards = [u.id for u in await units.current_communes(s, "kim_bang") if u.id is not None]
        ward_ids = await units.descendant_ids(s, wards[0])
    cfg = petitions.config_for(services)
    cal = cfg.calendar

    for label, ids, first, last in (
        ("breakdown(): a ward, this year so far", ward_ids, "2026-01", "2026-06"),
        ("breakdown(): a ward, last 12 months", ward_ids, "2025-07", "2026-06"),
        ("breakdown(): whole area, last 12 months", None, "2025-07", "2026-06"),
    ):
        start, end = month_bounds(cal, first, last)
        ms = []
        for _ in range(runs):
            async with factory() as s:
                t = time.perf_counter()
                await breakdown(s, cal, ids, start, end, at=seed.NOW)
                ms.append((time.perf_counter() - t) * 1000)
        line(label, ms)

    official = await staff(factory, "official", wards[0], services)
    admin = await staff(factory, "district_admin", None, services)
    web_app = web.Application(middlewares=[security_headers])
    mount(web_app, services)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    base = f"http://{host}:{port}"
    try:
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar, cookies={COOKIE: official}) as http:
            await timed(http, base + "/admin/stats", 3)  # warm up
            line("GET /admin/stats (ward, this year)", await timed(http, base + "/admin/stats", runs))
            line(
                "GET /admin/stats (ward, 12 months)",
                await timed(http, base + "/admin/stats?from=2025-07&to=2026-06", runs),
            )
            line("GET /admin/queue (ward official)", await timed(http, base + "/admin/queue", runs))
            line(
                "GET /admin/queue?overdue=1&category=roads",
                await timed(http, base + "/admin/queue?overdue=1&category=roads", runs),
            )
            before, peak, rows = rss_mb(), rss_mb(), 0
            t = time.perf_counter()
            async with http.get(base + "/admin/queue.csv?status=all") as r:
                assert r.status == 200, r.status
                async for chunk in r.content.iter_chunked(1 << 16):
                    rows += chunk.count(b"\n")
                    peak = max(peak, rss_mb())
                    if rows > 100_000:
                        break
            secs = time.perf_counter() - t
            print(
                f"  CSV export: {rows:,} rows in {secs:.1f} s, RSS {before:.0f} MB → peak {peak:.0f} MB "
                f"(growth {peak - before:.1f} MB)"
            )
        async with aiohttp.ClientSession(cookies={COOKIE: admin}) as http:
            line(
                "GET /admin/stats (whole area, 12 months)",
                await timed(http, base + "/admin/stats?unit=all&from=2025-07&to=2026-06", max(10, runs // 5)),
            )
            line("GET /admin/assessment (6 wards + area)", await timed(http, base + "/admin/assessment", 10))
        async with aiohttp.ClientSession() as http:
            cold = await timed(http, base + "/public", 1)
            print(f"  GET /public, first (computed): {cold[0]:.0f} ms")
            done = 0
            stop = time.perf_counter() + 5

            async def client() -> None:
                nonlocal done
                while time.perf_counter() < stop:
                    async with http.get(base + "/public") as r:
                        await r.read()
                        assert r.status == 200
                    done += 1

            await asyncio.gather(*(client() for _ in range(20)))
            print(f"  GET /public from the cache: {done / 5:.0f} requests/s (20 clients, same process)")
    finally:
        await runner.cleanup()
        await engine.dispose()


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    ap.add_argument("--sqlite-file", help="an SQLite file seeded before (by seed_petitions.py)")
    ap.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/h_stats")
    )
    ap.add_argument("--pg-seeded", action="store_true", help="the PostgreSQL database is seeded already")
    args = ap.parse_args()
    if args.db in ("sqlite", "both"):
        if args.sqlite_file:
            await run(f"sqlite+aiosqlite:///{args.sqlite_file}", args.cases, args.runs, seeded=True)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                await run(f"sqlite+aiosqlite:///{tmp}/bench.db", args.cases, args.runs, seeded=False)
    if args.db in ("postgres", "both"):
        if not args.pg_seeded:
            await seed.reset_pg(args.pg_url)
        await run(args.pg_url, args.cases, args.runs, seeded=args.pg_seeded)


if __name__ == "__main__":
    asyncio.run(main())
