"""Telegram's own table: the reply keyboard each private chat shows.

A reply keyboard button comes back as a plain text message carrying its label. To hand the flows
the button press they asked for, the channel remembers, per chat, which button data each label of
the last reply keyboard stands for. Labels can hold personal data ("Use 0912 345 678"), so only a
digest of each label is kept, never the label itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from storage.db import utcnow


class TelegramKeyboard(SQLModel, table=True):
    """The reply keyboard last shown in ``chat_id``: ``choices`` is ``[[label digest, button data], ...]``."""

    __tablename__ = "telegram_keyboard"

    chat_id: str = Field(primary_key=True, max_length=64)
    choices: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    shown_at: datetime = Field(default_factory=utcnow)
