"""Web chat history: every message a browser should see is stored before it is pushed, so a
reconnect (or a reload) replays what was missed and nothing is lost.

Writes go through ``HistoryWriter``, which commits whatever accumulated while the previous commit
ran in one transaction ("group commit"): under load, one SQLite write lock per batch instead of
one per message.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from storage.channels.webchat import WebChatMessage
from storage.db import SessionFactory, utcnow

log = logging.getLogger(__name__)
REPLAY_LIMIT = 200


@dataclass(frozen=True)
class Stored:
    id: int
    browser_id: str
    direction: str
    client_id: str | None
    payload: dict[str, Any]
    created_at: datetime


def _stored(m: WebChatMessage) -> Stored:
    assert m.id is not None
    return Stored(m.id, m.browser_id, m.direction, m.client_id, m.payload, m.created_at)


class HistoryWriter:
    """Stores messages in batches; ``add`` returns once its rows are committed."""

    def __init__(self, factory: SessionFactory, max_batch: int = 500, gate: asyncio.Semaphore | None = None) -> None:
        self.factory = factory
        self.gate = gate or asyncio.Semaphore(1)
        self.max_batch = max_batch
        self._queue: asyncio.Queue[tuple[list[WebChatMessage], asyncio.Future[list[Stored]]]] | None = None
        self._task: asyncio.Task[None] | None = None

    async def add(self, rows: list[WebChatMessage]) -> list[Stored]:
        if not rows:
            return []
        if self._queue is None:
            self._queue = asyncio.Queue()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="webchat-history")
        fut: asyncio.Future[list[Stored]] = asyncio.get_running_loop().create_future()
        await self._queue.put((rows, fut))
        return await fut

    async def _run(self) -> None:
        assert self._queue is not None
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty() and sum(len(r) for r, _ in batch) < self.max_batch:
                batch.append(self._queue.get_nowait())
            try:
                async with self.gate, self.factory() as s:
                    for rows, _ in batch:
                        s.add_all(rows)
                    await s.commit()
                for rows, fut in batch:
                    if not fut.done():
                        fut.set_result([_stored(r) for r in rows])
            except Exception as exc:  # each caller sees the failure; the writer keeps going
                log.exception("storing web chat history failed")
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None


def outgoing(browser_id: str, payload: dict[str, Any], now: datetime | None = None) -> WebChatMessage:
    return WebChatMessage(browser_id=browser_id, direction="out", payload=payload, created_at=now or utcnow())


def incoming(browser_id: str, client_id: str | None, text: str, now: datetime | None = None) -> WebChatMessage:
    return WebChatMessage(
        browser_id=browser_id, direction="in", client_id=client_id, payload={"text": text}, created_at=now or utcnow()
    )


async def replay(factory: SessionFactory, browser_id: str, after: int) -> list[Stored]:
    """Messages after id ``after`` (oldest first; at most the newest ``REPLAY_LIMIT``)."""
    async with factory() as s:
        q = (
            select(WebChatMessage)
            .where(WebChatMessage.browser_id == browser_id, col(WebChatMessage.id) > after)
            .order_by(col(WebChatMessage.id).desc())
            .limit(REPLAY_LIMIT)
        )
        rows = list(await s.exec(q))
    return [_stored(m) for m in reversed(rows)]


async def by_ids(factory: SessionFactory, browser_id: str, ids: list[int]) -> list[Stored]:
    """These stored messages of ``browser_id`` (oldest first): another worker stored them."""
    async with factory() as s:
        q = (
            select(WebChatMessage)
            .where(WebChatMessage.browser_id == browser_id, col(WebChatMessage.id).in_(ids))
            .order_by(col(WebChatMessage.id))
        )
        return [_stored(m) for m in await s.exec(q)]
