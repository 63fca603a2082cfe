"""People and identities: find or create the person behind a channel user, the roles they hold,
consent, the changes of a profile, and erasure.

Each state change flushes at most (the caller owns the transaction) and writes its audit record in
the same call. Onboarding steps change a person before consent or a ward exists, so they take the
person, not an actor with grants: a person only ever changes their own profile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, delete, exists, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit
from storage.conversations.models import Conversation, ConversationState
from storage.db import utcnow
from storage.outbox.models import OutboxMessage
from storage.people.models import ChannelIdentity, Person, RoleGrant
from storage.people.signals import VillageChange, village_changed
from storage.units.models import Unit

_PHONE = re.compile(r"^\+?[0-9][0-9 .-]{7,16}$")


_IDENT = ChannelIdentity.__table__  # type: ignore[attr-defined]
_CONV = Conversation.__table__  # type: ignore[attr-defined]
# Built once: composing this statement cost more than running it (it runs for every update).
_IDENTIFY = (
    sa_select(
        Person,
        _IDENT.c.id,
        _IDENT.c.chat_id,
        _IDENT.c.unreachable,
        _IDENT.c.last_inbound_at,
        _CONV.c.person_id,
        _CONV.c.flow,
        _CONV.c.step,
        _CONV.c.seq,
        _CONV.c.data,
        _CONV.c.version,
        exists().where(col(RoleGrant.person_id) == col(Person.id), col(RoleGrant.revoked_at).is_(None)),
    )
    .select_from(_IDENT)
    .join(Person, col(Person.id) == _IDENT.c.person_id)
    .join(_CONV, _CONV.c.person_id == _IDENT.c.person_id, isouter=True)
    .where(_IDENT.c.channel == bindparam("channel"), _IDENT.c.external_id == bindparam("external_id"))
)

_TOUCH = update(_IDENT).where(_IDENT.c.id == bindparam("b_id"))
_NEW_CONV = insert(_CONV)


@dataclass(frozen=True)
class IdentityRef:
    """The channel account an update came from, as the dispatcher needs it."""

    id: int
    person_id: int
    chat_id: str | None


async def identify(
    session: AsyncSession,
    channel: str,
    external_id: str,
    *,
    display_name: str | None = None,
    language_code: str | None = None,
    chat_id: str | None = None,
) -> tuple[IdentityRef, Person, ConversationState, bool]:
    """The identity, person and conversation for a channel user, and whether the person holds any
    role (one query for all four), created on first contact.

    This runs for every update: only the person is an ORM instance (flows change it); the identity
    and the conversation are read as columns and written with single statements when they change."""
    row = (
        await session.exec(  # type: ignore[call-overload]  # sqlmodel's select types up to 4 columns
            _IDENTIFY, params={"channel": channel, "external_id": external_id}
        )
    ).first()
    now = utcnow()
    if row is None:
        person = Person(display_name=display_name, platform_locale=language_code)
        session.add(person)
        await session.flush()
        assert person.id is not None
        # A private chat is the person: the sender's own id, whatever chat the update names.
        conn = await session.connection()
        ident_id = (
            await conn.execute(
                insert(_IDENT)
                .values(
                    person_id=person.id,
                    channel=channel,
                    external_id=external_id,
                    chat_id=external_id,
                    unreachable=False,
                    last_inbound_at=now,
                    created_at=now,
                )
                .returning(_IDENT.c.id)
            )
        ).scalar_one()
        conv = await _new_conversation(session, person.id, now)
        return IdentityRef(ident_id, person.id, external_id), person, conv, False
    person, ident_id, saved_chat, unreachable, last_inbound_at, conv_of, flow, step, seq, data, version, roles = row
    assert person.id is not None
    changes: dict[str, object] = {}
    if last_inbound_at is None or now - _aware(last_inbound_at) > timedelta(seconds=60):
        changes["last_inbound_at"] = now  # minute precision is enough (channel choice, Zalo's 7-day window)
    if unreachable:
        changes["unreachable"] = False
    if chat_id == external_id and saved_chat != chat_id:
        changes["chat_id"] = saved_chat = chat_id  # never from an update whose chat differs from its sender
    if changes:
        await (await session.connection()).execute(_TOUCH, {"b_id": ident_id, **changes})
    if language_code and person.platform_locale != language_code:
        person.platform_locale = language_code
    if display_name and not person.display_name and person.erased_at is None:
        person.display_name = display_name
    if conv_of is None:
        conv = await _new_conversation(session, person.id, now)
    else:
        conv = ConversationState(person.id, flow, step, seq, dict(data or {}), version)
    return IdentityRef(ident_id, person.id, saved_chat), person, conv, bool(roles)


async def _new_conversation(session: AsyncSession, person_id: int, now: datetime) -> ConversationState:
    await (await session.connection()).execute(
        _NEW_CONV,
        {"person_id": person_id, "flow": None, "step": None, "seq": 0, "data": {}, "version": 0, "updated_at": now},
    )
    return ConversationState(person_id)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


async def active_roles(session: AsyncSession, person_id: int) -> list[RoleGrant]:
    """The person's grants that are not revoked."""
    rows = await session.exec(select(RoleGrant).where(RoleGrant.person_id == person_id, RoleGrant.revoked_at.is_(None)))  # type: ignore[union-attr]
    return list(rows)


async def identities(session: AsyncSession, person_id: int) -> list[ChannelIdentity]:
    """Every channel account of the person."""
    rows = await session.exec(select(ChannelIdentity).where(ChannelIdentity.person_id == person_id))
    return list(rows)


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
