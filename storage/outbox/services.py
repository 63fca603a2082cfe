"""Queueing outbound messages in the persistent outbox (senders in ``bot.outbox`` drain it).

``enqueue`` queues replies for one person; ``enqueue_many`` queues the same replies for many people
in bulk (a notice to a whole ward: 100,000 rows in well under 3 s); ``release_waiting`` puts back the
messages held for a person the platform would not let us write to; ``keep_undelivered`` keeps a direct
reply a channel could not deliver; ``redeliver`` and ``requeue`` serve channels with waiting rules
(Zalo); ``status_counts`` feeds reports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, func, type_coerce, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Reply
from storage.db import utcnow
from storage.outbox.models import OutboxMessage
from storage.people.models import ChannelIdentity


async def reachable_identity(
    session: AsyncSession, person_id: int, channel: str | None = None
) -> ChannelIdentity | None:
    """Where to reach a person: the given channel, else the one they wrote from most recently."""
    q = select(ChannelIdentity).where(ChannelIdentity.person_id == person_id, ChannelIdentity.unreachable == False)
    if channel:
        q = q.where(ChannelIdentity.channel == channel)
    idents = list(await session.exec(q))
    if not idents:
        return None
    return max(idents, key=lambda i: i.last_inbound_at or i.created_at)


async def enqueue(
    session: AsyncSession,
    person_id: int,
    replies: Reply | Sequence[Reply],
    *,
    kind: str,
    channel: str | None = None,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    ref_type: str | None = None,
    ref_id: int | None = None,
    priority: int = 5,
) -> list[OutboxMessage]:
    """Queue ``replies`` for a person. With ``dedupe_key`` a second call queues nothing.

    Returns the rows queued (empty when the person cannot be reached or the key was used)."""
    if isinstance(replies, Reply):
        replies = [replies]
    ident = await reachable_identity(session, person_id, channel)
    if ident is None and channel:
        ident = await reachable_identity(session, person_id)
    if ident is None:
        return []
    if dedupe_key is not None:
        exists = (
            await session.exec(
                select(OutboxMessage.id).where(col(OutboxMessage.dedupe_key).startswith(dedupe_key + "#"))
            )
        ).first()
        if exists is not None:
            return []
    rows = []
    for i, r in enumerate(replies):
        row = OutboxMessage(
            channel=ident.channel,
            recipient=ident.chat_id or ident.external_id,
            person_id=person_id,
            kind=kind,
            payload=r.to_dict(),
            priority=priority,
            not_before=not_before or utcnow(),
            dedupe_key=None if dedupe_key is None else f"{dedupe_key}#{i}",
            ref_type=ref_type,
            ref_id=ref_id,
        )
        session.add(row)
        rows.append(row)
    try:
        await session.flush()
    except IntegrityError:
        # A concurrent process queued the same key first.
        raise
    return rows


def reply_of(row: OutboxMessage) -> Reply:
    return Reply.from_dict(row.payload)


def ids(rows: Iterable[OutboxMessage]) -> list[int]:
    return [r.id for r in rows if r.id is not None]


_CHUNK = 5000  # below SQLite's bound-parameter limit for IN (...)


async def best_identities(
    session: AsyncSession, person_ids: Sequence[int], channel: str | None = None
) -> dict[int, tuple[str, str]]:
    """person id → (channel, recipient) for everyone reachable, as ``reachable_identity`` picks it."""
    # The raw stored value is enough to compare recency (ISO text on SQLite, timestamps on PostgreSQL),
    # and skipping the datetime conversion matters for 100,000 people.
    seen_at = type_coerce(func.coalesce(ChannelIdentity.last_inbound_at, ChannelIdentity.created_at), String)
    best: dict[int, tuple[bool, Any, str, str]] = {}
    for i in range(0, len(person_ids), _CHUNK):
        chunk = list(person_ids[i : i + _CHUNK])
        conn = await session.connection()
        rows = await conn.execute(
            select(
                ChannelIdentity.person_id,
                ChannelIdentity.channel,
                func.coalesce(ChannelIdentity.chat_id, ChannelIdentity.external_id),
                seen_at,
            ).where(col(ChannelIdentity.person_id).in_(chunk), ChannelIdentity.unreachable == False)
        )
        for pid, ch, recipient, when in rows:
            key = (ch == channel, when, ch, recipient)
            cur = best.get(pid)
            if cur is None or key[:2] > cur[:2]:
                best[pid] = key
    return {pid: (v[2], v[3]) for pid, v in best.items()}


async def enqueue_many(
    session: AsyncSession,
    person_ids: Sequence[int],
    replies: Reply | Sequence[Reply],
    *,
    kind: str,
    channel: str | None = None,
    dedupe_prefix: str | None = None,
    not_before: datetime | None = None,
    ref_type: str | None = None,
    ref_id: int | None = None,
    priority: int = 5,
) -> int:
    """Queue the same ``replies`` for every person in bulk; returns how many rows were queued.

    With ``dedupe_prefix`` the keys are ``<prefix>:<person_id>#<n>`` and a second call queues only
    what is missing (safe to repeat after a crash). People who cannot be reached are skipped."""
    if isinstance(replies, Reply):
        replies = [replies]
    targets = await best_identities(session, list(dict.fromkeys(person_ids)), channel)
    existing: set[str] = set()
    if dedupe_prefix is not None:
        rows = await session.exec(
            select(OutboxMessage.dedupe_key).where(col(OutboxMessage.dedupe_key).startswith(dedupe_prefix + ":"))
        )
        existing = {k for k in rows if k}
    now = utcnow()
    const = {
        "kind": kind,
        "priority": priority,
        "status": "queued",
        "attempts": 0,
        "not_before": not_before or now,
        "ref_type": ref_type,
        "ref_id": ref_id,
        "created_at": now,
    }
    per_row = ("channel", "recipient", "person_id", "payload", "dedupe_key")
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    conn = await session.connection()
    dialect = conn.dialect

    def bound(name: str, value: Any) -> Any:
        proc = table.c[name].type._cached_bind_processor(dialect)
        return value if proc is None or value is None else proc(value)

    fixed = tuple(bound(n, v) for n, v in const.items())
    payloads = [bound("payload", r.to_dict()) for r in replies]
    rows_out: list[tuple[Any, ...]] = []
    for pid, (ch, recipient) in targets.items():
        for n, payload in enumerate(payloads):
            key = None if dedupe_prefix is None else f"{dedupe_prefix}:{pid}#{n}"
            if key is not None and key in existing:
                continue
            rows_out.append((ch, recipient, pid, payload, key, *fixed))
    if not rows_out:
        return 0
    names = list(per_row) + list(const)
    style = dialect.paramstyle
    marks = ["?" if style == "qmark" else f"${i + 1}" if style == "numeric_dollar" else "%s" for i in range(len(names))]
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join(marks)})"
    for i in range(0, len(rows_out), 20000):
        await conn.exec_driver_sql(sql, rows_out[i : i + 20000])
    return len(rows_out)


async def release_waiting(session: AsyncSession, channel: str, recipient: str) -> int:
    """The person wrote again: messages held in ``waiting`` for them are queued now."""
    res = await session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.channel) == channel,
            col(OutboxMessage.recipient) == recipient,
            col(OutboxMessage.status) == "waiting",
        )
        .values(status="queued", not_before=utcnow())
    )
    return res.rowcount or 0


async def status_counts(session: AsyncSession, ref_type: str, ref_id: int) -> Counter[str]:
    """Rows per status for one notice, lesson push... (``sending`` counts as ``queued``)."""
    rows = await session.exec(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.ref_type == ref_type, OutboxMessage.ref_id == ref_id)
        .group_by(OutboxMessage.status)
    )
    out: Counter[str] = Counter()
    for status, n in rows:
        out["queued" if status == "sending" else status] += n
    return out


async def cancel(session: AsyncSession, ref_type: str, ref_id: int) -> int:
    """Withdraw messages not sent yet (a cancelled notice)."""
    res = await session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.ref_type) == ref_type,
            col(OutboxMessage.ref_id) == ref_id,
            col(OutboxMessage.status).in_(("queued", "waiting")),
        )
        .values(status="cancelled")
    )
    return res.rowcount or 0


async def keep_undelivered(session: AsyncSession, channel: str, recipient: str, reply: Reply) -> OutboxMessage:
    """A direct reply the channel could not deliver now: the sender keeps trying (kind "reply", first in line)."""
    row = OutboxMessage(channel=channel, recipient=recipient, kind="reply", payload=reply.to_dict(), priority=1)
    session.add(row)
    await session.flush()
    return row


async def redeliver(
    session: AsyncSession, channel: str, recipient: str, *, kinds: Sequence[str], created_after: datetime, now: datetime
) -> int:
    """The person is back (followed again): their recent ``unreachable`` rows of ``kinds`` are queued again."""
    res = await session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.channel) == channel,
            col(OutboxMessage.recipient) == recipient,
            col(OutboxMessage.status) == "unreachable",
            col(OutboxMessage.kind).in_(kinds),
            col(OutboxMessage.created_at) > created_after,
        )
        .values(status="queued", not_before=now, last_error=None)
    )
    return res.rowcount or 0


async def requeue(session: AsyncSession, row_ids: Sequence[int], now: datetime) -> int:
    """Put ``waiting`` rows back in the queue (a channel decided they need not wait any more)."""
    if not row_ids:
        return 0
    res = await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(row_ids), col(OutboxMessage.status) == "waiting")
        .values(status="queued", not_before=now)
    )
    return res.rowcount or 0
