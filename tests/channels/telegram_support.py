"""The Telegram rig for tests: a fake Bot API server, a dispatcher and a started Telegram channel,
with helpers to act as a person, and the ``fake``/``rig`` fixtures (imported by the conftest files
of the test folders that drive Telegram)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from bot.app import command_menu
from bot.channels.telegram import TelegramChannel
from bot.config import load_settings
from bot.core.messages import Incoming
from bot.dispatch import Dispatcher
from storage.db import SessionFactory
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.world import make_services

TOKEN = "123456:TEST-token-abcdef"
USER = 5001


class Rig:
    """A fake Bot API, a dispatcher and a started Telegram channel, plus helpers to act as a person."""

    def __init__(self, fake: FakeTelegramAPI, factory: SessionFactory, database_url: str, **settings: Any) -> None:
        self.fake, self.factory, self.database_url, self.extra = fake, factory, database_url, settings
        self.handled: Counter[str] = Counter()
        self._event = asyncio.Event()
        self.web_app = web.Application()
        self.channel: TelegramChannel | None = None

    def settings(self) -> Any:
        return load_settings(
            telegram_bot_token=TOKEN,
            telegram_api_base_url=f"{self.fake.url}/bot",
            telegram_file_base_url=f"{self.fake.url}/file/bot",
            database_url=self.database_url,
            **self.extra,
        )

    async def start(self) -> TelegramChannel:
        services = await make_services(self.factory)
        self.web_app = web.Application()
        dispatcher = Dispatcher(services)
        ch = TelegramChannel(
            dispatcher,
            self.settings(),
            self.web_app,
            commands=command_menu(dispatcher.registry),
            session_factory=self.factory,
        )
        original = ch.handle

        async def counted(inc: Incoming, **kw: Any) -> None:
            try:
                await original(inc, **kw)
            finally:
                self.handled[inc.event_id or ""] += 1
                self._event.set()

        ch.handle = counted  # type: ignore[method-assign]
        await ch.start()
        self.channel = ch
        return ch

    async def stop(self) -> None:
        if self.channel is not None:
            await self.channel.stop()

    async def handled_times(self, update_id: int, times: int = 1, timeout: float = 5.0) -> None:
        async def wait() -> None:
            while self.handled[str(update_id)] < times:
                self._event.clear()
                await self._event.wait()

        await asyncio.wait_for(wait(), timeout)

    async def act(self, update: dict[str, Any], user: int = USER) -> list[dict[str, Any]]:
        """Push an update, wait until it is handled, return the messages sent to the user meanwhile."""
        before = len(self.fake.sent(user))
        uid = self.fake.push_update(update)
        await self.handled_times(uid)
        return self.fake.sent(user)[before:]

    async def say(self, text: str, user: int = USER, **kw: Any) -> list[dict[str, Any]]:
        if text.startswith("/"):
            cmd, _, args = text.partition(" ")
            return await self.act(self.fake.make_command_update(user, cmd, args, **kw), user)
        return await self.act(self.fake.make_text_update(user, text, **kw), user)

    async def press(self, records: list[dict[str, Any]], label: str, user: int = USER) -> list[dict[str, Any]]:
        """Press the button ``label``: an inline one, else one of the reply keyboard (``tap``)."""
        try:
            data = button_data(records, label)
        except AssertionError:
            return await self.tap(records, label, user)
        return await self.act(self.fake.make_callback_update(user, data), user)

    async def tap(self, records: list[dict[str, Any]], label: str, user: int = USER) -> list[dict[str, Any]]:
        """Tap a reply keyboard button as the Telegram app does: a text message with its label (a
        request button sends the person's contact or a location instead)."""
        button = keyboard_button(records, label)
        if button.get("request_contact"):
            return await self.act(self.fake.make_contact_update(user, "+84912345678"), user)
        if button.get("request_location"):
            return await self.act(self.fake.make_location_update(user, 20.5635, 105.8672), user)
        return await self.act(self.fake.make_text_update(user, str(button["text"])), user)


def button_data(records: list[dict[str, Any]], label: str) -> str:
    for r in reversed(records):
        markup = r.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for b in row:
                if label.lower() in b["text"].lower():
                    return str(b["callback_data"])
    raise AssertionError(f"no button {label!r} in {[r['reply_markup'] for r in records]}")


def keyboard_button(records: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """The button ``label`` (a case-insensitive part of it) of the last reply keyboard sent."""
    for r in reversed(records):
        rows = (r.get("reply_markup") or {}).get("keyboard")
        if rows:
            for row in rows:
                for b in row:
                    if label.lower() in b["text"].lower():
                        return dict(b)
            break
    raise AssertionError(f"no keyboard button {label!r} in {[r['reply_markup'] for r in records]}")


def markups(records: list[dict[str, Any]]) -> list[str]:
    """What each message carries: "inline", "keyboard", "remove" or "none"."""
    out = []
    for r in records:
        m = r.get("reply_markup") or {}
        out.append("inline" if "inline_keyboard" in m else "keyboard" if "keyboard" in m else "remove" if m else "none")
    return out


def texts(records: list[dict[str, Any]]) -> str:
    return "\n".join(r["text"] or "" for r in records)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI(token=TOKEN) as server:
        yield server


@pytest.fixture
async def rig(fake: FakeTelegramAPI, session_factory: SessionFactory, database_url: str) -> AsyncIterator[Rig]:
    r = Rig(fake, session_factory, database_url)
    await r.start()
    yield r
    await r.stop()
