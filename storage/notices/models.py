"""Notices from village heads and officials to the residents of units, and who pressed "Đã xem".

Deliveries themselves are outbox rows (``ref_type='notice'``, ``ref_id=notice.id``); the report
counts them by status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.db import utcnow


class Notice(SQLModel, table=True):
    """One notice. ``status``: scheduled (waits for ``send_at``), sent (queued for every recipient),
    cancelled. ``attachment`` is an ``Attachment`` as a dict (platform file id) or None."""

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="person.id", index=True)
    author_role: str = Field(max_length=24)
    text: str = Field(max_length=4000)
    attachment: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    status: str = Field(default="scheduled", max_length=12, index=True)
    send_at: datetime = Field(default_factory=utcnow, index=True)
    sent_at: datetime | None = None
    recipients: int = 0
    cancelled_at: datetime | None = None
    cancelled_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)


class NoticeTarget(SQLModel, table=True):
    """A unit a notice is addressed to (its residents and those of every unit below it)."""

    notice_id: int = Field(foreign_key="notice.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)


class NoticeSeen(SQLModel, table=True):
    """A resident pressed "Đã xem" on a notice (once per person)."""

    __table_args__ = (UniqueConstraint("notice_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    at: datetime = Field(default_factory=utcnow)
