"""The disclosure register's tables.

A ``Disclosure`` is one item made public (an Art. 11 kind, a scope unit, a posting period). Its
text lives in ``DisclosureVersion`` rows: an edit after publication closes the current version
(``valid_to``) and opens a new one, so what residents saw and when stays readable. Deliveries are
outbox rows (``ref_type='disclosure'``); ``DisclosureOpened`` is who opened it (repeats stop for
them); ``DisclosureRelay`` is a village head's mark that they passed it on to households without
a channel; ``DisclosureWay`` the other Art. 12 ways ticked with their dates; a take-down is recorded
on the disclosure (who, when, why). ``DisclosureQuestion`` links a kiến nghị to the disclosure it
asks about; ``DocumentPass`` is a short-lived download pass for staff.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.db import utcnow


class Disclosure(SQLModel, table=True):
    """One disclosure. ``status``: published or taken_down. ``unit_id`` is the scope (the ward or
    one village), ``ward_id`` the ward it counts for. ``title``/``summary`` copy the current version;
    ``search_folded`` is both folded (searching without diacritics)."""

    __table_args__ = (Index("ix_disclosure_ward_period", "ward_id", "starts_on", "ends_on"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40, index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    ward_id: int = Field(foreign_key="unit.id")
    author_id: int = Field(foreign_key="person.id")
    status: str = Field(default="published", max_length=12)
    version: int = 1
    title: str = Field(max_length=200)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    search_folded: str = Field(default="", sa_column=Column(Text, nullable=False))
    starts_on: date
    ends_on: date
    broadcast_days: int = 0
    recipients: int = 0
    published_at: datetime = Field(default_factory=utcnow)
    taken_down_at: datetime | None = None
    taken_down_by: int | None = Field(default=None, foreign_key="person.id")
    take_down_reason: str | None = Field(default=None, max_length=500)


class DisclosureVersion(SQLModel, table=True):
    """The text of a disclosure as it was between ``valid_from`` and ``valid_to`` (None: current)."""

    __table_args__ = (UniqueConstraint("disclosure_id", "n"),)

    id: int | None = Field(default=None, primary_key=True)
    disclosure_id: int = Field(foreign_key="disclosure.id", index=True)
    n: int
    title: str = Field(max_length=200)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    starts_on: date
    ends_on: date
    valid_from: datetime = Field(default_factory=utcnow)
    valid_to: datetime | None = None
    edited_by: int = Field(foreign_key="person.id")
    note: str | None = Field(default=None, max_length=500)


class DisclosureDocument(SQLModel, table=True):
    """A document attached to a disclosure: the stored file (``storage.petitions.files``) and the
    platform reference it was sent with (to resend it on that channel)."""

    id: int | None = Field(default=None, primary_key=True)
    disclosure_id: int = Field(foreign_key="disclosure.id", index=True)
    key: str = Field(max_length=200)
    kind: str = Field(max_length=12)
    mime_type: str = Field(max_length=80)
    size: int
    sha256: str = Field(max_length=64)
    file_name: str | None = Field(default=None, max_length=200)
    channel: str | None = Field(default=None, max_length=16)
    attachment: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    added_in_version: int = 1
    added_at: datetime = Field(default_factory=utcnow)


class DisclosureWay(SQLModel, table=True):
    """An Art. 12 way the disclosure was made public, and the day."""

    __table_args__ = (UniqueConstraint("disclosure_id", "way", "on_date"),)

    id: int | None = Field(default=None, primary_key=True)
    disclosure_id: int = Field(foreign_key="disclosure.id", index=True)
    way: str = Field(max_length=40)
    on_date: date
    recorded_by: int | None = Field(default=None, foreign_key="person.id")
    recorded_at: datetime = Field(default_factory=utcnow)


class DisclosureOpened(SQLModel, table=True):
    """A resident opened the disclosure (once per person): no more daily repeats for them."""

    disclosure_id: int = Field(foreign_key="disclosure.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    at: datetime = Field(default_factory=utcnow)


class DisclosureRelay(SQLModel, table=True):
    """A village head marked that they passed the disclosure on to the households without a channel."""

    __table_args__ = (UniqueConstraint("disclosure_id", "village_id"),)

    id: int | None = Field(default=None, primary_key=True)
    disclosure_id: int = Field(foreign_key="disclosure.id", index=True)
    village_id: int = Field(foreign_key="unit.id")
    head_id: int = Field(foreign_key="person.id")
    at: datetime = Field(default_factory=utcnow)


class DisclosureQuestion(SQLModel, table=True):
    """A kiến nghị filed with "Hỏi về nội dung này" on a disclosure."""

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    disclosure_id: int = Field(foreign_key="disclosure.id", index=True)
    at: datetime = Field(default_factory=utcnow)


class DocumentPass(SQLModel, table=True):
    """A staff member's download pass for one document (works after the item stops being public)."""

    token: str = Field(primary_key=True, max_length=64)
    document_id: int = Field(foreign_key="disclosuredocument.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    expires_at: datetime
