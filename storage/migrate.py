"""Apply Alembic migrations programmatically (at start, from the CLI and in tests), one process at a
time: ``startup_lock`` serialises the start-up work of processes that share a PostgreSQL database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
STARTUP_LOCK_KEY = 0x4C6F614C616E67  # "LoaLang": the advisory lock every process takes to migrate


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url)
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(MIGRATIONS_DIR / "versions"))
    return cfg


def upgrade_sync(database_url: str, revision: str = "heads") -> None:
    """Upgrade to every head (feature branches of the migration tree all apply)."""
    command.upgrade(alembic_config(database_url), revision)


async def upgrade(database_url: str, revision: str = "heads") -> None:
    """Same as ``upgrade_sync`` from async code (Alembic's env runs its own event loop in a thread)."""
    await asyncio.to_thread(upgrade_sync, database_url, revision)


@asynccontextmanager
async def startup_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """Hold PostgreSQL's session advisory lock ``STARTUP_LOCK_KEY`` for the block: a second process
    starting at the same moment waits, then finds the schema and the data already there. On SQLite
    (one process, one writer) it does nothing."""
    if engine.dialect.name != "postgresql":
        yield
        return
    # Its own connection, outside the pool: the work inside the block needs the pool's connections.
    lock_engine = create_async_engine(engine.url, poolclass=NullPool)
    async with lock_engine.connect() as conn:
        await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
        await conn.commit()
        try:
            yield
        finally:
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY})
            await conn.commit()
    await lock_engine.dispose()
