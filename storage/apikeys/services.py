"""API keys: create (the key is shown once, only its SHA-256 hash is kept), revoke, authenticate a
request (not revoked, one token from the key's bucket), audit each request, and the author person
of a petition filed through a key.

The token bucket is on the key's row and is taken inside the request's own short transaction
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's single writer serialises it anyway), so several
worker processes share one limit per key instead of each granting the full rate.

Every change flushes at most (the caller owns the transaction) and is audited in the same call.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import DomainError, NotFound, RateLimited
from storage import audit, petitions
from storage.apikeys.models import ApiContact, ApiKey, ApiRequest
from storage.people import services as people
from storage.people.models import Person
from storage.units.models import Unit

__all__ = [
    "KEY_PREFIX",
    "Contact",
    "KeyRefused",
    "KeyThrottled",
    "audit_request",
    "authenticate",
    "author_for",
    "create_key",
    "forget_contact",
    "hash_key",
    "record_filing",
    "revoke_key",
]

KEY_PREFIX = "ll311_"
API_CONSENT_VERSION = "open311"
"""``Person.consent_version`` of an API author: the client asserted the person's consent (audited)."""


class KeyRefused(DomainError):
    """Unknown or revoked key (the same answer for both); ``key`` is the revoked one, for the audit."""

    msgid = "api_key is not valid"

    def __init__(self, key: ApiKey | None = None) -> None:
        self.key = key
        super().__init__()


class KeyThrottled(RateLimited):
    """The key's bucket is empty; ``retry_after`` seconds until the next token."""

    def __init__(self, key: ApiKey, retry_after: float) -> None:
        self.key, self.retry_after = key, retry_after
        super().__init__("too many requests for this api_key")


def hash_key(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


async def create_key(
    session: AsyncSession,
    name: str,
    unit: Unit,
    *,
    by: str,
    now: datetime,
    rate_per_minute: int = 60,
    burst: int = 30,
) -> tuple[ApiKey, str]:
    """A new key for ``unit``; returns the row and the key itself, which is never stored."""
    if not name.strip():
        raise ValueError("the key needs a name (who uses it)")
    if rate_per_minute < 1 or burst < 1:
        raise ValueError("rate and burst must be at least 1")
    token = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name.strip()[:120],
        key_hash=hash_key(token),
        prefix=token[: len(KEY_PREFIX) + 6],
        unit_id=unit.id,  # type: ignore[arg-type]
        rate_per_minute=rate_per_minute,
        burst=burst,
        tokens=float(burst),
        tokens_at=now,
        created_at=now,
        created_by=by,
    )
    session.add(key)
    await session.flush()
    await audit.log(
        session, "apikey.created", "apikey", key.id, actor_label=by, unit_id=unit.id, name=key.name, prefix=key.prefix
    )
    return key, token


async def revoke_key(session: AsyncSession, key_id: int, *, by: str, now: datetime) -> ApiKey:
    """Revoke key ``key_id`` (kept for the audit trail); ``NotFound`` if there is none."""
    key = await session.get(ApiKey, key_id)
    if key is None:
        raise NotFound()
    if key.revoked_at is None:
        key.revoked_at, key.revoked_by = now, by
        session.add(key)
        await audit.log(session, "apikey.revoked", "apikey", key.id, actor_label=by, unit_id=key.unit_id)
    return key


async def authenticate(session: AsyncSession, token: str, *, now: datetime) -> ApiKey:
    """The key ``token`` names, with one token taken from its bucket. ``KeyRefused`` for an unknown or
    revoked key; ``KeyThrottled`` when its bucket is empty (nothing is taken then)."""
    q = select(ApiKey).where(ApiKey.key_hash == hash_key(token))
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        q = q.with_for_update()
    key = (await session.exec(q)).first()
    if key is None:
        raise KeyRefused()
    if key.revoked_at is not None:
        raise KeyRefused(key)
    elapsed = max(0.0, (now - key.tokens_at).total_seconds())
    tokens = min(float(key.burst), key.tokens + elapsed * key.rate_per_minute / 60.0)
    if tokens < 1.0:
        key.tokens, key.tokens_at = tokens, now
        session.add(key)
        raise KeyThrottled(key, retry_after=(1.0 - tokens) * 60.0 / key.rate_per_minute)
    key.tokens, key.tokens_at, key.last_used_at = tokens - 1.0, now, now
    session.add(key)
    return key


async def audit_request(session: AsyncSession, key: ApiKey, *, method: str, path: str, status: int) -> None:
    """One audit row per request made with a key: what was asked and how it was answered."""
    await audit.log(
        session,
        "apikey.request",
        "apikey",
        key.id,
        actor_label=f"apikey:{key.prefix}",
        unit_id=key.unit_id,
        method=method,
        path=path[:200],
        status=status,
    )


@dataclass(frozen=True)
class Contact:
    """What an API client sent about the author, with the person's consent to keep it."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None  # normalised (``people.normalise_phone``)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p).strip()

    @property
    def empty(self) -> bool:
        return not (self.full_name or self.email or self.phone)


async def author_for(session: AsyncSession, key: ApiKey, contact: Contact | None, *, now: datetime) -> Person:
    """The person a petition filed through ``key`` belongs to.

    - no contact: a new person with nothing personal (no consent asked, nothing kept), so the
      petition has an author as every petition does and the per-person flood limits apply per filing;
    - a contact (given with the person's consent, which the caller checked): the API person with
      that phone if one exists (their petitions stay together and the per-person limits count them),
      else a new person; name and phone on the person row, the e-mail beside it, consent recorded
      and audited as for a chat resident. The person lives nowhere and never onboarded, so notices
      and resident counts leave them out (they have no chat to receive anything). Never merged
      with a chat account by phone: phones typed in the chat are not verified, so a match proves
      nothing.
    """
    if contact is None or contact.empty:
        nobody = Person(created_at=now)
        session.add(nobody)
        await session.flush()
        return nobody
    person: Person | None = None
    if contact.phone:
        person = (
            await session.exec(
                select(Person)
                .join(ApiContact, col(ApiContact.person_id) == col(Person.id))
                .where(Person.phone == contact.phone, col(Person.erased_at).is_(None))
                .order_by(col(Person.id))
            )
        ).first()
    if person is None:
        person = Person(created_at=now)
        session.add(person)
        await session.flush()
        assert person.id is not None and key.id is not None
        session.add(ApiContact(person_id=person.id, api_key_id=key.id, email=contact.email, created_at=now))
    else:
        row = await session.get(ApiContact, person.id)
        if row is not None and contact.email and row.email != contact.email:
            row.email = contact.email
            session.add(row)
    person.display_name = contact.full_name or person.display_name
    if contact.phone:
        people.set_phone(person, contact.phone)
    await people.give_consent(session, person, version=API_CONSENT_VERSION, now=now)
    await audit.log(
        session, "apikey.contact", "person", person.id, actor_label=f"apikey:{key.prefix}", unit_id=key.unit_id
    )
    await session.flush()
    return person


async def forget_contact(session: AsyncSession, phone: str, *, by: str, now: datetime) -> int:
    """Erase the API authors with this (normalised) phone, as ``/forget`` does for a chat resident:
    their petitions stay as public record without their identity, the person's name, phone and
    consent are erased, and so is the e-mail. Returns how many people were erased (an operator acts
    for a person who has no chat to send ``/forget`` from)."""
    rows = list(
        await session.exec(
            select(Person, ApiContact)
            .join(ApiContact, col(ApiContact.person_id) == col(Person.id))
            .where(Person.phone == phone, col(Person.erased_at).is_(None))
        )
    )
    for person, contact in rows:
        assert person.id is not None
        await petitions.deidentify_author(session, person.id)
        await people.erase_person(session, person, now)
        contact.email = None
        session.add(contact)
        await audit.log(session, "apikey.contact_erased", "person", person.id, actor_label=by)
    await session.flush()
    return len(rows)


async def record_filing(
    session: AsyncSession, key: ApiKey, case_id: int, *, media_url: str | None, now: datetime
) -> ApiRequest:
    """Remember that ``key`` filed petition ``case_id`` (and the media URL it sent)."""
    row = ApiRequest(case_id=case_id, api_key_id=key.id, media_url=media_url, created_at=now)  # type: ignore[arg-type]
    session.add(row)
    await session.flush()
    return row
