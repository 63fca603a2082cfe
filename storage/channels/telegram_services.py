"""The reply keyboard a Telegram chat shows: remember its choices, map a tapped label back, forget it.

Storage keeps digests and button data only; which label belongs to which data is decided by the
channel (``bot.channels.telegram_keyboard``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.channels.telegram import TelegramKeyboard

__all__ = ["KEYBOARD_TTL", "forget_keyboard", "keyboard_choice", "keyboard_of", "remember_keyboard"]

KEYBOARD_TTL = timedelta(days=7)
"""A keyboard older than this is not trusted: its question is long gone."""


async def remember_keyboard(
    session: AsyncSession, chat_id: str, choices: Sequence[tuple[str, str]], now: datetime
) -> None:
    """The chat now shows a reply keyboard whose label digests stand for these button data."""
    pairs = [[digest, data] for digest, data in choices]
    conn = await session.connection()
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(TelegramKeyboard).values(chat_id=chat_id, choices=pairs, shown_at=now)
    # One statement whatever was there (no read first).
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["chat_id"], set_={"choices": stmt.excluded.choices, "shown_at": stmt.excluded.shown_at}
        )
    )


async def forget_keyboard(session: AsyncSession, chat_id: str) -> None:
    """The chat's reply keyboard is gone (removed, or replaced by one without choices)."""
    await session.exec(delete(TelegramKeyboard).where(col(TelegramKeyboard.chat_id) == chat_id))


async def keyboard_choice(session: AsyncSession, chat_id: str, digest: str, now: datetime) -> str | None:
    """The button data of the label with this digest on the chat's current keyboard, if any."""
    row = await session.get(TelegramKeyboard, chat_id)
    if row is None or now - row.shown_at > KEYBOARD_TTL:
        return None
    return next((str(data) for d, data in row.choices if d == digest), None)


async def keyboard_of(session: AsyncSession, chat_id: str) -> tuple[datetime | None, dict[str, str]]:
    """When the chat's keyboard was shown (None: it shows none) and its label digests → button data."""
    row = await session.get(TelegramKeyboard, chat_id)
    if row is None:
        return None, {}
    return row.shown_at, {str(d): str(data) for d, data in row.choices}
