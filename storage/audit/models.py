"""The append-only audit trail: who did what, when, to which object, with before/after data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from storage.db import utcnow


class AuditEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    actor_label: str | None = Field(default=None, max_length=120)  # "cli", "scheduler", ...
    action: str = Field(max_length=60, index=True)  # dotted: "role.granted", "case.answered"
    subject_type: str = Field(max_length=30)
    subject_id: str | None = Field(default=None, max_length=64, index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
