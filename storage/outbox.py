"""Queueing outbound messages in the persistent outbox (senders in ``bot.outbox`` drain it)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messages import Reply
from storage.db import utcnow
from storage.models import ChannelIdentity, OutboxMessage


async def reachable_identity(session: AsyncSession, person_id: int, channel: str | None = None) -> ChannelIdentity | None:
    """Where to reach a person: the given channel, else the one they wrote from most recently."""
    q = select(ChannelIdentity).where(ChannelIdentity.person_id == person_id,
                                      ChannelIdentity.unreachable == False)  # noqa: E712
    if channel:
        q = q.where(ChannelIdentity.channel == channel)
    idents = list(await session.exec(q))
    if not idents:
        return None
    return max(idents, key=lambda i: (i.last_inbound_at or i.created_at))


async def enqueue(session: AsyncSession, person_id: int, replies: Reply | Sequence[Reply], *, kind: str,
                  channel: str | None = None, dedupe_key: str | None = None, not_before: datetime | None = None,
                  ref_type: str | None = None, ref_id: int | None = None, priority: int = 5) -> list[OutboxMessage]:
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
        exists = (await session.exec(select(OutboxMessage.id).where(
            OutboxMessage.dedupe_key.startswith(dedupe_key + "#")))).first()  # type: ignore[union-attr]
        if exists is not None:
            return []
    rows = []
    for i, r in enumerate(replies):
        row = OutboxMessage(channel=ident.channel, recipient=ident.chat_id or ident.external_id, person_id=person_id,
                            kind=kind, payload=r.to_dict(), priority=priority, not_before=not_before or utcnow(),
                            dedupe_key=None if dedupe_key is None else f"{dedupe_key}#{i}",
                            ref_type=ref_type, ref_id=ref_id)
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
