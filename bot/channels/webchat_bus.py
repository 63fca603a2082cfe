"""Web chat pushes across worker processes: PostgreSQL LISTEN/NOTIFY.

A browser's socket is held by one ``loalang run`` process, but the reply or push for that person may
be stored by another (the outbox sender, a second tab on another worker). Every message is stored in
``webchat_message`` first; the process that stored it then announces ``(browser, ids)`` on the
``loalang_webchat`` channel, and each process holding a socket of that browser reads those rows and
pushes them. A lost notification costs nothing but immediacy: the browser's next ``hello`` (reload,
reconnect) replays from the history. On SQLite there is one process and no bus.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import asyncpg  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

__all__ = ["CHANNEL", "PgPushBus", "asyncpg_dsn"]

CHANNEL = "loalang_webchat"
Handler = Callable[[str, list[int]], Coroutine[Any, Any, None]]


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    """``postgresql+asyncpg://…`` as asyncpg's own ``connect`` wants it."""
    return "postgresql://" + sqlalchemy_url.split("://", 1)[1]


class PgPushBus:
    """One asyncpg connection per process, listening; ``publish`` notifies through it."""

    def __init__(self, dsn: str, *, retry: float = 2.0) -> None:
        self.dsn = dsn
        self.retry = retry
        self._conn: Any = None
        self._lock = asyncio.Lock()
        self._handler: Handler | None = None
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, handler: Handler) -> None:
        self._handler = handler
        self._task = asyncio.create_task(self._keep_listening(), name="webchat-bus")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._connected.wait(), 5.0)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self._close()

    async def publish(self, browser_id: str, ids: Sequence[int]) -> None:
        """Tell the other processes that these rows of ``browser_id`` are stored (best effort)."""
        if not ids or self._conn is None:
            return
        payload = json.dumps({"b": browser_id, "ids": list(ids)})
        try:
            async with self._lock:
                await self._conn.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)
        except Exception:
            log.warning("web chat: could not announce a push to other workers", exc_info=True)

    async def _keep_listening(self) -> None:
        while True:
            try:
                conn = await asyncpg.connect(self.dsn)
                await conn.add_listener(CHANNEL, self._on_notify)
                self._conn = conn
                self._connected.set()
                while not conn.is_closed():
                    await asyncio.sleep(self.retry)
                    async with self._lock:
                        await conn.execute("SELECT 1")
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("web chat: listening for other workers' pushes failed; retrying", exc_info=True)
            await self._close()
            await asyncio.sleep(self.retry)

    def _on_notify(self, conn: Any, pid: int, channel: str, payload: str) -> None:
        if pid == conn.get_server_pid() or self._handler is None:
            return  # our own announcement: this process pushed to its sockets already
        try:
            data = json.loads(payload)
            browser_id, ids = str(data["b"]), [int(i) for i in data["ids"]]
        except (ValueError, KeyError, TypeError):
            return
        task: asyncio.Task[None] = asyncio.create_task(self._handler(browser_id, ids))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        self._connected.clear()
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()
