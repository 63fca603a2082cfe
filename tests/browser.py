"""Helpers for web chat tests: a real in-process server (aiohttp runner on 127.0.0.1, port 0) with the
dispatcher, the web chat channel and an outbox sender, plus headless Chromium via Playwright."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.channels.webchat import WebChatChannel
from bot.channels.webchat_limits import RateLimiter
from bot.config import load_settings
from bot.core.messages import Button, Reply
from bot.demo import DEMO_PERSONAS
from bot.dispatch import Dispatcher
from bot.outbox import OutboxSender
from bot.web import security_headers
from handlers.framework.services import Services
from storage.db import SessionFactory
from storage.outbox.services import enqueue
from storage.people.models import ChannelIdentity
from tests.world import make_services

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class ChatServer:
    url: str
    channel: WebChatChannel
    sender: OutboxSender
    dispatcher: Dispatcher
    services: Services
    runner: web.AppRunner

    async def push(self, browser_id: str, text: str, buttons: Sequence[Sequence[Button]] = ()) -> None:
        """Queue a message for the person behind a browser (as a feature would) and wake the sender."""
        from sqlmodel import select

        async with self.services.session_factory() as s:
            ident = (
                await s.exec(
                    select(ChannelIdentity).where(
                        ChannelIdentity.channel == "web", ChannelIdentity.external_id == browser_id
                    )
                )
            ).one()
            await enqueue(s, ident.person_id, Reply(text, tuple(tuple(r) for r in buttons)), kind="notice")
            await s.commit()
        self.sender.wake()

    async def stop(self) -> None:
        await self.sender.stop()
        await self.channel.stop()
        await self.runner.cleanup()


async def start_server(
    factory: SessionFactory,
    upload_dir: Path,
    *,
    demo: bool = False,
    rate_limiter: RateLimiter | None = None,
    secret_key: str | None = None,
) -> ChatServer:
    services = await make_services(factory, demo=demo)
    dispatcher = Dispatcher(services)
    settings = load_settings(secret_key=secret_key or "")
    web_app = web.Application(middlewares=[security_headers])
    channel = WebChatChannel(
        dispatcher,
        settings,
        web_app,
        factory,
        demo=demo,
        personas=DEMO_PERSONAS,
        upload_dir=upload_dir,
        rate_limiter=rate_limiter,
    )
    sender = OutboxSender(factory, {"web": channel}, idle_wait=0.2)
    services.wake_outbox = sender.wake
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    await channel.start()
    await sender.start()
    return ChatServer(f"http://{host}:{port}", channel, sender, dispatcher, services, runner)


async def launch_chromium(playwright: Any) -> Any:
    """Debian's chromium. Without it the browser tests are skipped on a developer's machine (with the
    install command), but fail in CI, where .ci/run installs it."""
    if not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true":
        import pytest

        pytest.skip("browser tests need Debian's chromium: apt-get install chromium")
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
