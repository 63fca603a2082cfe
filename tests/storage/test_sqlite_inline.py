"""SQLite statements run on the loop's thread, and waiting for another writer does not stop the loop."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from storage.db import create_engine


async def _table(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (n INTEGER)"))
    await engine.dispose()


async def test_a_writer_waits_for_the_other_without_stopping_the_loop(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'two.db'}"
    await _table(url)
    first, second = create_engine(url), create_engine(url)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def write(engine: object, n: int) -> float:
        async with engine.begin() as conn:  # type: ignore[attr-defined]
            await conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
        return time.monotonic()

    tick = asyncio.create_task(ticker())
    try:
        async with first.begin() as conn:  # holds SQLite's write lock (BEGIN IMMEDIATE)
            await conn.execute(text("INSERT INTO t VALUES (1)"))
            waiting = asyncio.create_task(write(second, 2))
            await asyncio.sleep(0.3)
            assert not waiting.done()
            released = time.monotonic()
        done_at = await asyncio.wait_for(waiting, 5)
        assert done_at >= released
        assert ticks >= 15  # the loop ran while the second writer waited
        async with second.connect() as conn:
            assert (await conn.execute(text("SELECT n FROM t ORDER BY n"))).scalars().all() == [1, 2]
    finally:
        tick.cancel()
        await first.dispose()
        await second.dispose()


async def test_a_writer_gives_up_after_the_timeout_with_sqlites_error(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'busy.db'}"
    await _table(url)
    first = create_engine(url)
    second = create_engine(url, connect_args={"timeout": 0.2})
    try:
        async with first.begin() as conn:
            await conn.execute(text("INSERT INTO t VALUES (1)"))
            t0 = time.monotonic()
            with pytest.raises(OperationalError, match="database is locked"):
                async with second.begin() as other:
                    await other.execute(text("INSERT INTO t VALUES (2)"))
            assert 0.2 <= time.monotonic() - t0 < 2
    finally:
        await first.dispose()
        await second.dispose()


async def test_no_worker_thread_is_started(tmp_path: Path) -> None:
    import threading

    before = {t.ident for t in threading.enumerate()}
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'thread.db'}")
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT 41 + 1"))).scalar() == 42
        assert {t.ident for t in threading.enumerate()} == before
    await engine.dispose()
