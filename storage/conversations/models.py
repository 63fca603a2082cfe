"""Conversation state per person (flow, step, drafts) and the record of processed deliveries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlalchemy.ext.mutable import MutableDict
from sqlmodel import Field, SQLModel

from storage.db import utcnow


class Conversation(SQLModel, table=True):
    """Where a person is in a flow. ``data`` holds one draft dict per flow name, so starting another
    flow never loses a half-written petition. ``seq`` numbers prompts: step buttons carry it, which
    makes stale and double-tapped buttons detectable. ``version`` guards against two processes."""

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    flow: str | None = Field(default=None, max_length=40)
    step: str | None = Field(default=None, max_length=40)
    seq: int = 0
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(MutableDict.as_mutable(JSON), nullable=False))
    version: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


@dataclass
class ConversationState:
    """A person's ``Conversation`` row as one update reads and changes it: a plain object, not an
    ORM instance, because the dispatcher writes it back once, with a version check (``version``)."""

    person_id: int
    flow: str | None = None
    step: str | None = None
    seq: int = 0
    data: dict[str, Any] = field(default_factory=dict)
    version: int = 0


class ProcessedEvent(SQLModel, table=True):
    """A delivery (Telegram update_id, Zalo msg_id, web chat id) already handled: redeliveries are dropped."""

    channel: str = Field(primary_key=True, max_length=16)
    event_id: str = Field(primary_key=True, max_length=128)
    at: datetime = Field(default_factory=utcnow, index=True)
