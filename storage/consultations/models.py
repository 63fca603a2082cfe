"""A draft put to residents for comment, the units it concerns, and the comments with their replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from storage.db import utcnow


class Consultation(SQLModel, table=True):
    """``status``: open (comments taken until ``closes_at``), closed (waiting for the summary),
    summarised (the summary of what was taken in and why the rest was not is published)."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    summary: str = Field(max_length=3000)
    attachment: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    author_id: int = Field(foreign_key="person.id", index=True)
    author_role: str = Field(max_length=24)
    opens_at: datetime = Field(default_factory=utcnow)
    closes_at: datetime = Field(index=True)
    status: str = Field(default="open", max_length=12, index=True)
    recipients: int = 0
    result_text: str | None = Field(default=None, max_length=4000)
    summarised_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class ConsultationTarget(SQLModel, table=True):
    """A unit whose residents (and those of the units below it) the draft concerns."""

    consultation_id: int = Field(foreign_key="consultation.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)


class ConsultationComment(SQLModel, table=True):
    """One comment (a person may comment more than once): text and/or one file or voice message;
    ``village_id`` is where the person lived then (comments are grouped by it)."""

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    village_id: int | None = Field(default=None, foreign_key="unit.id")
    text: str = Field(default="", max_length=4000)
    attachment: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)
    reply: str | None = Field(default=None, max_length=2000)
    replied_by: int | None = Field(default=None, foreign_key="person.id")
    replied_at: datetime | None = None
