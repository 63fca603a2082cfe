"""The outbox sender: drains queued messages per channel at the platform's rate limit.

Rows are claimed before sending (``status='sending'``, ``claimed_by``, ``claimed_at``) so several
senders never send the same row; on PostgreSQL the claim uses ``FOR UPDATE SKIP LOCKED`` and any
number of processes may drain; on SQLite run one sender. Each row's outcome is committed right
after its send, so a crash (even ``kill -9``) can only make the one message in flight go twice:
claimed rows of a dead sender are released at the next start (same host, process gone) or after
``claim_timeout`` (another host).

The channel's ``send`` raises ``RetryLater`` (pause every send on that channel), ``Unreachable``
(stop sending to that person), ``Waiting`` (keep the row until the person writes again) or
``TransientError`` (retry with backoff). Limits per channel come from ``RateLimits``: a channel may
expose a ``rate_limits`` attribute, else ``DEFAULT_LIMITS`` by channel name applies.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import col, select

from bot.channels.base import Channel, Delivery, RateLimits
from bot.core.errors import ChannelError, RetryLater, TransientError, Unreachable, Waiting
from storage.db import SessionFactory, utcnow
from storage.outbox.models import OutboxMessage
from storage.outbox.services import reply_of
from storage.people.models import ChannelIdentity

__all__ = ["DEFAULT_LIMITS", "OutboxSender", "RateLimiter", "RateLimits", "delivery_of", "limits_for"]

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
_LIVE_WORKERS: set[str] = set()  # senders running in this process (to tell dead claims from live ones)


TELEGRAM_LIMITS = RateLimits()
UNLIMITED = RateLimits(per_second=10_000, per_chat_interval=0.0, group_per_minute=1_000_000, margin=0.0)
DEFAULT_LIMITS: dict[str, RateLimits] = {
    "telegram": TELEGRAM_LIMITS,
    "zalo": RateLimits(per_second=10.0, per_chat_interval=0.5, group_per_minute=60),
    "web": UNLIMITED,
}


def delivery_of(row: OutboxMessage) -> Delivery:
    """The facts of a row a channel may need besides its Reply (Zalo's quota counts by kind)."""
    return Delivery(kind=row.kind, person_id=row.person_id, outbox_id=row.id)


def limits_for(name: str, channel: Channel | None = None) -> RateLimits:
    own = getattr(channel, "rate_limits", None)
    if isinstance(own, RateLimits):
        return own
    return DEFAULT_LIMITS.get(name, TELEGRAM_LIMITS)


class RateLimiter:
    """Sliding windows over *completion* times of sends.

    A send starts only when the ``N``-th previous one finished more than a window ago, so the
    platform (which counts on arrival, between our start and our completion) never sees more than
    ``N`` in a window, whatever the network latency."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        if limits.per_second >= 1:
            n, self.span = int(limits.per_second), 1.0
        else:
            n, self.span = 1, 1.0 / max(limits.per_second, 1e-6)
        self.window: deque[float] = deque(maxlen=n)
        self.chat_last: dict[str, float] = {}
        self.groups: dict[str, deque[float]] = {}

    def chat_delay(self, recipient: str) -> float:
        """Seconds before ``recipient`` may get another message (0 when now)."""
        lim, now = self.limits, self.clock()
        if lim.is_group(recipient):
            dq = self.groups.get(recipient)
            if dq and len(dq) >= lim.group_per_minute:
                return max(0.0, dq[0] + 60.0 + lim.margin - now)
            return 0.0
        last = self.chat_last.get(recipient)
        return 0.0 if last is None else max(0.0, last + lim.per_chat_interval + lim.margin - now)

    def global_delay(self) -> float:
        if len(self.window) < (self.window.maxlen or 1):
            return 0.0
        return max(0.0, self.window[0] + self.span + self.limits.margin - self.clock())

    async def acquire(self) -> None:
        while (d := self.global_delay()) > 0:
            await asyncio.sleep(d)

    def record(self, recipient: str) -> None:
        now = self.clock()
        self.window.append(now)
        if self.limits.is_group(recipient):
            dq = self.groups.setdefault(recipient, deque(maxlen=max(1, self.limits.group_per_minute)))
            dq.append(now)
        else:
            self.chat_last[recipient] = now
            if len(self.chat_last) > 5000:  # keep memory flat during big broadcasts
                cutoff = now - self.limits.per_chat_interval - 1.0
                self.chat_last = {k: v for k, v in self.chat_last.items() if v > cutoff}


def _worker_alive(worker: str) -> bool:
    """False when ``worker`` ran on this host and its process (or sender) is gone."""
    host, _, rest = worker.partition(":")
    if host != _HOST:
        return True  # cannot tell: rely on the claim timeout
    pid_s = rest.split(":", 1)[0]
    if not pid_s.isdigit():
        return True
    pid = int(pid_s)
    if pid == os.getpid():
        return worker in _LIVE_WORKERS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_HOST = socket.gethostname()[:30]


class OutboxSender:
    """One sender per process; one drain task per channel."""

    def __init__(
        self,
        session_factory: SessionFactory,
        channels: Mapping[str, Channel],
        *,
        batch: int = 50,
        idle_wait: float = 0.5,
        claim_timeout: timedelta = timedelta(minutes=2),
        limits: Mapping[str, RateLimits] | None = None,
        backoff_base: float = 1.0,
    ) -> None:
        self.factory = session_factory
        self.channels = dict(channels)
        self.batch = batch
        self.idle_wait = idle_wait
        self.claim_timeout = claim_timeout
        self.backoff_base = backoff_base
        self.max_unrecorded = 2
        self.worker_id = f"{_HOST}:{os.getpid()}:{id(self):x}"[:64]
        self.limiters = {
            name: RateLimiter((limits or {}).get(name) or limits_for(name, ch)) for name, ch in self.channels.items()
        }
        self.paused_until: dict[str, float] = {}
        self.stats: dict[str, Counter[str]] = {name: Counter() for name in self.channels}
        self._wake = {name: asyncio.Event() for name in self.channels}
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    def wake(self) -> None:
        """Something was queued: drain now instead of waiting for the next poll."""
        for ev in self._wake.values():
            ev.set()

    async def start(self) -> None:
        self._stopping = False
        _LIVE_WORKERS.add(self.worker_id)
        await self.recover()
        for name in self.channels:
            self._tasks.append(asyncio.create_task(self._run(name), name=f"outbox-{name}"))

    async def stop(self, timeout: float = 10.0) -> None:
        """Finish the message in flight, hand back the rest of the batch, stop."""
        self._stopping = True
        self.wake()
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=timeout)
            for t in pending:
                t.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        _LIVE_WORKERS.discard(self.worker_id)
        async with self.factory() as s:
            await s.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.status) == "sending", col(OutboxMessage.claimed_by) == self.worker_id)
                .values(status="queued", claimed_by=None)
            )
            await s.commit()

    async def recover(self) -> int:
        """Release rows claimed by senders that are gone (crash, kill -9). Returns how many."""
        async with self.factory() as s:
            rows = await s.exec(
                select(OutboxMessage.claimed_by).where(col(OutboxMessage.status) == "sending").distinct()
            )
            dead = [w for w in rows if w and not _worker_alive(w)]
            n = 0
            for w in dead:
                res = await s.exec(
                    update(OutboxMessage)
                    .where(col(OutboxMessage.status) == "sending", col(OutboxMessage.claimed_by) == w)
                    .values(status="queued", claimed_by=None)
                )
                n += res.rowcount or 0
            await s.commit()
        if n:
            log.warning("outbox: released %d messages claimed by stopped senders", n)
        return n

    async def _run(self, channel: str) -> None:
        ev = self._wake[channel]
        while not self._stopping:
            pause = self.paused_until.get(channel, 0.0) - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
                continue
            try:
                handled = await self.drain_once(channel)
            except Exception:
                log.exception("outbox drain failed on %s", channel)
                handled = 0
            if handled == 0 and not self._stopping:
                ev.clear()
                try:
                    await asyncio.wait_for(ev.wait(), self.idle_wait)
                except TimeoutError:
                    pass

    async def claim(self, channel: str) -> list[OutboxMessage]:
        now = utcnow()
        stale = now - self.claim_timeout
        async with self.factory() as s:
            q = (
                select(OutboxMessage)
                .where(
                    OutboxMessage.channel == channel,
                    or_(
                        col(OutboxMessage.status) == "queued",
                        (col(OutboxMessage.status) == "sending") & (col(OutboxMessage.claimed_at) < stale),
                    ),
                    col(OutboxMessage.not_before) <= now,
                )
                .order_by(col(OutboxMessage.priority), col(OutboxMessage.id))
                .limit(self.batch)
            )
            if s.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
                q = q.with_for_update(skip_locked=True)
            rows = list(await s.exec(q))
            for r in rows:
                r.status, r.claimed_by, r.claimed_at = "sending", self.worker_id, now
                r.attempts += 1
            await s.commit()
            return rows

    async def drain_once(self, channel: str) -> int:
        """Claim and send one batch; returns how many rows were claimed."""
        rows = await self.claim(channel)
        if not rows:
            return 0
        ch, lim, stats = self.channels[channel], self.limiters[channel], self.stats[channel]
        deferred: list[tuple[OutboxMessage, float]] = []
        pending: list[asyncio.Task[None]] = []
        gone: set[str] = set()
        waiting: set[str] = set()
        for i, row in enumerate(rows):
            if self._stopping:
                for t in pending:
                    await t
                pending.clear()
                await self._release(rows[i:], delay=0, error="sender stopped", count_attempt=False)
                break
            if row.recipient in gone:
                await self._finish(row, "unreachable", "recipient unreachable")
                continue
            if row.recipient in waiting:
                await self._finish(row, "waiting", "outside the messaging window")
                continue
            delay = lim.chat_delay(row.recipient)
            if delay > 0:
                deferred.append((row, delay))
                continue
            await lim.acquire()
            try:
                await ch.send(row.recipient, reply_of(row), delivery_of(row))
            except RetryLater as exc:
                stats["retry_later"] += 1
                self.paused_until[channel] = time.monotonic() + exc.retry_after
                log.warning("outbox: %s asked to wait %.0fs; pausing every send on it", channel, exc.retry_after)
                for t in pending:
                    await t
                rest = rows[i:] + [r for r, _ in deferred]
                await self._release(rest, delay=exc.retry_after, error=str(exc), count_attempt=False)
                return len(rows)
            except Unreachable as exc:
                lim.record(row.recipient)
                stats["unreachable"] += 1
                gone.add(row.recipient)
                await self._finish(row, "unreachable", str(exc))
                await self._mark_unreachable(row)
            except Waiting as exc:
                stats["waiting"] += 1
                waiting.add(row.recipient)
                await self._finish(row, "waiting", str(exc), not_before=exc.retry_at)
                await self._mark_waiting(row)
            except TransientError as exc:
                lim.record(row.recipient)
                stats["transient"] += 1
                await self._retry(row, str(exc))
            except ChannelError as exc:  # the platform refused this message for good (bad request)
                lim.record(row.recipient)
                stats["failed"] += 1
                await self._finish(row, "failed", str(exc))
            except Exception as exc:  # a bug or an unexpected answer: keep the row, back off
                lim.record(row.recipient)
                stats["error"] += 1
                log.exception("sending outbox row %s failed", row.id)
                await self._retry(row, repr(exc)[:400])
            else:
                lim.record(row.recipient)
                stats["sent"] += 1
                # Record the success while the next message goes out; at most ``max_unrecorded``
                # sent messages are not yet marked (they, and the one in flight, are all a crash can repeat).
                pending.append(asyncio.create_task(self._finish(row, "sent", None)))
                while len(pending) > self.max_unrecorded:
                    await pending.pop(0)
        for t in pending:
            await t
        for row, delay in deferred:
            await self._release([row], delay=delay, error=None, count_attempt=False)
        return len(rows)

    async def _finish(self, row: OutboxMessage, status: str, error: str | None, not_before: Any = None) -> None:
        values: dict[str, Any] = {
            "status": status,
            "sent_at": utcnow() if status == "sent" else None,
            "last_error": error[:500] if error else None,
            "claimed_by": None,
        }
        if not_before is not None:
            values["not_before"] = not_before
        async with self.factory() as s:
            await s.exec(update(OutboxMessage).where(col(OutboxMessage.id) == row.id).values(**values))
            await s.commit()

    async def _retry(self, row: OutboxMessage, error: str) -> None:
        if row.attempts >= MAX_ATTEMPTS:
            await self._finish(row, "failed", error)
            return
        delay = min(self.backoff_base * 2**row.attempts, 600) * (0.8 + 0.4 * random.random())
        await self._release([row], delay=delay, error=error, count_attempt=True)

    async def _release(
        self, rows: list[OutboxMessage], *, delay: float, error: str | None, count_attempt: bool
    ) -> None:
        if not rows:
            return
        ids = [r.id for r in rows]
        values: dict[str, object] = {
            "status": "queued",
            "claimed_by": None,
            "not_before": utcnow() + timedelta(seconds=delay),
        }
        if error is not None:
            values["last_error"] = error[:500]
        if not count_attempt:
            values["attempts"] = OutboxMessage.attempts - 1
        async with self.factory() as s:
            await s.exec(update(OutboxMessage).where(col(OutboxMessage.id).in_(ids)).values(**values))
            await s.commit()

    async def _mark_unreachable(self, row: OutboxMessage) -> None:
        async with self.factory() as s:
            await s.exec(
                update(ChannelIdentity)
                .where(col(ChannelIdentity.channel) == row.channel, col(ChannelIdentity.chat_id) == row.recipient)
                .values(unreachable=True)
            )
            await s.exec(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.channel) == row.channel,
                    col(OutboxMessage.recipient) == row.recipient,
                    col(OutboxMessage.status).in_(("queued", "waiting")),
                )
                .values(status="unreachable")
            )
            await s.commit()

    async def _mark_waiting(self, row: OutboxMessage) -> None:
        async with self.factory() as s:
            await s.exec(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.channel) == row.channel,
                    col(OutboxMessage.recipient) == row.recipient,
                    col(OutboxMessage.status) == "queued",
                )
                .values(status="waiting")
            )
            await s.commit()
