"""Web chat tables: each browser's message history (replayed on reconnect) and the signing key
kept in the database when ``SECRET_KEY`` is not set (so identities survive restarts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from storage.db import utcnow


class WebChatMessage(SQLModel, table=True):
    """One message shown in a browser's chat: ``direction`` "in" (the person wrote it) or "out"
    (a reply or a push). ``payload`` is ``Reply.to_dict()`` for "out", ``{"text": ...}`` for "in".
    The id orders the history; a reconnecting client asks for everything after the last id it has."""

    __tablename__ = "webchat_message"
    __table_args__ = (Index("ix_webchat_message_browser_id_id", "browser_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    browser_id: str = Field(max_length=64)
    direction: str = Field(max_length=3)
    client_id: str | None = Field(default=None, max_length=64)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class WebChatKey(SQLModel, table=True):
    """A generated secret (``name="cookie"``): created once, read by every process."""

    __tablename__ = "webchat_key"

    name: str = Field(primary_key=True, max_length=32)
    value: str = Field(max_length=128)
    created_at: datetime = Field(default_factory=utcnow)
