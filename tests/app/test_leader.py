"""With several processes on PostgreSQL, one runs the scheduled jobs (a session advisory lock); when
it stops or its database session dies, another takes over within seconds."""

from __future__ import annotations

import asyncio
import os
import random

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.leader import Leader
from bot.scheduler import Scheduler
from handlers.features import APP
from tests.world import World

PG = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not PG.startswith("postgresql"), reason="leader election uses PostgreSQL's locks")


async def _until(cond, seconds: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.05)):
        if cond():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached in time")


def _schedulers(world: World, engine: AsyncEngine, n: int) -> list[Scheduler]:
    key = random.randrange(1, 2**40)  # this test's own lock, whatever else runs on the server
    return [Scheduler(world.services, APP.jobs, leader=Leader(engine, key=key, retry=0.1)) for _ in range(n)]


async def test_one_of_four_runs_the_jobs_and_another_takes_over(world: World, engine: AsyncEngine) -> None:
    scheds = _schedulers(world, engine, 4)
    for s in scheds:
        await s.start()
    try:
        await _until(lambda: sum(s.running for s in scheds) == 1)
        await asyncio.sleep(0.5)  # several election rounds later: still exactly one
        assert sum(s.running for s in scheds) == 1
        first = next(s for s in scheds if s.running)
        assert {j.id for j in first.scheduler.get_jobs()} == {j.name for j in APP.jobs} | {"app.prune_processed"}
        await first.stop()  # a clean stop releases the lock
        await _until(lambda: sum(s.running for s in scheds if s is not first) == 1)
        second = next(s for s in scheds if s is not first and s.running)
        # The leader's database session dies (a crashed process): PostgreSQL frees its lock.
        admin = create_async_engine(PG, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND objid = :lo AND classid = :hi"
                ),
                {"lo": second.leader.key & 0xFFFFFFFF, "hi": second.leader.key >> 32},  # type: ignore[union-attr]
            )
        await admin.dispose()
        await _until(lambda: not second.running)
        await _until(lambda: sum(s.running for s in scheds if s not in (first, second)) == 1)
    finally:
        for s in scheds:
            await s.stop()
