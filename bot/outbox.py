"""The outbox sender: drains queued messages per channel at the platform's rate limit.

Rows are claimed before sending (``status='sending'``, ``claimed_by``, ``claimed_at``) so several
senders never send the same row; on PostgreSQL the claim uses ``FOR UPDATE SKIP LOCKED``.

One send rate for the whole deployment: a channel whose limits are ``shared`` (Telegram, Zalo) is
drained by one elected process only (``bot.leader``, its own advisory lock), so its limiter sees
every send; another process takes over within seconds when it dies. Channels that are not shared
(web chat) are drained by every process. On SQLite the one process sends everything.

Up to ``max_in_flight`` sends of a channel are in flight at once, never two to one chat (per-person
order). Each row's outcome is committed when its send returns, so a crash (even ``kill -9``) can
only make the messages in flight go twice: claimed rows of a dead sender are released at the next
start (same host, process gone), by the next elected sender, or after ``claim_timeout``.

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
from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import col, select

from bot.channels.base import Channel, Delivery, RateLimits
from bot.core.errors import ChannelError, RetryLater, TransientError, Unreachable, Waiting
from bot.leader import Leader
from bot.outbox_limits import DEFAULT_LIMITS, TELEGRAM_LIMITS, UNLIMITED, RateLimiter, Slot, limits_for
from storage.db import SessionFactory, utcnow
from storage.outbox.models import OutboxMessage
from storage.outbox.services import reply_of
from storage.people.models import ChannelIdentity

__all__ = [
    "DEFAULT_LIMITS",
    "TELEGRAM_LIMITS",
    "UNLIMITED",
    "OutboxSender",
    "RateLimiter",
    "RateLimits",
    "delivery_of",
    "limits_for",
]

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
_LIVE_WORKERS: set[str] = set()  # senders running in this process (to tell dead claims from live ones)


def delivery_of(row: OutboxMessage, paid: bool = False) -> Delivery:
    """The facts of a row a channel may need besides its Reply (Zalo's quota counts by kind)."""
    return Delivery(kind=row.kind, person_id=row.person_id, outbox_id=row.id, paid_broadcast=paid)


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
    """One sender per process; one drain task per channel. With ``leader`` (PostgreSQL) the shared
    channels are drained only while this process holds the send lock."""

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
        leader: Leader | None = None,
    ) -> None:
        self.factory = session_factory
        self.channels = dict(channels)
        self.batch = batch
        self.idle_wait = idle_wait
        self.claim_timeout = claim_timeout
        self.backoff_base = backoff_base
        self.worker_id = f"{_HOST}:{os.getpid()}:{id(self):x}"[:64]
        self.limiters = {
            name: RateLimiter((limits or {}).get(name) or limits_for(name, ch)) for name, ch in self.channels.items()
        }
        self.paused_until: dict[str, float] = {}
        self.stats: dict[str, Counter[str]] = {name: Counter() for name in self.channels}
        self._wake = {name: asyncio.Event() for name in self.channels}
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self.leader = leader
        self.shared = {n for n, lim in self.limiters.items() if lim.limits.shared} if leader else set()
        self._leading = asyncio.Event()
        self._campaign: asyncio.Task[None] | None = None
        self._probe: dict[str, bool] = {}  # channel → send one alone before opening the window

    def may_send(self, channel: str) -> bool:
        """False for a shared channel while another process is the elected sender."""
        return channel not in self.shared or self._leading.is_set()

    async def _elected(self) -> None:
        # The previous sender lost the lock: what it had claimed on the shared channels is ours now.
        async with self.factory() as s:
            res = await s.exec(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.status) == "sending",
                    col(OutboxMessage.channel).in_(sorted(self.shared)),
                    or_(col(OutboxMessage.claimed_by).is_(None), col(OutboxMessage.claimed_by) != self.worker_id),
                )
                .values(status="queued", claimed_by=None)
            )
            await s.commit()
        if res.rowcount:
            log.warning("outbox: took over %d messages claimed by the previous sender", res.rowcount)
        log.info("this process now sends on %s", ", ".join(sorted(self.shared)))
        self._leading.set()
        self.wake()

    async def _lost(self) -> None:
        self._leading.clear()

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
        if self.leader is not None and self.shared:
            self._campaign = asyncio.create_task(self.leader.campaign(self._elected, self._lost), name="outbox-leader")

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
        if self._campaign is not None:
            self._campaign.cancel()
            await asyncio.gather(self._campaign, return_exceptions=True)
            self._campaign = None
            self._leading.clear()
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
            if not self.may_send(channel):
                ev.clear()
                try:
                    await asyncio.wait_for(ev.wait(), 1.0)
                except TimeoutError:
                    pass
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

    def _halted(self, channel: str) -> bool:
        return self._stopping or not self.may_send(channel) or self.paused_until.get(channel, 0.0) > time.monotonic()

    async def drain_once(self, channel: str) -> int:
        """Claim one batch and send it, several at once within the limits; returns how many rows were claimed."""
        if not self.may_send(channel):
            return 0
        rows = await self.claim(channel)
        if not rows:
            return 0
        lim = self.limiters[channel]
        gate = asyncio.Semaphore(max(1, lim.limits.max_in_flight))
        deferred: list[tuple[OutboxMessage, float]] = []
        tasks: set[asyncio.Task[None]] = set()
        busy: set[str] = set()  # recipients with a send in flight: their next message waits (order)
        gone: set[str] = set()  # learnt during this batch: their other rows are not sent
        holding: set[str] = set()
        rest: list[OutboxMessage] = []
        for i, row in enumerate(rows):
            if self._halted(channel):
                rest = rows[i:]
                break
            if row.recipient in gone:
                await self._finish(row, "unreachable", "recipient unreachable")
                continue
            if row.recipient in holding:
                await self._finish(row, "waiting", "outside the messaging window")
                continue
            delay = lim.chat_delay(row.recipient)
            if row.recipient in busy:
                delay = max(delay, lim.limits.per_chat_interval, 0.05)
            if delay > 0:
                deferred.append((row, delay))
                continue
            if self._probe.get(channel, True) and tasks:
                # First send after a start or a pause goes alone: a 429 is learnt from one message.
                await asyncio.gather(*list(tasks), return_exceptions=True)
            await gate.acquire()
            await lim.acquire()
            if self._halted(channel):  # a 429 or a lost election came in while we waited
                gate.release()
                rest = rows[i:]
                break
            paid = lim.over_free()
            slot = lim.record(row.recipient, paid)
            busy.add(row.recipient)
            task = asyncio.create_task(self._send_one(channel, row, paid, gone, holding, slot))
            tasks.add(task)

            def done(t: asyncio.Task[None], who: str = row.recipient) -> None:
                busy.discard(who)
                tasks.discard(t)
                gate.release()

            task.add_done_callback(done)
        if tasks:
            await asyncio.gather(*list(tasks), return_exceptions=True)
        for row, _ in deferred:  # learnt while they waited behind an earlier message to the same chat
            if row.recipient in gone:
                await self._finish(row, "unreachable", "recipient unreachable")
            elif row.recipient in holding:
                await self._finish(row, "waiting", "outside the messaging window")
        deferred = [(r, d) for r, d in deferred if r.recipient not in gone and r.recipient not in holding]
        if rest:
            pause = max(0.0, self.paused_until.get(channel, 0.0) - time.monotonic())
            await self._release(rest, delay=pause, error=None, count_attempt=False)
        for row, delay in deferred:
            await self._release([row], delay=delay, error=None, count_attempt=False)
        return len(rows)

    async def _send_one(
        self, channel: str, row: OutboxMessage, paid: bool, gone: set[str], holding: set[str], slot: Slot
    ) -> None:
        """Send one claimed row and commit its outcome."""
        ch, lim, stats = self.channels[channel], self.limiters[channel], self.stats[channel]
        try:
            await ch.send(row.recipient, reply_of(row), delivery_of(row, paid))
        except Exception as exc:
            # A refusal is a round trip to learn from; a network error (no answer) or a bug is not.
            answered = isinstance(exc, ChannelError) and not isinstance(exc, TransientError)
            lim.finished(slot, answered=answered)
            await self._failed(channel, row, exc, gone, holding)
        else:
            lim.finished(slot)
            self._probe[channel] = False
            stats["sent"] += 1
            if paid:
                stats["paid"] += 1
            await self._finish(row, "sent", None)

    async def _failed(
        self, channel: str, row: OutboxMessage, error: BaseException, gone: set[str], holding: set[str]
    ) -> None:
        stats = self.stats[channel]
        try:
            raise error
        except RetryLater as exc:
            stats["retry_later"] += 1
            self._probe[channel] = True
            self.paused_until[channel] = max(self.paused_until.get(channel, 0.0), time.monotonic() + exc.retry_after)
            log.warning("outbox: %s asked to wait %.0fs; pausing every send on it", channel, exc.retry_after)
            await self._release([row], delay=exc.retry_after, error=str(exc), count_attempt=False)
        except Unreachable as exc:
            stats["unreachable"] += 1
            gone.add(row.recipient)
            await self._finish(row, "unreachable", str(exc))
            await self._mark_unreachable(row)
        except Waiting as exc:
            stats["waiting"] += 1
            holding.add(row.recipient)
            await self._finish(row, "waiting", str(exc), not_before=exc.retry_at)
            await self._mark_waiting(row)
        except TransientError as exc:
            stats["transient"] += 1
            await self._retry(row, str(exc))
        except ChannelError as exc:  # the platform refused this message for good (bad request)
            stats["failed"] += 1
            await self._finish(row, "failed", str(exc))
        except Exception as exc:  # a bug or an unexpected answer: keep the row, back off
            stats["error"] += 1
            log.exception("sending outbox row %s failed", row.id)
            await self._retry(row, repr(exc)[:400])

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
