"""People, their identities on each channel, their roles in units, and single-use role invites."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.db import utcnow


class Person(SQLModel, table=True):
    """A resident or official. Locale fields feed the locale choice; consent is kept as evidence."""

    id: int | None = Field(default=None, primary_key=True)
    display_name: str | None = Field(default=None, max_length=200)
    locale: str | None = Field(default=None, max_length=8)  # explicit choice (/language)
    detected_locale: str | None = Field(default=None, max_length=8)
    platform_locale: str | None = Field(default=None, max_length=8)
    consent_given: bool | None = None  # None: not asked yet; False: declined or withdrawn
    consent_at: datetime | None = None
    consent_version: str | None = Field(default=None, max_length=20)
    ward_id: int | None = Field(default=None, foreign_key="unit.id")
    village_id: int | None = Field(default=None, foreign_key="unit.id")
    phone: str | None = Field(default=None, max_length=32)
    onboarded_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    erased_at: datetime | None = None


class ChannelIdentity(SQLModel, table=True):
    """How to reach a person on one channel (Telegram user, Zalo user, web chat browser)."""

    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=128)
    chat_id: str | None = Field(default=None, max_length=128)
    unreachable: bool = False
    last_inbound_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class RoleGrant(SQLModel, table=True):
    """A role held in a unit. Revoked grants are kept (revoked_at) for the audit trail."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(max_length=24)  # one of bot.core.roles.ROLES
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    categories: list[str] | None = Field(default=None, sa_column=Column(JSON))
    granted_at: datetime = Field(default_factory=utcnow)
    granted_by: str | None = Field(default=None, max_length=120)
    revoked_at: datetime | None = None
    revoked_by: str | None = Field(default=None, max_length=120)


class Invite(SQLModel, table=True):
    """A single-use, expiring code that grants a role; only its hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(unique=True, max_length=64)
    role: str = Field(max_length=24)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    categories: list[str] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = Field(default=None, max_length=120)
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = Field(default=None, foreign_key="person.id")

    def extra(self) -> dict[str, Any]:
        return {"role": self.role, "unit_id": self.unit_id}
