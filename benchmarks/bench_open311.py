"""Open311 API benchmark (figures, not a test).

    python benchmarks/bench_open311.py [--quick] [--db sqlite|postgres|both] [--pg-url URL]

Seeds N petitions (default 1,000,000; ``--quick`` 100,000) over the six Kim Bảng wards with bulk
Core inserts (``bench_queue``'s seeder: executemany on SQLite, COPY on PostgreSQL), the public
status events of the last 120 days' petitions, and one API key per ward; then calls the real
aiohttp routes over localhost (client in the same process, so the figures include it):

- ``GET requests.json`` without a key (the public list: the last 90 days, 1,000 requests), with a
  ward's key, with ``status=open``, with a ``service_code``, and ``GET requests/{id}.json``:
  p50/p95 over ``--runs`` each (target: p95 < 50 ms), and separately the calls (one in five) made
  with the per-process cache of rendered requests emptied first — what a first poll costs;
- ``POST requests.json`` (key, bucket, audit, ``petitions.submit`` with routing, deadlines, event,
  staff pushes, commit): p50/p99 over ``--posts`` (target: p99 < 100 ms).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import timedelta  # noqa: E402
from typing import Any  # noqa: E402

from aiohttp import web  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402
from bench_queue import NOW, analyze, pct, reset_pg, seed_cases, seed_residents, setup  # noqa: E402
from sqlalchemy import create_engine as sync_engine  # noqa: E402
from sqlalchemy import event, insert, text  # noqa: E402
from sqlalchemy import select as sa_select  # noqa: E402
from sqlmodel import col  # noqa: E402

import handlers.petitions.notify  # noqa: E402, F401  (submit queues the staff pushes, as in the app)
from bot import open311  # noqa: E402
from bot.channels.webchat_limits import TokenBuckets  # noqa: E402
from bot.open311.routes import STATE  # noqa: E402
from handlers.framework import Services  # noqa: E402
from storage import apikeys, units  # noqa: E402
from storage.petitions.models import Case, CaseEvent  # noqa: E402

DEPLOYMENT = ROOT / "bot" / "deployments" / "kim_bang"
FLOW = ("new", "acknowledged", "in_progress", "answered", "closed")


async def seed_events(url: str, factory: Any, days: int = 120) -> int:
    """The public status changes of the petitions of the last ``days`` days (submitted, then each
    status on the way to the current one)."""
    q = sa_select(col(Case.id), col(Case.created_at), col(Case.status)).where(
        col(Case.created_at) >= NOW - timedelta(days=days)
    )
    async with factory() as s:
        rows = (await (await s.connection()).execute(q)).all()
    events: list[dict[str, Any]] = []
    for case_id, created, status in rows:
        steps = FLOW[: FLOW.index(status) + 1] if status in FLOW else ("new", status)
        before = None
        for i, st in enumerate(steps):
            events.append(
                dict(
                    case_id=case_id,
                    at=created + timedelta(hours=6 * i),
                    actor_role="system",
                    action="submitted" if i == 0 else "start",
                    from_status=before,
                    to_status=st,
                    public=True,
                    data={},
                )
            )
            before = st
    if url.startswith("postgresql"):
        import json

        import asyncpg

        conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
        try:
            cols = list(events[0])
            recs = [tuple(json.dumps(e[c]) if c == "data" else e[c] for c in cols) for e in events]
            await conn.copy_records_to_table("caseevent", records=recs, columns=cols)
        finally:
            await conn.close()
    else:
        eng = sync_engine(url.replace("+aiosqlite", ""))
        with eng.begin() as conn:
            conn.execute(insert(CaseEvent.__table__), events)  # type: ignore[attr-defined]
        eng.dispose()
    return len(events)


async def explain(engine: Any, client: TestClient, path: str, params: dict[str, str]) -> None:
    """Print the plan of each list query (``ORDER BY created_at DESC``) one request runs."""
    seen: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if "ORDER BY cases.created_at DESC" in statement:
            seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", grab)
    try:
        await client.get(path, params=params)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", grab)
    pg = engine.dialect.name == "postgresql"
    async with engine.connect() as conn:
        for statement, parameters in seen:
            prefix = "EXPLAIN " if pg else "EXPLAIN QUERY PLAN "
            rows = (await conn.exec_driver_sql(prefix + statement, parameters)).all()
            plan = "; ".join(str(r[0] if pg else r[-1]) for r in rows)
            print(f"    plan ({', '.join(f'{k}={v[:12]}' for k, v in params.items()) or 'public'}): {plan}")


def report(name: str, vals: list[float], q: float = 0.95) -> None:
    print(
        f"  {name:<34} p50 {statistics.median(vals):6.2f} ms   p{round(q * 100)} {pct(vals, q):6.2f} ms"
        f"   max {max(vals):7.2f} ms   (n={len(vals)})"
    )


async def timed(client: TestClient, method: str, path: str, **kw: Any) -> tuple[float, int, Any]:
    t = time.perf_counter()
    resp = await client.request(method, path, **kw)
    body = await resp.read()
    return (time.perf_counter() - t) * 1000, resp.status, body


async def run(url: str, total: int, runs: int, posts: int) -> None:
    print(f"\n== {url.split(':')[0]}  {total:,} petitions")
    engine, factory, wards, villages, _official, _ = await setup(url)
    t = time.perf_counter()
    residents = 10_000
    from bench_queue import Seeder

    person0 = await seed_residents(Seeder(url), factory, wards, residents)
    secs = await seed_cases(url, wards, villages, 0, total, residents, person0)
    print(f"  {total:,} petitions seeded in {secs:.1f} s")
    n_events = await seed_events(url, factory)
    print(f"  {n_events:,} status events seeded; all in {time.perf_counter() - t:.1f} s")
    await analyze(factory, url.startswith("postgresql"))
    services = Services(session_factory=factory, deployment="kim_bang", deployment_dir=DEPLOYMENT, clock=lambda: NOW)
    async with factory() as s:
        ward = await units.get(s, wards[0])
        assert ward is not None
        _k, token = await apikeys.create_key(s, "bench", ward, by="bench", now=NOW, rate_per_minute=10**7, burst=10**7)
        await s.commit()
        code = (
            await s.exec(  # type: ignore[call-overload]
                text("SELECT code FROM cases WHERE publish_consent AND route = 'phan_anh' ORDER BY created_at DESC")
            )
        ).first()[0]
    web_app = web.Application()
    open311.setup(web_app, factory, services)
    client = TestClient(TestServer(web_app, host="127.0.0.1"))
    await client.start_server()
    base = "/open311/v2"
    reads = {
        "GET requests.json (public)": ("GET", f"{base}/requests.json", {}),
        "GET requests.json (ward key)": ("GET", f"{base}/requests.json", {"api_key": token}),
        "GET requests.json?status=open": ("GET", f"{base}/requests.json", {"status": "open"}),
        "GET requests.json?service_code=…": ("GET", f"{base}/requests.json", {"service_code": "phan_anh.roads"}),
        "GET …?service_code=… (ward key)": (
            "GET",
            f"{base}/requests.json",
            {"service_code": "phan_anh.roads", "api_key": token},
        ),
        "GET requests.xml (public)": ("GET", f"{base}/requests.xml", {}),
        "GET requests/{id}.json": ("GET", f"{base}/requests/{code}.json", {}),
    }
    sizes: dict[str, int] = {}
    cache = web_app[STATE].cache
    web_app[STATE].public_limit = TokenBuckets(10**7, 1.0)  # one client here: no per-IP limit
    for _ in range(10):  # warm up every query first (the database's pages, the WAL after seeding)
        for method, path, params in reads.values():
            await timed(client, method, path, params=params)
    for params in ({"service_code": "phan_anh.roads"}, {"service_code": "phan_anh.roads", "api_key": token}):
        await explain(engine, client, f"{base}/requests.json", params)
    for name, (method, path, params) in reads.items():
        lat, cold = [], []
        for i in range(runs):
            if i % 5 == 0:  # every fifth call with the rendered requests forgotten (a first poll)
                cache.clear()
                ms, status, body = await timed(client, method, path, params=params)
                cold.append(ms)
                continue
            ms, status, body = await timed(client, method, path, params=params)
            assert status == 200, body[:300]
            lat.append(ms)
            sizes[name] = len(body)
        report(name, lat)
        report("  the same, nothing cached", cold)
    counts = {n: s for n, s in sizes.items()}
    print("  response sizes: " + ", ".join(f"{n.split(' ', 1)[1]} {v / 1000:.0f} kB" for n, v in counts.items()))
    lat = []
    for i in range(posts):
        form = {
            "api_key": token,
            "service_code": "phan_anh.roads",
            "description": f"Đèn đường số {i} ở đầu ngõ bị hỏng, buổi tối đi lại rất tối.",
            "address_string": f"Ngõ {i}",
            "attribute[publish]": "true",
        }
        ms, status, body = await timed(client, "POST", f"{base}/requests.json", data=form)
        assert status == 201, body[:300]
        lat.append(ms)
    report("POST requests.json", lat, 0.99)
    await client.close()
    await engine.dispose()


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="100,000 petitions instead of 1,000,000")
    ap.add_argument("--cases", type=int, default=None)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--posts", type=int, default=300)
    ap.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    ap.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_open311")
    )
    args = ap.parse_args()
    total = args.cases or (100_000 if args.quick else 1_000_000)
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            await run(f"sqlite+aiosqlite:///{tmp}/bench.db", total, args.runs, args.posts)
    if args.db in ("postgres", "both"):
        await reset_pg(args.pg_url)
        await run(args.pg_url, total, args.runs, args.posts)


if __name__ == "__main__":
    asyncio.run(main())
