"""The reply keyboard a Telegram chat shows, and its taps mapped back to button presses.

A Telegram message carries one markup. So that every choice of a question arrives in one message, a
question that asks for the phone or the location (a reply keyboard: only it can request them) shows
its other choices as reply keyboard buttons too (``telegram_render``). A tap on such a button comes
back as a text message holding the label; this module maps that label to the button's data, so the
flows keep receiving the button press they offered (a stale one is recognised by the dispatcher as
usual).

The mapping of the last keyboard is kept per chat in the database (several processes, restarts);
without a session factory (benchmarks) it is kept in this process. Labels can hold personal data
("Use 0912 345 678"), so only a keyed digest of each label is stored.

With ``local`` (this process is the only one that talks to its chats: SQLite, or long polling) a
chat's keyboard is read from the database once and then known here: a text costs no database
session, and showing the same keyboard again writes nothing. Several webhook workers read it every time.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from storage.channels import telegram_services as store
from storage.channels.telegram_services import KEYBOARD_TTL
from storage.db import SessionFactory, utcnow

log = logging.getLogger(__name__)

__all__ = ["MAX_LABEL", "Keyboards", "label_digest"]

MAX_LABEL = 128
"""Longer text is typed, not a tapped label (ours are cut at 64 characters)."""


def label_digest(chat_id: str, label: str) -> str:
    return hashlib.blake2b(label.strip().encode(), key=chat_id.encode()[:64], digest_size=16).hexdigest()


class Keyboards:
    """``shown`` after a reply keyboard was sent, ``removed`` after it was taken away, ``choice`` for a text."""

    def __init__(
        self, factory: SessionFactory | None, clock: Callable[[], datetime] = utcnow, *, local: bool = False
    ) -> None:
        self.factory = factory
        self.clock = clock
        self.local = local
        self._memory: dict[str, dict[str, str]] = {}
        self._known: dict[str, tuple[datetime, dict[str, str]]] = {}  # local: chat → (shown at, mapping)

    def _note(self, chat_id: str, mapping: dict[str, str], at: datetime) -> None:
        if len(self._known) > 50_000:  # keep memory flat: forgetting only costs one read later
            self._known.clear()
        self._known[chat_id] = (at, mapping)

    async def shown(self, chat_id: str, choices: Sequence[tuple[str, str]]) -> None:
        """The chat now shows a reply keyboard with these (label, data) choices (maybe none)."""
        pairs = [(label_digest(chat_id, label), data) for label, data in choices]
        if self.factory is None:
            self._memory[chat_id] = dict(pairs)
            return
        now = self.clock()
        if self.local:
            known = self._known.get(chat_id)
            if known is not None and known[1] == dict(pairs) and (not pairs or now - known[0] < KEYBOARD_TTL / 2):
                return  # the chat already shows this keyboard (or none) as stored
            self._note(chat_id, dict(pairs), now)
        try:
            async with self.factory() as s:
                if pairs:
                    await store.remember_keyboard(s, chat_id, pairs, now)
                else:
                    await store.forget_keyboard(s, chat_id)
                await s.commit()
        except Exception:  # the message is out; a tap then reads as typed text, which flows still answer
            log.exception("could not remember the reply keyboard of chat %s", chat_id)
            self._known.pop(chat_id, None)

    async def removed(self, chat_id: str) -> None:
        await self.shown(chat_id, ())

    async def choice(self, chat_id: str, text: str) -> str | None:
        """The button data of the keyboard button whose label is ``text``, if the chat shows one."""
        if not text.strip() or len(text) > MAX_LABEL or "\n" in text.strip():
            return None
        digest = label_digest(chat_id, text)
        if self.factory is None:
            return self._memory.get(chat_id, {}).get(digest)
        now = self.clock()
        if self.local and (known := self._known.get(chat_id)) is not None:
            return known[1].get(digest) if now - known[0] <= KEYBOARD_TTL else None
        try:
            async with self.factory() as s:
                if self.local:
                    shown_at, pairs = await store.keyboard_of(s, chat_id)
                    self._note(chat_id, pairs, shown_at or now)
                    return pairs.get(digest) if shown_at and now - shown_at <= KEYBOARD_TTL else None
                return await store.keyboard_choice(s, chat_id, digest, now)
        except Exception:
            log.exception("could not read the reply keyboard of chat %s", chat_id)
            return None
