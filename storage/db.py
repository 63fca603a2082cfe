"""Async engine and session factory for SQLite (embedded default) and PostgreSQL (scale path)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import sqlite_inline

SessionFactory = async_sessionmaker[AsyncSession]


def utcnow() -> datetime:
    """Aware UTC 'now'. SQLModel's UTCDateTime columns store and return aware UTC on both databases."""
    return datetime.now(UTC)


def _sqlite_path(url: str) -> Path | None:
    rest = url.split(":///", 1)[1] if ":///" in url else ""
    if not rest or rest.startswith(":memory:"):
        return None
    return Path(rest.split("?", 1)[0])


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    """Create the engine; SQLite gets WAL, a busy timeout and foreign keys on every connection."""
    if database_url.startswith("sqlite"):
        path = _sqlite_path(database_url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        # One connection per process: SQLite admits one writer at a time anyway, and waiting in the
        # pool's queue is fair and immediate, whereas SQLite's own busy handler sleeps in growing steps
        # (up to 100 ms) and made latency spiky under load. Nested sessions must therefore not be held
        # open at the same time in one task.
        kwargs["pool_size"], kwargs["max_overflow"] = 1, 0  # whatever the PostgreSQL pool settings say
        kwargs.setdefault("pool_timeout", 60)
        # Statements run on the loop's thread (storage.sqlite_inline); ``timeout`` is how long a
        # statement waits, without blocking the loop, while another connection holds the write lock.
        kwargs.setdefault("module", sqlite_inline.dbapi())
        connect_args = {"timeout": 30, **kwargs.pop("connect_args", {})}
        engine = create_async_engine(database_url, connect_args=connect_args, poolclass=AsyncAdaptedQueuePool, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # We issue BEGIN ourselves (below), so the driver must not.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Any) -> None:
            # Take the write lock up front: a deferred transaction that reads and then writes can
            # fail at once with "database is locked" instead of waiting for the busy timeout.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(database_url, **kwargs)


def session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def transaction(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any error."""
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


async def ping(engine: AsyncEngine) -> bool:
    """True when the database answers a trivial query."""
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
