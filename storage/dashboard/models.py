"""Dashboard sign-in: one-time login tokens sent in the chat, and the browser sessions they open.

Only SHA-256 hashes of the secrets are stored (a database dump opens no session); sessions live in
the database so several workers and a restart keep people signed in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from storage.db import utcnow


class DashboardLoginToken(SQLModel, table=True):
    """A one-time sign-in link: valid ``TOKEN_TTL`` (10 minutes), used at most once."""

    __tablename__ = "dashboard_login_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class DashboardSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds the secret; here only its hash, the CSRF token of the
    session's forms, the chosen language and the last request (idle expiry)."""

    __tablename__ = "dashboard_session"
    __table_args__ = (Index("ix_dashboard_session_person", "person_id", "ended_at"),)

    id: int | None = Field(default=None, primary_key=True)
    session_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id")
    csrf_token: str = Field(max_length=64)
    locale: str = Field(default="vi", max_length=8)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
