"""Zalo OA tables: the token pair, the inbound event log (persist, then process; dedupe on msg_id),
per-user state (last message id, pending numbered choices) and the daily send counter for the quota."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from storage.db import utcnow


class ZaloToken(SQLModel, table=True):
    """The OA's current access/refresh token pair. Refresh tokens are single-use: both are written in
    one transaction, under a row lock, before the new access token is used."""

    app_id: str = Field(primary_key=True, max_length=64)
    access_token: str = Field(max_length=2048)
    refresh_token: str = Field(max_length=2048)
    access_expires_at: datetime
    refreshed_at: datetime = Field(default_factory=utcnow)
    refresh_count: int = 0
    last_error: str | None = Field(default=None, max_length=300)


class ZaloEvent(SQLModel, table=True):
    """One webhook delivery, stored before we answer 200. ``event_key`` is the msg_id (or, for events
    without a message, name:user:timestamp); a redelivery hits the unique key and is ignored."""

    id: int | None = Field(default=None, primary_key=True)
    event_key: str = Field(unique=True, max_length=160)
    event_name: str = Field(max_length=40)
    user_id: str | None = Field(default=None, max_length=64)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    received_at: datetime = Field(default_factory=utcnow)
    processed_at: datetime | None = Field(default=None, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=300)


class ZaloUser(SQLModel, table=True):
    """Per Zalo user: the last message id (replies quote it) and the numbered choices last shown
    (``[[label, data], ...]``) so that a typed number maps back to the button."""

    user_id: str = Field(primary_key=True, max_length=64)
    last_msg_id: str | None = Field(default=None, max_length=128)
    last_msg_at: datetime | None = None
    choices: list[Any] | None = Field(default=None, sa_column=Column(JSON))
    choices_at: datetime | None = None
    followed: bool | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class ZaloSendCount(SQLModel, table=True):
    """Messages pushed per local day and outbox kind (the broadcast quota counts kind "notice")."""

    day: str = Field(primary_key=True, max_length=10)
    kind: str = Field(primary_key=True, max_length=20)
    count: int = 0
