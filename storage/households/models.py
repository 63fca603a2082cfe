"""Households of a village, who belongs to them, who represents them, and handovers.

A person is in at most one household (a partial unique index on the active membership), a household
has at most one current representative (the same on the open representative row), and neither
history is ever deleted: a membership or a representation ends with ``left_at`` / ``until``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from storage.db import utcnow

HOUSEHOLD_STATUSES = ("pending", "confirmed", "rejected", "dissolved")


class Household(SQLModel, table=True):
    """One household of a village. ``code`` is what the representative shares so members can join;
    ``number`` is the village's own household number (from an imported list), when known."""

    __table_args__ = (Index("uq_household_village_number", "village_id", "number", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="unit.id", index=True)
    number: str | None = Field(default=None, max_length=32)
    head_name: str = Field(max_length=200)
    size: int = 1
    code: str = Field(unique=True, max_length=16)
    status: str = Field(default="pending", max_length=12, index=True)
    source: str = Field(default="chat", max_length=12)  # chat, import
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)
    confirmed_by: int | None = Field(default=None, foreign_key="person.id")
    confirmed_at: datetime | None = Field(default=None, index=True)


class HouseholdMember(SQLModel, table=True):
    """A person's membership of a household, from ``joined_at`` until ``left_at`` (None: current).
    ``left_reason``: left, moved (their village changed), erased (/forget), dissolved."""

    __table_args__ = (
        Index(
            "uq_householdmember_active_person",
            "person_id",
            unique=True,
            sqlite_where=text("left_at IS NULL"),
            postgresql_where=text("left_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    adult: bool = False
    joined_at: datetime = Field(default_factory=utcnow)
    left_at: datetime | None = None
    left_reason: str | None = Field(default=None, max_length=16)


class HouseholdRepresentative(SQLModel, table=True):
    """Who represented a household from ``since`` until ``until`` (None: now); ``confirmed_by`` is the
    village head who confirmed it (None when it came with a confirmed declaration)."""

    __table_args__ = (
        Index(
            "uq_householdrep_current",
            "household_id",
            unique=True,
            sqlite_where=text('"until" IS NULL'),
            postgresql_where=text('"until" IS NULL'),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    since: datetime = Field(default_factory=utcnow)
    until: datetime | None = None
    end_reason: str | None = Field(default=None, max_length=16)  # handover, moved, left, erased
    confirmed_by: int | None = Field(default=None, foreign_key="person.id")


class HouseholdHandover(SQLModel, table=True):
    """A representative asked to hand over to another adult member (or, with no representative left,
    an adult member asked to take it up); the village head decides.
    ``status``: pending, confirmed, refused, void (the household changed before a decision)."""

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    from_person_id: int | None = Field(default=None, foreign_key="person.id")  # None: nobody represents it
    to_person_id: int = Field(foreign_key="person.id")
    status: str = Field(default="pending", max_length=12, index=True)
    requested_at: datetime = Field(default_factory=utcnow)
    decided_by: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime | None = None
