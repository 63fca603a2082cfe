"""The outbox sender: drains queued messages per channel and records what happened to each.

Rows are claimed before sending (``status='sending'``, ``claimed_by``) so that several senders never
send the same row; on PostgreSQL the claim uses ``FOR UPDATE SKIP LOCKED``. A crash leaves claimed
rows behind; they are released after ``claim_timeout`` and sent again (at most the in-flight ones
go twice). The channel's ``send`` raises ``RetryLater`` (pause every send on that channel),
``Unreachable`` (stop sending to that person) or ``TransientError`` (retry with backoff).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy import or_, update
from sqlmodel import col, select

from bot.channels.base import Channel
from bot.errors import RetryLater, TransientError, Unreachable
from storage.db import SessionFactory, utcnow
from storage.models import ChannelIdentity, OutboxMessage
from storage.outbox import reply_of

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


class OutboxSender:
    """One sender per process; one drain task per channel."""

    def __init__(self, session_factory: SessionFactory, channels: Mapping[str, Channel], *, batch: int = 50,
                 idle_wait: float = 1.0, claim_timeout: timedelta = timedelta(minutes=5)) -> None:
        self.factory = session_factory
        self.channels = dict(channels)
        self.batch = batch
        self.idle_wait = idle_wait
        self.claim_timeout = claim_timeout
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    def wake(self) -> None:
        """Something was queued: drain now instead of waiting for the next poll."""
        self._wake.set()

    async def start(self) -> None:
        for name in self.channels:
            self._tasks.append(asyncio.create_task(self._run(name), name=f"outbox-{name}"))

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def _run(self, channel: str) -> None:
        while not self._stopping:
            try:
                sent = await self.drain_once(channel)
            except Exception:
                log.exception("outbox drain failed on %s", channel)
                sent = 0
            if sent == 0:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), self.idle_wait)
                except TimeoutError:
                    pass

    async def claim(self, channel: str) -> list[OutboxMessage]:
        now = utcnow()
        stale = now - self.claim_timeout
        async with self.factory() as s:
            q = (select(OutboxMessage)
                 .where(OutboxMessage.channel == channel,
                        or_(col(OutboxMessage.status) == "queued",
                            (col(OutboxMessage.status) == "sending") & (col(OutboxMessage.claimed_at) < stale)),
                        col(OutboxMessage.not_before) <= now)
                 .order_by(col(OutboxMessage.priority), col(OutboxMessage.id))
                 .limit(self.batch))
            if s.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
                q = q.with_for_update(skip_locked=True)
            rows = list(await s.exec(q))
            for r in rows:
                r.status, r.claimed_by, r.claimed_at = "sending", self.worker_id, now
                r.attempts += 1
            await s.commit()
            return rows

    async def drain_once(self, channel: str) -> int:
        """Send one batch; returns how many rows were handled."""
        rows = await self.claim(channel)
        ch = self.channels[channel]
        for i, row in enumerate(rows):
            try:
                await ch.send(row.recipient, reply_of(row))
            except RetryLater as exc:
                await self._release(rows[i:], delay=exc.retry_after, error=str(exc), count_attempt=False)
                await asyncio.sleep(exc.retry_after)
                return i
            except Unreachable as exc:
                await self._finish(row, "unreachable", str(exc))
                await self._mark_unreachable(row)
            except TransientError as exc:
                await self._retry(row, str(exc))
            except Exception as exc:  # a bug or an unexpected answer: keep the row, back off
                log.exception("sending outbox row %s failed", row.id)
                await self._retry(row, repr(exc)[:400])
            else:
                await self._finish(row, "sent", None)
        return len(rows)

    async def _finish(self, row: OutboxMessage, status: str, error: str | None) -> None:
        async with self.factory() as s:
            await s.exec(update(OutboxMessage).where(col(OutboxMessage.id) == row.id).values(  # type: ignore[call-overload]
                status=status, sent_at=utcnow() if status == "sent" else None, last_error=error, claimed_by=None))
            await s.commit()

    async def _retry(self, row: OutboxMessage, error: str) -> None:
        if row.attempts >= MAX_ATTEMPTS:
            await self._finish(row, "failed", error)
            return
        delay = min(2 ** row.attempts, 600)
        await self._release([row], delay=delay, error=error, count_attempt=True)

    async def _release(self, rows: list[OutboxMessage], *, delay: float, error: str, count_attempt: bool) -> None:
        ids = [r.id for r in rows]
        values: dict[str, object] = {"status": "queued", "claimed_by": None, "last_error": error[:500],
                                     "not_before": utcnow() + timedelta(seconds=delay)}
        if not count_attempt:
            values["attempts"] = OutboxMessage.attempts - 1  # type: ignore[operator]
        async with self.factory() as s:
            await s.exec(update(OutboxMessage).where(col(OutboxMessage.id).in_(ids)).values(**values))  # type: ignore[call-overload]
            await s.commit()

    async def _mark_unreachable(self, row: OutboxMessage) -> None:
        async with self.factory() as s:
            await s.exec(update(ChannelIdentity).where(  # type: ignore[call-overload]
                col(ChannelIdentity.channel) == row.channel, col(ChannelIdentity.chat_id) == row.recipient
            ).values(unreachable=True))
            await s.exec(update(OutboxMessage).where(  # type: ignore[call-overload]
                col(OutboxMessage.channel) == row.channel, col(OutboxMessage.recipient) == row.recipient,
                col(OutboxMessage.status) == "queued").values(status="unreachable"))
            await s.commit()
