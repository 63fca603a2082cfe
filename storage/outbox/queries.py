"""Reads of the outbox that channels with waiting rules need (Zalo: which held rows may go now)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.outbox.models import OutboxMessage
from storage.people.models import ChannelIdentity

__all__ = ["WaitingRow", "waiting_rows"]


@dataclass(frozen=True)
class WaitingRow:
    """A row held in ``waiting``, with what decides its release: why it waits and the identity's window."""

    id: int
    last_error: str | None
    not_before: datetime
    last_inbound_at: datetime | None
    unreachable: bool | None


async def waiting_rows(session: AsyncSession, channel: str, limit: int = 5000) -> list[WaitingRow]:
    """The ``waiting`` rows of ``channel``, each with its recipient's identity facts (None if unknown)."""
    q = (
        sa_select(  # sqlmodel's select is typed for up to four columns
            col(OutboxMessage.id),
            col(OutboxMessage.last_error),
            col(OutboxMessage.not_before),
            col(ChannelIdentity.last_inbound_at),
            col(ChannelIdentity.unreachable),
        )
        .join(
            ChannelIdentity,
            (col(ChannelIdentity.chat_id) == col(OutboxMessage.recipient)) & (col(ChannelIdentity.channel) == channel),
            isouter=True,
        )
        .where(col(OutboxMessage.channel) == channel, col(OutboxMessage.status) == "waiting")
        .limit(limit)
    )
    return [
        WaitingRow(oid, err, not_before, last_in, unreachable)
        for oid, err, not_before, last_in, unreachable in await (await session.connection()).execute(q)
        if oid is not None
    ]
