"""Web chat with several workers on PostgreSQL: a push stored by one worker reaches the browser
whose socket another worker holds (LISTEN/NOTIFY), and a second tab on another worker sees the
conversation live. Without the bus (SQLite, one process) pushes stay in the process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

from bot.channels.webchat import WebChatChannel
from bot.channels.webchat_bus import PgPushBus, asyncpg_dsn
from bot.channels.webchat_identity import COOKIE
from bot.config import load_settings
from bot.core.messages import Reply
from bot.dispatch import Dispatcher
from bot.web import security_headers
from tests.world import make_services


@asynccontextmanager
async def worker(factory: Any, database_url: str, upload_dir: Path) -> AsyncIterator[tuple[str, WebChatChannel]]:
    """One ``loalang run`` process's web chat: its own server, dispatcher and bus."""
    services = await make_services(factory)
    web_app = web.Application(middlewares=[security_headers])
    channel = WebChatChannel(
        Dispatcher(services),
        load_settings(secret_key=""),
        web_app,
        factory,
        upload_dir=upload_dir,
        bus=PgPushBus(asyncpg_dsn(database_url), retry=0.2),
    )
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    await channel.start()
    try:
        yield f"http://{host}:{port}", channel
    finally:
        await channel.stop()
        await runner.cleanup()


async def frames_until(ws: aiohttp.ClientWebSocketResponse, kind: str) -> list[dict[str, Any]]:
    out = []
    while True:
        f = await ws.receive_json(timeout=5)
        out.append(f)
        if f["type"] == kind:
            return out


async def next_message(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    while True:
        f = await ws.receive_json(timeout=5)
        if f["type"] == "message":
            return f


async def test_a_push_reaches_the_socket_another_worker_holds(database_url, session_factory, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers share one database on PostgreSQL only")
    async with (
        worker(session_factory, database_url, tmp_path / "a") as (url_a, _a),
        worker(session_factory, database_url, tmp_path / "b") as (url_b, b),
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as c,
        c.ws_connect(url_a + "/ws") as tab1,
    ):  # the browser's socket is on worker A
        await tab1.send_json({"type": "hello", "after": 0, "lang": "vi"})
        await frames_until(tab1, "ready")
        await tab1.send_json({"type": "text", "id": "client-w001", "text": "/start"})
        await frames_until(tab1, "ack")
        browser_id = c.cookie_jar.filter_cookies(URL(url_a))[COOKIE].value.rpartition(".")[0]

        # Worker B's outbox sender delivers a notice for this browser.
        await b.send(browser_id, Reply("Thông báo: họp tổ dân phố 19 giờ."))
        live = await next_message(tab1)
        assert live["text"] == "Thông báo: họp tổ dân phố 19 giờ." and live["from"] == "bot"

        # A second tab of the same browser, on worker B, sees what the first tab says and gets.
        c.cookie_jar.update_cookies(c.cookie_jar.filter_cookies(URL(url_a)), URL(url_b))
        async with c.ws_connect(url_b + "/ws") as tab2:
            await tab2.send_json({"type": "hello", "after": live["id"], "lang": "vi"})
            await frames_until(tab2, "ready")
            await tab1.send_json({"type": "text", "id": "client-w002", "text": "/help"})
            mine = await next_message(tab2)
            answer = await next_message(tab2)
            assert mine["text"] == "/help" and mine["from"] == "me"
            assert answer["from"] == "bot" and answer["id"] > mine["id"]
