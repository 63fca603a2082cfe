"""Vote benchmark: a commune-wide secret ballot to 40,000 households of one ward.

    .venv/bin/python benchmarks/bench_vote.py [--quick] [--database-url URL] [--delivery-seconds S]

Measures and prints:
- opening: the electorate fixed and 40,000 ballots queued in the opening transaction (seconds);
- delivery: the real ``OutboxSender`` draining the ballots to a recording Telegram channel at
  Telegram's limits (30 msg/s) for ``--delivery-seconds``: achieved rate ÷ 30, and the projected
  time for all ballots at that rate (the whole 40,000 takes ~22 minutes by design of the limit);
- votes: 10,000 ballot-button presses in one minute (167/s, each a task started on schedule)
  through the real dispatcher, while the sender keeps delivering: p50 / p99 / max latency (target
  p99 < 250 ms), errors, votes recorded;
- close: the close transaction at the closing time — tally, sealing 10,000 anonymous ballots,
  results queued to every member and the commune — and the tally query alone (target < 1 s);
- results: rows queued for the result push (one per household representative + commune staff).

SQLite by default (a temporary file); ``--database-url postgresql+asyncpg://…`` for PostgreSQL
(the database is emptied first).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, text  # noqa: E402
from sqlmodel import SQLModel, col, select  # noqa: E402

import storage.tables  # noqa: E402,F401
from bot.config import DEPLOYMENTS_DIR  # noqa: E402
from bot.core.messages import Incoming  # noqa: E402
from bot.dispatch import Dispatcher  # noqa: E402
from bot.outbox import TELEGRAM_LIMITS, OutboxSender  # noqa: E402
from handlers.framework.services import Services  # noqa: E402
from storage import units  # noqa: E402
from storage.db import create_engine, session_factory, utcnow  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

WARD = "13384"


async def prepare(url: str, n: int) -> tuple[object, object, int, int]:
    """n confirmed households spread over the ward's villages, each with one representative on
    Telegram (user id = 30_000_000 + i); an official of the ward."""
    from storage.households.models import Household, HouseholdMember, HouseholdRepresentative
    from storage.people.invites import grant_role
    from storage.people.models import ChannelIdentity, Person

    await upgrade(url)
    engine = create_engine(url)
    factory = session_factory(engine)
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    async with factory() as s:
        await units.load_deployment_units(s, "kim_bang", DEPLOYMENTS_DIR / "kim_bang" / "units.yaml")
        await s.commit()
        ward = await units.by_code(s, WARD)
        assert ward is not None and ward.id is not None
        villages = [v.id for v in await units.villages_of(s, ward.id)]
        now = utcnow()
        base = select(func.coalesce(func.max(Person.id), 0))
        first = int((await s.exec(base)).one()) + 1
        await s.exec(
            insert(Person),
            params=[  # type: ignore[call-overload]
                {
                    "display_name": f"Đại diện {i}",
                    "onboarded_at": now,
                    "consent_given": True,
                    "ward_id": ward.id,
                    "village_id": villages[i % len(villages)],
                    "created_at": now,
                    "locale": "vi",
                }
                for i in range(n)
            ],
        )
        pids = list(await s.exec(select(Person.id).where(col(Person.id) >= first).order_by(col(Person.id))))
        await s.exec(
            insert(ChannelIdentity),
            params=[  # type: ignore[call-overload]
                {
                    "person_id": pid,
                    "channel": "telegram",
                    "external_id": str(30_000_000 + i),
                    "chat_id": str(30_000_000 + i),
                    "unreachable": False,
                    "created_at": now,
                }
                for i, pid in enumerate(pids)
            ],
        )
        await s.exec(
            insert(Household),
            params=[  # type: ignore[call-overload]
                {
                    "village_id": villages[i % len(villages)],
                    "number": str(i),
                    "head_name": f"Chủ hộ {i}",
                    "size": 4,
                    "code": f"HG-B{i:07d}",
                    "status": "confirmed",
                    "source": "import",
                    "created_at": now,
                    "confirmed_at": now,
                }
                for i in range(n)
            ],
        )
        hids = list(await s.exec(select(Household.id).order_by(col(Household.id))))
        await s.exec(
            insert(HouseholdMember),
            params=[  # type: ignore[call-overload]
                {"household_id": h, "person_id": p, "adult": True, "joined_at": now}
                for h, p in zip(hids, pids, strict=True)
            ],
        )
        await s.exec(
            insert(HouseholdRepresentative),
            params=[{"household_id": h, "person_id": p, "since": now} for h, p in zip(hids, pids, strict=True)],  # type: ignore[call-overload]
        )
        official = Person(display_name="Cán bộ", onboarded_at=now, consent_given=True, created_at=now)
        s.add(official)
        await s.flush()
        assert official.id is not None
        s.add(ChannelIdentity(person_id=official.id, channel="telegram", external_id="999", chat_id="999"))
        await grant_role(s, official.id, "official", ward.id, by="bench")
        await s.commit()
        return engine, factory, ward.id, official.id


async def drive_votes(
    svc: Services, did: int, indexes: range, rate: float, start: float
) -> tuple[list[float], int, float]:
    """Press the ballot button of representative ``i`` at ``start + i / rate`` for each index,
    through the real dispatcher; returns latencies (s), errors and the seconds it took."""
    dispatcher = Dispatcher(svc)
    lat: list[float] = []
    errors = 0

    async def one(i: int) -> None:
        nonlocal errors
        await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
        inc = Incoming(
            channel="telegram",
            user_id=str(30_000_000 + i),
            event_id=f"v{i}",
            button=f"vt:{did}:{i % 3 if i % 5 else 1}",
            language_code="vi",
        )
        t = time.perf_counter()
        try:
            replies = await dispatcher.handle(inc)
            if not replies or "Cảm ơn" not in replies[0].text:
                errors += 1
        except Exception as exc:  # counted; the run goes on
            errors += 1
            if errors <= 3:
                print(f"vote {i}: {type(exc).__name__}: {str(exc)[:300]}", file=sys.stderr)
        lat.append(time.perf_counter() - t)

    t0 = time.perf_counter()
    await asyncio.gather(*(one(i) for i in indexes))
    return lat, errors, time.perf_counter() - t0


async def child_main(url: str, did: int, k: int, of: int, votes: int, rate: float, start_wall: float) -> None:
    """A vote driver process: the votes i ≡ k (mod of), at the common schedule."""
    import handlers.features  # noqa: F401

    engine = create_engine(url)
    svc = Services(
        session_factory=session_factory(engine), deployment="kim_bang", deployment_dir=DEPLOYMENTS_DIR / "kim_bang"
    )
    start = time.monotonic() + (start_wall - time.time())
    lat, errors, took = await drive_votes(svc, did, range(k, votes, of), rate, start)
    print(json.dumps({"lat": lat, "errors": errors, "took": took}), flush=True)
    await engine.dispose()


async def _votes_in_children(
    args: argparse.Namespace, url: str, did: int, votes: int, window: float
) -> tuple[list[float], int, float]:
    start_wall = time.time() + 3.0
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--child",
            f"{url},{did},{k},{args.processes},{votes},{votes / window},{start_wall}",
            stdout=asyncio.subprocess.PIPE,
            cwd=str(ROOT),
        )
        for k in range(args.processes)
    ]
    lat: list[float] = []
    errors, took = 0, 0.0
    for p in procs:
        out, _ = await p.communicate()
        res = json.loads(out.decode().strip().splitlines()[-1])
        lat += res["lat"]
        errors += res["errors"]
        took = max(took, res["took"])
    return lat, errors, took


class RecordingTelegram:
    """A channel that records each send, paced by the sender's Telegram limits (no network)."""

    name = "telegram"

    def __init__(self) -> None:
        self.times: list[float] = []

    async def send(self, recipient: str, reply: object, delivery: object = None) -> None:
        await asyncio.sleep(0.005)  # a fast Bot API round trip
        self.times.append(time.monotonic())


async def main(args: argparse.Namespace) -> None:
    import handlers.features  # noqa: F401  (connects every feature's receivers)
    from storage.decisions import closing, services
    from storage.decisions.config import decision_config
    from storage.decisions.models import Decision, DecisionTurnout
    from storage.outbox.models import OutboxMessage
    from storage.people.models import Person

    n = 4000 if args.quick else 40_000
    votes = 1000 if args.quick else 10_000
    window = votes / (args.votes_per_minute / 60)
    tmp = Path(tempfile.mkdtemp(prefix="bench-vote-"))
    url = args.database_url or f"sqlite+aiosqlite:///{tmp / 'vote.db'}"
    t0 = time.perf_counter()
    engine, factory, ward_id, official_id = await prepare(url, n)
    print(f"database: {url.split('://')[0]}; {n:,} households prepared in {time.perf_counter() - t0:.1f} s")
    cfg = decision_config(DEPLOYMENTS_DIR / "kim_bang")
    svc = Services(session_factory=factory, deployment="kim_bang", deployment_dir=DEPLOYMENTS_DIR / "kim_bang")  # type: ignore[arg-type]

    # --- opening: electorate + ballots queued -------------------------------------------------
    now = utcnow()
    async with factory() as s:  # type: ignore[operator]
        from storage.people.models import RoleGrant

        official = await s.get(Person, official_id)
        grants = list(await s.exec(select(RoleGrant).where(RoleGrant.person_id == official_id)))
        t0 = time.perf_counter()
        d = await services.create(
            s,
            official,
            grants,
            cfg.rules,
            unit_id=ward_id,
            question="Thông qua quy ước về giữ gìn vệ sinh môi trường của phường?",
            art15="convention",
            method="ballot",
            options=["Agree", "Disagree", "Abstain"],
            yes_no=True,
            secret=True,
            closes_at=now + timedelta(days=2),
            now=now,
        )
        await s.commit()
        open_s = time.perf_counter() - t0
        did = d.id
        ballots = (
            await s.exec(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "ballot"))
        ).one()
    print(f"opening: {d.eligible:,} households in the electorate, {ballots:,} ballots queued in {open_s:.2f} s")

    # --- delivery at the channel's rate, while the votes come in ------------------------------------
    channel = RecordingTelegram()
    sender = OutboxSender(factory, {"telegram": channel}, idle_wait=0.2, limits={"telegram": TELEGRAM_LIMITS})  # type: ignore[dict-item,arg-type]
    if not args.no_sender:
        await sender.start()
    if args.processes > 1:
        lat, errors, took = await _votes_in_children(args, url, did, votes, window)
    else:
        lat, errors, took = await drive_votes(svc, did, range(votes), votes / window, time.monotonic() + 0.5)
    delivered_during = len(channel.times)
    if args.delivery_seconds > 0:
        await asyncio.sleep(args.delivery_seconds)
    if not args.no_sender:
        await sender.stop()
    ts = channel.times
    drate = (len(ts) - 1) / (ts[-1] - ts[0]) if len(ts) > 1 else 0.0
    rate = votes / window
    lat.sort()
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    async with factory() as s:  # type: ignore[operator]
        recorded = (
            await s.exec(select(func.count()).select_from(DecisionTurnout).where(DecisionTurnout.decision_id == did))
        ).one()
    print(
        f"votes: {votes:,} in {took:.1f} s ({votes / took:.0f}/s offered {rate:.0f}/s); "
        f"p50 {p(0.5):.0f} ms, p99 {p(0.99):.0f} ms, max {lat[-1] * 1000:.0f} ms (target p99 < 250 ms); "
        f"errors {errors}; recorded {recorded:,}; mean {statistics.mean(lat) * 1000:.0f} ms"
    )
    print(
        f"delivery: {len(ts):,} ballots sent ({delivered_during:,} while voting), {drate:.1f} msg/s = "
        f"{drate / 30:.2f} × Telegram's 30/s; all {ballots:,} at this rate: {ballots / max(drate, 0.001) / 60:.1f} min"
    )

    # --- the close ---------------------------------------------------------------------------
    async with factory() as s:  # type: ignore[operator]
        d = await s.get(Decision, did)
        assert d is not None
        t0 = time.perf_counter()
        counts = await closing.counts_of(s, d)
        tally_s = time.perf_counter() - t0
    async with factory() as s:  # type: ignore[operator]
        t0 = time.perf_counter()
        assert await closing.close(s, did, cfg, now=d.closes_at)
        await s.commit()
        close_s = time.perf_counter() - t0
        d = await s.get(Decision, did)
        results = (
            await s.exec(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "result"))
        ).one()
    print(
        f"close: tally query {tally_s * 1000:.0f} ms (target < 1 s) → {counts}; whole close (tally, "
        f"{sum(counts):,} ballots sealed, results queued) {close_s:.2f} s; result {d.result}"
    )
    print(f"results: {results:,} pushes queued (every household's members + the commune's staff + the opener)")
    await engine.dispose()  # type: ignore[attr-defined]


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="4,000 households and 1,000 votes")
    ap.add_argument("--database-url", help="a PostgreSQL URL (emptied first); default a temporary SQLite file")
    ap.add_argument("--votes-per-minute", type=float, default=10_000, help="the rate votes are offered at")
    ap.add_argument("--processes", type=int, default=1, help="vote-driving processes, each with its own dispatcher")
    ap.add_argument("--no-sender", action="store_true", help="measure the votes alone, without delivering ballots")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--delivery-seconds", type=float, default=10.0, help="keep delivering this long after the votes")
    a = ap.parse_args()
    if a.child:
        u, d_, k_, of_, v_, r_, w_ = a.child.rsplit(",", 6)
        asyncio.run(child_main(u, int(d_), int(k_), int(of_), int(v_), float(r_), float(w_)))
    else:
        asyncio.run(main(a))
