"""People and identities: find or create the person behind a channel user, roles held, erasure."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import utcnow
from storage.people.models import ChannelIdentity, Person, RoleGrant
from storage.conversations.models import Conversation


async def identify(session: AsyncSession, channel: str, external_id: str, *, display_name: str | None = None,
                   language_code: str | None = None,
                   chat_id: str | None = None) -> tuple[ChannelIdentity, Person, Conversation, bool]:
    """The identity, person and conversation for a channel user, and whether the person holds any
    role (one query for all four), created on first contact."""
    has_roles = exists().where(RoleGrant.person_id == Person.id, RoleGrant.revoked_at.is_(None))  # type: ignore[union-attr]
    row = (await session.exec(
        select(ChannelIdentity, Person, Conversation, has_roles)
        .join(Person, Person.id == ChannelIdentity.person_id)  # type: ignore[arg-type]
        .join(Conversation, Conversation.person_id == Person.id, isouter=True)  # type: ignore[arg-type]
        .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id))).first()
    ident, person, conv, roles_held = row if row is not None else (None, None, None, False)
    if ident is None or person is None:
        person = Person(display_name=display_name, platform_locale=language_code)
        session.add(person)
        await session.flush()
        assert person.id is not None
        ident = ChannelIdentity(person_id=person.id, channel=channel, external_id=external_id,
                                chat_id=chat_id or external_id)
        session.add(ident)
        await session.flush()
    assert person.id is not None
    if conv is None:
        conv = await conversation(session, person.id)
    now = utcnow()
    if ident.last_inbound_at is None or now - ident.last_inbound_at > timedelta(seconds=60):
        ident.last_inbound_at = now  # minute precision is enough (channel choice, Zalo's 7-day window)
    if ident.unreachable:
        ident.unreachable = False
    if chat_id and ident.chat_id != chat_id:
        ident.chat_id = chat_id
    if language_code and person.platform_locale != language_code:
        person.platform_locale = language_code
    if display_name and not person.display_name and person.erased_at is None:
        person.display_name = display_name
    return ident, person, conv, bool(roles_held)


async def active_roles(session: AsyncSession, person_id: int) -> list[RoleGrant]:
    rows = await session.exec(select(RoleGrant).where(RoleGrant.person_id == person_id,
                                                      RoleGrant.revoked_at.is_(None)))  # type: ignore[union-attr]
    return list(rows)


async def identities(session: AsyncSession, person_id: int) -> list[ChannelIdentity]:
    rows = await session.exec(select(ChannelIdentity).where(ChannelIdentity.person_id == person_id))
    return list(rows)


async def conversation(session: AsyncSession, person_id: int) -> Conversation:
    conv = await session.get(Conversation, person_id)
    if conv is None:
        conv = Conversation(person_id=person_id, data={})
        session.add(conv)
        await session.flush()
    return conv
