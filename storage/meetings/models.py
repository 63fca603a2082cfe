"""A village meeting and each household's answer to it (will come / cannot come).

The link to a decision is on the meeting (``decision_id``, nullable, unique): the decisions tables
stay as they are, and a decision is taken at one meeting at most.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from storage.db import utcnow

MEETING_STATUSES = ("announced", "cancelled")
ANSWERS = ("yes", "no")


class Meeting(SQLModel, table=True):
    """A meeting of ``village_id``'s households. It is held once ``starts_at`` has passed; the
    minutes (text and/or a photo or PDF, an Attachment as a dict) come after. ``reminded`` counts the
    reminders sent (day before, hour before)."""

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="unit.id", index=True)
    agenda: str = Field(max_length=2000)
    place: str = Field(max_length=300)
    starts_at: datetime = Field(index=True)
    status: str = Field(default="announced", max_length=12, index=True)
    decision_id: int | None = Field(default=None, foreign_key="decision.id", unique=True)
    created_by: int = Field(foreign_key="person.id")
    created_role: str = Field(max_length=24)
    created_at: datetime = Field(default_factory=utcnow)
    households: int = 0  # confirmed households of the village when it was announced
    reminded: int = 0
    minutes_text: str | None = Field(default=None, max_length=4000)
    minutes_file: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    minutes_at: datetime | None = Field(default=None, index=True)
    minutes_by: int | None = Field(default=None, foreign_key="person.id")


class MeetingAttendance(SQLModel, table=True):
    """A household's answer: ``yes`` (will come) or ``no`` (cannot come), changeable until the start;
    ``person_id`` is who answered (None after /forget)."""

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    household_id: int = Field(foreign_key="household.id", primary_key=True, index=True)
    answer: str = Field(max_length=4)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    channel: str = Field(default="", max_length=16)
    first_at: datetime = Field(default_factory=utcnow)
    last_at: datetime = Field(default_factory=utcnow)
