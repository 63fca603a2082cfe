"""The persistent outbox: every outbound message that is not the direct reply to a person's action."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from storage.db import utcnow

OUTBOX_STATUSES = ("queued", "sending", "sent", "failed", "unreachable", "waiting", "cancelled")


class OutboxMessage(SQLModel, table=True):
    """One message to one recipient on one channel. ``payload`` is ``Reply.to_dict()``.
    ``dedupe_key`` (unique) makes enqueueing idempotent, e.g. "reminder:42:80"."""

    __table_args__ = (Index("ix_outbox_ready", "status", "channel", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    recipient: str = Field(max_length=128)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    kind: str = Field(max_length=20)  # status, notice, lesson, reminder, digest, escalation
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    priority: int = 5  # lower is sent first
    status: str = Field(default="queued", max_length=12)
    attempts: int = 0
    not_before: datetime = Field(default_factory=utcnow)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)
    dedupe_key: str | None = Field(default=None, unique=True, max_length=120)
    ref_type: str | None = Field(default=None, max_length=20)
    ref_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)
