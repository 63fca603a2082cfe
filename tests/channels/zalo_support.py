"""Test wiring for the Zalo channel: fake Zalo API, dispatcher, webhook served on 127.0.0.1."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.zalo import ZaloChannel, ZaloOptions
from bot.channels.zalo_tokens import save_tokens
from bot.config import Settings
from bot.dispatch import Dispatcher
from bot.outbox import UNLIMITED, OutboxSender
from handlers.framework.services import Services
from storage.db import SessionFactory
from tests.fakes.zalo_api import FakeZaloAPI, SentMessage
from tests.world import make_services


def zalo_settings(fake: FakeZaloAPI) -> Settings:
    return Settings(
        zalo_app_id=fake.app_id,
        zalo_app_secret=fake.app_secret,
        zalo_oa_secret_key=fake.oa_secret_key,
        zalo_api_base_url=fake.url,
        zalo_oauth_base_url=fake.url,
        _env_file=None,
    )  # type: ignore[call-arg]


@dataclass
class ZaloEnv:
    fake: FakeZaloAPI
    channel: ZaloChannel
    client: TestClient
    services: Services
    dispatcher: Dispatcher
    factory: SessionFactory

    async def post(self, event_name: str, user: str, **kw: Any) -> int:
        """Deliver one signed event and wait until it is processed; returns the HTTP status."""
        raw, headers = self.fake.event(event_name, user, **kw)
        return await self.post_raw(raw, headers)

    async def post_raw(self, raw: bytes, headers: dict[str, str]) -> int:
        resp = await self.client.post("/zalo/webhook", data=raw, headers=headers)
        await resp.read()
        await self.channel.drain()
        return resp.status

    async def say(self, user: str, text: str) -> list[SentMessage]:
        n = len(self.fake.sent(user))
        await self.post("user_send_text", user, text=text)
        return self.fake.sent(user)[n:]

    async def press(self, user: str, label_part: str) -> list[SentMessage]:
        """Tap a query button of the latest message that has it: Zalo sends its payload as text."""
        for m in reversed(self.fake.sent(user)):
            for b in m.buttons:
                if label_part.lower() in b["title"].lower():
                    return await self.say(user, b["payload"])
        raise AssertionError(f"no button {label_part!r}")

    async def choose(self, user: str, label_part: str) -> list[SentMessage]:
        """Type the number of a numbered choice."""
        for m in reversed(self.fake.sent(user)):
            for line in (m.text or "").splitlines():
                mm = re.match(r"^(\d+)\. (.*)$", line)
                if mm and label_part.lower() in mm.group(2).lower():
                    return await self.say(user, mm.group(1))
        raise AssertionError(f"no numbered choice {label_part!r}")

    def sender(self) -> OutboxSender:
        return OutboxSender(self.factory, {"zalo": self.channel}, limits={"zalo": UNLIMITED}, backoff_base=0.01)


async def make_env(
    factory: SessionFactory, fake: FakeZaloAPI, options: ZaloOptions | None = None, *, tokens: bool = True
) -> ZaloEnv:
    services = await make_services(factory)
    dispatcher = Dispatcher(services)
    web_app = web.Application()
    channel = ZaloChannel(
        dispatcher,
        zalo_settings(fake),
        web_app,
        factory,
        options=options or ZaloOptions(sweep_interval=3600),
        wake_outbox=lambda: services.wake_outbox(),
    )
    if tokens:
        access, refresh = fake.issue_tokens()
        await save_tokens(factory, fake.app_id, access, refresh, 90000)
    client = TestClient(TestServer(web_app, host="127.0.0.1"))
    await client.start_server()
    await channel.start()
    return ZaloEnv(fake, channel, client, services, dispatcher, factory)


async def close_env(env: ZaloEnv) -> None:
    await env.channel.stop()
    await env.client.close()
