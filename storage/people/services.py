"""People and identities: find or create the person behind a channel user, the roles they hold,
consent, the changes of a profile, and erasure.

Each state change flushes at most (the caller owns the transaction) and writes its audit record in
the same call. Onboarding steps change a person before consent or a ward exists, so they take the
person, not an actor with grants: a person only ever changes their own profile.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import delete, exists
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit
from storage.conversations.models import Conversation
from storage.db import utcnow
from storage.outbox.models import OutboxMessage
from storage.people.models import ChannelIdentity, Person, RoleGrant
from storage.people.signals import VillageChange, village_changed
from storage.units.models import Unit

_PHONE = re.compile(r"^\+?[0-9][0-9 .-]{7,16}$")


async def identify(
    session: AsyncSession,
    channel: str,
    external_id: str,
    *,
    display_name: str | None = None,
    language_code: str | None = None,
    chat_id: str | None = None,
) -> tuple[ChannelIdentity, Person, Conversation, bool]:
    """The identity, person and conversation for a channel user, and whether the person holds any
    role (one query for all four), created on first contact."""
    has_roles = exists().where(col(RoleGrant.person_id) == col(Person.id), col(RoleGrant.revoked_at).is_(None))
    row = (
        await session.exec(
            select(ChannelIdentity, Person, Conversation, has_roles)
            .join(Person, Person.id == ChannelIdentity.person_id)  # type: ignore[arg-type]
            .join(Conversation, Conversation.person_id == Person.id, isouter=True)  # type: ignore[arg-type]
            .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id)
        )
    ).first()
    ident, person, conv, roles_held = row if row is not None else (None, None, None, False)
    if ident is None or person is None:
        person = Person(display_name=display_name, platform_locale=language_code)
        session.add(person)
        await session.flush()
        assert person.id is not None
        # A private chat is the person: the sender's own id, whatever chat the update names.
        ident = ChannelIdentity(person_id=person.id, channel=channel, external_id=external_id, chat_id=external_id)
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
    if chat_id == external_id and ident.chat_id != chat_id:
        ident.chat_id = chat_id  # never from an update whose chat differs from its sender
    if language_code and person.platform_locale != language_code:
        person.platform_locale = language_code
    if display_name and not person.display_name and person.erased_at is None:
        person.display_name = display_name
    return ident, person, conv, bool(roles_held)


async def active_roles(session: AsyncSession, person_id: int) -> list[RoleGrant]:
    """The person's grants that are not revoked."""
    rows = await session.exec(select(RoleGrant).where(RoleGrant.person_id == person_id, RoleGrant.revoked_at.is_(None)))  # type: ignore[union-attr]
    return list(rows)


async def identities(session: AsyncSession, person_id: int) -> list[ChannelIdentity]:
    """Every channel account of the person."""
    rows = await session.exec(select(ChannelIdentity).where(ChannelIdentity.person_id == person_id))
    return list(rows)


async def conversation(session: AsyncSession, person_id: int) -> Conversation:
    """The person's conversation row, created empty if missing."""
    conv = await session.get(Conversation, person_id)
    if conv is None:
        conv = Conversation(person_id=person_id, data={})
        session.add(conv)
        await session.flush()
    return conv


# ---------------------------------------------------------------- consent and onboarding


async def give_consent(session: AsyncSession, person: Person, *, version: str, now: datetime) -> None:
    """The person agreed to the privacy notice ``version`` (kept as evidence)."""
    person.consent_given = True
    person.consent_at = now
    person.consent_version = version
    await audit.log(session, "consent.given", "person", person.id, actor_id=person.id, version=version)


async def decline_consent(session: AsyncSession, person: Person, *, version: str, now: datetime) -> None:
    """The person declined: no profile is kept, and they are not asked again at every message."""
    person.consent_given = False
    person.onboarded_at = person.onboarded_at or now
    await audit.log(session, "consent.declined", "person", person.id, actor_id=person.id, version=version)


async def complete_onboarding(session: AsyncSession, person: Person, *, now: datetime) -> None:
    """The last onboarding step is answered."""
    person.onboarded_at = now
    await audit.log(session, "person.onboarded", "person", person.id, actor_id=person.id)


def mark_onboarded(person: Person, *, now: datetime) -> None:
    """A profile edit counts as onboarding for somebody who skipped it (no audit: nothing new is agreed)."""
    person.onboarded_at = person.onboarded_at or now


# ---------------------------------------------------------------- the profile


async def _moved(session: AsyncSession, person: Person, old_village_id: int | None) -> None:
    if person.id is not None and person.village_id != old_village_id:
        await village_changed.send(session, VillageChange(person.id, old_village_id, person.village_id))


async def set_ward(session: AsyncSession, person: Person, ward: Unit) -> None:
    """Live in ``ward`` (a current commune-level unit); the village is asked again."""
    old = person.village_id
    person.ward_id = ward.id
    person.village_id = None
    await _moved(session, person, old)


async def set_village(session: AsyncSession, person: Person, village: Unit | None) -> None:
    """Live in ``village`` of the person's ward, or in none of the listed ones (``village_changed``
    is sent when it differs from before)."""
    assert village is None or village.parent_id == person.ward_id, "a village of another ward"
    old = person.village_id
    person.village_id = village.id if village is not None else None
    await _moved(session, person, old)


def normalise_phone(text: str) -> str | None:
    """``"0912 345 678"`` → ``"0912345678"``; None when it does not look like a phone number."""
    text = text.strip()
    if not _PHONE.match(text):
        return None
    return re.sub(r"[ .-]", "", text)


def set_phone(person: Person, phone: str | None) -> None:
    """Keep ``phone`` (already normalised), or remove it with None."""
    person.phone = phone


def set_language(person: Person, locale: str) -> None:
    """The person's explicit language choice (/language), which outranks every detection."""
    person.locale = locale


# ---------------------------------------------------------------- erasure


async def erase_person(session: AsyncSession, person: Person, now: datetime) -> None:
    """Withdraw consent and erase the profile, the channel identities and the messages still waiting
    to be sent. The person row stays (features' public records point at it, de-identified)."""
    await audit.log(session, "person.erased", "person", person.id, actor_id=person.id)
    old_village = person.village_id
    person.display_name = person.phone = person.locale = person.detected_locale = person.platform_locale = None
    person.ward_id = person.village_id = None
    person.consent_given = False
    person.erased_at = now
    await _moved(session, person, old_village)
    await session.exec(
        delete(OutboxMessage).where(
            col(OutboxMessage.person_id) == person.id, col(OutboxMessage.status).in_(("queued", "waiting"))
        )
    )
    await session.exec(delete(ChannelIdentity).where(col(ChannelIdentity.person_id) == person.id))
