"""aiosqlite's interface, run on the event loop's own thread instead of a worker thread.

aiosqlite hands every call (execute, fetch, close the cursor, commit) to a thread and wakes the
event loop with the answer. A statement on a local SQLite file takes microseconds; the two
hand-offs and the GIL passing between the threads took far longer, and on SQLite the one connection
is held meanwhile. ``benchmarks/bench_inbound.py`` measured 92 updates/s with the thread and 198
without, at half the CPU per update.

What the thread did give is waiting without blocking: when another connection (the CLI in another
process, a second engine in tests) holds the write lock, SQLite's busy handler would sleep with the
loop stopped. So the busy timeout of these connections is 0, and a "database is locked" answer is
retried here with ``asyncio.sleep`` until ``timeout`` seconds have passed: the statement did not
run (SQLite returns SQLITE_BUSY before it changes anything), so running it again is what SQLite's
own busy handler does.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import types
from collections.abc import Callable
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_dbapi

__all__ = ["InlineConnection", "dbapi"]

_FIRST_WAIT, _MAX_WAIT = 0.001, 0.05


class _RunNow:
    """Stands in for aiosqlite's queue to the worker thread: runs each call when it is queued."""

    @staticmethod
    def put_nowait(item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:
            if future is not None and not future.done():
                future.set_exception(exc)
            return
        if future is not None and not future.done():
            future.set_result(result)


def _busy(exc: BaseException) -> bool:
    """SQLITE_BUSY, or one of its extended codes (recovery, snapshot, timeout)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(exc, sqlite3.OperationalError) and isinstance(code, int) and code & 0xFF == sqlite3.SQLITE_BUSY


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection without its thread (see the module's docstring)."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int, timeout: float) -> None:
        super().__init__(connector, iter_chunk_size)
        self._tx = _RunNow()  # type: ignore[assignment]
        self._busy_timeout = timeout

    def __await__(self) -> Any:
        return self._connect().__await__()

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise
        deadline, wait = time.monotonic() + self._busy_timeout, _FIRST_WAIT
        while True:
            await asyncio.sleep(wait)
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or time.monotonic() >= deadline:
                    raise
            wait = min(wait * 2, _MAX_WAIT)


def _connect(database: str, *, iter_chunk_size: int = 64, timeout: float = 30.0, **kwargs: Any) -> InlineConnection:
    def connector() -> sqlite3.Connection:
        # No busy wait inside SQLite: InlineConnection waits, with the loop running.
        conn: sqlite3.Connection = sqlite3.connect(database, timeout=0, **kwargs)
        return conn

    return InlineConnection(connector, iter_chunk_size, timeout)


def dbapi() -> AsyncAdapt_aiosqlite_dbapi:
    """The DBAPI for SQLAlchemy's aiosqlite dialect (``create_async_engine(..., module=dbapi())``)."""
    module = types.ModuleType("loalang_aiosqlite_inline")
    module.__dict__.update({k: v for k, v in vars(aiosqlite).items() if not k.startswith("__")})
    module.connect = _connect  # type: ignore[attr-defined]
    module.Connection = InlineConnection  # type: ignore[attr-defined]
    return AsyncAdapt_aiosqlite_dbapi(module, sqlite3)
