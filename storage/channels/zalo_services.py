"""The Zalo channel's bookkeeping, as small functions so the channel itself writes no ORM.

Its own tables (``ZaloEvent``, ``ZaloUser``, ``ZaloSendCount``) and the identity facts it keeps up to
date (the 7-day window reopens on every message; an unfollow makes the identity unreachable). Each
function takes the caller's session and flushes at most: the caller commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n.choice import person_locale
from storage.channels.zalo import ZaloEvent, ZaloSendCount, ZaloUser
from storage.conversations.models import ProcessedEvent
from storage.people.models import ChannelIdentity, Person

__all__ = [
    "CHANNEL",
    "add_event",
    "bump_send_count",
    "claim_event",
    "event_done",
    "event_failed",
    "event_payload",
    "identity_by_chat",
    "locale_of_user",
    "mark_unfollowed",
    "note_inbound",
    "note_interaction",
    "pending_events",
    "person_of_user",
    "send_count",
    "set_choices",
    "zalo_user",
]

CHANNEL = "zalo"


async def add_event(
    session: AsyncSession, *, key: str, name: str, user: str | None, payload: dict[str, Any], received_at: datetime
) -> int:
    """Store one webhook delivery; raises ``IntegrityError`` (at flush) when it was stored before."""
    ev = ZaloEvent(event_key=key, event_name=name[:40], user_id=user, payload=payload, received_at=received_at)
    session.add(ev)
    await session.flush()
    assert ev.id is not None
    return ev.id


async def pending_events(
    session: AsyncSession, *, max_attempts: int, received_before: datetime, limit: int = 500
) -> list[tuple[int, str | None]]:
    """(id, user) of stored events not processed yet, oldest first."""
    rows = await session.exec(
        select(ZaloEvent.id, ZaloEvent.user_id)
        .where(
            col(ZaloEvent.processed_at).is_(None),
            ZaloEvent.attempts < max_attempts,
            ZaloEvent.received_at <= received_before,
        )
        .order_by(col(ZaloEvent.id))
        .limit(limit)
    )
    return [(eid, user) for eid, user in rows if eid is not None]


async def event_payload(session: AsyncSession, event_id: int) -> dict[str, Any] | None:
    """The stored body of an event still to process (None when gone or already processed)."""
    ev = await session.get(ZaloEvent, event_id)
    if ev is None or ev.processed_at is not None:
        return None
    return ev.payload


async def event_failed(session: AsyncSession, event_id: int, error: str) -> None:
    await session.exec(
        update(ZaloEvent)
        .where(col(ZaloEvent.id) == event_id)
        .values(attempts=ZaloEvent.attempts + 1, last_error=error[:300])
    )


async def event_done(
    session: AsyncSession, event_id: int, now: datetime, payload: dict[str, Any] | None = None
) -> None:
    """The event is handled; ``payload`` replaces what was stored (less of it is kept)."""
    values: dict[str, Any] = {"processed_at": now, "attempts": ZaloEvent.attempts + 1}
    if payload is not None:
        values["payload"] = payload
    await session.exec(update(ZaloEvent).where(col(ZaloEvent.id) == event_id).values(**values))


async def claim_event(session: AsyncSession, key: str) -> None:
    """Record an event handled outside the dispatcher; raises ``IntegrityError`` (at flush) when it
    was handled before."""
    session.add(ProcessedEvent(channel=CHANNEL, event_id=key[:128]))
    await session.flush()


async def zalo_user(session: AsyncSession, user: str) -> ZaloUser | None:
    return await session.get(ZaloUser, user)


async def _user_row(session: AsyncSession, user: str) -> ZaloUser:
    return await session.get(ZaloUser, user) or ZaloUser(user_id=user)


async def identity_by_chat(session: AsyncSession, chat_id: str) -> ChannelIdentity | None:
    """The Zalo identity a push goes to (its window and reachability)."""
    return (
        await session.exec(
            select(ChannelIdentity).where(ChannelIdentity.channel == CHANNEL, ChannelIdentity.chat_id == chat_id)
        )
    ).first()


async def _identity(session: AsyncSession, user: str) -> ChannelIdentity | None:
    return (
        await session.exec(
            select(ChannelIdentity).where(ChannelIdentity.channel == CHANNEL, ChannelIdentity.external_id == user)
        )
    ).first()


async def locale_of_user(session: AsyncSession, user: str, default: str = "vi") -> str:
    """The language for texts of the channel's own (sticker thanks, hints): the person's, by THE rule."""
    ident = await _identity(session, user)
    person = await session.get(Person, ident.person_id) if ident else None
    return person_locale(person, default)


async def person_of_user(session: AsyncSession, user: str) -> int | None:
    ident = await _identity(session, user)
    return ident.person_id if ident else None


async def mark_unfollowed(session: AsyncSession, user: str, now: datetime) -> None:
    """The person unfollowed the OA: nothing can reach them until they follow again."""
    await session.exec(
        update(ChannelIdentity)
        .where(col(ChannelIdentity.channel) == CHANNEL, col(ChannelIdentity.external_id) == user)
        .values(unreachable=True)
    )
    zu = await _user_row(session, user)
    zu.followed, zu.choices, zu.updated_at = False, None, now
    session.add(zu)


async def note_interaction(session: AsyncSession, user: str, now: datetime) -> None:
    """A message the dispatcher does not see (a sticker) still reopens the 7-day window."""
    ident = await _identity(session, user)
    if ident is not None:
        ident.last_inbound_at, ident.unreachable = now, False


async def note_inbound(session: AsyncSession, user: str, msg_id: str | None, now: datetime) -> None:
    """The person wrote: remember the message id (replies quote it); they follow the OA."""
    zu = await _user_row(session, user)
    if msg_id:
        zu.last_msg_id, zu.last_msg_at = msg_id, now
    zu.followed, zu.updated_at = True, now
    session.add(zu)


async def set_choices(session: AsyncSession, user: str, choices: list[Any] | None, now: datetime) -> None:
    """The numbered choices shown last (None clears them); nothing written when both are empty."""
    zu = await _user_row(session, user)
    if zu.choices is None and choices is None:
        return
    zu.choices, zu.choices_at, zu.updated_at = choices, now, now
    session.add(zu)


async def send_count(session: AsyncSession, day: str, kind: str) -> int:
    row = await session.get(ZaloSendCount, (day, kind))
    return row.count if row else 0


async def bump_send_count(session: AsyncSession, day: str, kind: str) -> None:
    """One more message of ``kind`` pushed on ``day``; raises ``IntegrityError`` on a concurrent first
    insert (the caller retries)."""
    res = await session.exec(
        update(ZaloSendCount)
        .where(col(ZaloSendCount.day) == day, col(ZaloSendCount.kind) == kind)
        .values(count=ZaloSendCount.count + 1)
    )
    if not res.rowcount:
        session.add(ZaloSendCount(day=day, kind=kind, count=1))
        await session.flush()
