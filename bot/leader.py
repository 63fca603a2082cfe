"""One process runs the scheduled jobs: leader election with a PostgreSQL session advisory lock.

Every ``loalang run`` process campaigns: it tries ``pg_try_advisory_lock`` on a connection of its
own (outside the pool) every ``retry`` seconds. The holder is the leader and runs the jobs; it checks
its connection every ``retry`` seconds and steps down when the connection is gone. When the leader
dies, PostgreSQL ends its session and frees the lock, so another process takes over within about
``retry`` seconds. The jobs' dedupe keys still guard the moment of a hand-over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)
JOBS_LOCK_KEY = 0x4C6F614A6F6273  # "LoaJobs"
SEND_LOCK_KEY = 0x4C6F6153656E64  # "LoaSend": the one process that sends on rate-limited channels


class Leader:
    """``await leader.campaign(on_elected, on_lost)`` runs until cancelled."""

    def __init__(self, engine: AsyncEngine, *, key: int = JOBS_LOCK_KEY, retry: float = 5.0) -> None:
        self._engine = create_async_engine(engine.url, poolclass=NullPool)
        self.key = key
        self.retry = retry
        self.is_leader = False
        self._conn: AsyncConnection | None = None

    async def campaign(self, on_elected: Callable[[], Awaitable[None]], on_lost: Callable[[], Awaitable[None]]) -> None:
        try:
            while True:
                if await self._try_lock():
                    self.is_leader = True
                    log.info("this process now holds lock %x", self.key)
                    await on_elected()
                    await self._hold()
                    self.is_leader = False
                    log.warning("lost lock %x; another process takes over", self.key)
                    await on_lost()
                await asyncio.sleep(self.retry)
        finally:
            self.is_leader = False
            await self._release()

    async def _try_lock(self) -> bool:
        try:
            conn = await self._engine.connect()
            got = (await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key})).scalar_one()
            await conn.commit()
        except Exception:
            log.warning("scheduler lock: database unavailable", exc_info=True)
            return False
        if got:
            self._conn = conn
            return True
        await conn.close()
        return False

    async def _hold(self) -> None:
        """Return when the lock's connection is gone (the lock with it)."""
        assert self._conn is not None
        while True:
            await asyncio.sleep(self.retry)
            try:
                await self._conn.execute(text("SELECT 1"))
                await self._conn.commit()
            except Exception:
                with contextlib.suppress(Exception):
                    await self._conn.close()
                self._conn = None
                return

    async def _release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                await self._conn.commit()
                await self._conn.close()
            self._conn = None
        await self._engine.dispose()
