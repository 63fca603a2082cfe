"""A test backend (no network): push a neutral event through the real dispatcher and read the replies.

Used for the pure flow logic; channel tests drive the same flows through each adapter and its fake."""

from __future__ import annotations

import itertools
from typing import Any

from bot.core.messages import Incoming, Location, Reply
from bot.dispatch import Dispatcher

_ids = itertools.count(1)


class Chat:
    """One person on a pretend channel."""

    def __init__(
        self, dispatcher: Dispatcher, user_id: str = "1", channel: str = "test", language_code: str | None = "vi"
    ) -> None:
        self.d, self.user_id, self.channel, self.lang = dispatcher, user_id, channel, language_code
        self.last: list[Reply] = []

    async def _send(self, **kw: Any) -> list[Reply]:
        kw.setdefault("event_id", str(next(_ids)))
        inc = Incoming(channel=self.channel, user_id=self.user_id, language_code=self.lang, display_name="Dân", **kw)
        self.last = await self.d.handle(inc)
        return self.last

    async def say(self, text: str) -> list[Reply]:
        if text.startswith("/"):
            cmd, _, args = text[1:].partition(" ")
            return await self._send(command=cmd, args=args, text=text)
        return await self._send(text=text)

    async def press(self, label_part: str) -> list[Reply]:
        """Press the first button, in the latest replies, whose label contains ``label_part``."""
        for r in reversed(self.last):
            for row in r.buttons:
                for b in row:
                    if label_part.lower() in b.label.lower():
                        return await self._send(button=b.data)
        raise AssertionError(
            f"no button {label_part!r} in {[b.label for r in self.last for row in r.buttons for b in row]}"
        )

    async def share_location(self, lat: float, lon: float) -> list[Reply]:
        return await self._send(location=Location(lat, lon))

    async def share_contact(self, phone: str) -> list[Reply]:
        return await self._send(contact_phone=phone)

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.last)

    def buttons(self) -> list[str]:
        return [b.label for r in self.last for row in r.buttons for b in row]
