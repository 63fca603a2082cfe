"""The dashboard under test: a real aiohttp server on 127.0.0.1 (port 0) with the dashboard mounted
on the shared ``world``'s services, a controllable clock, sign-in helpers (a link as ``/dashboard``
sends it, a signed-in HTTP client or Chromium page), and screenshot/accessibility helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

import handlers.features  # noqa: F401  (every feature's signal receivers, as in the app)
from bot.dashboard import mount
from bot.web import security_headers
from storage import dashboard
from storage.db import utcnow
from tests.world import World

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"


@dataclass
class Clock:
    at: datetime = field(default_factory=utcnow)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kw: float) -> None:
        self.at += timedelta(**kw)


@dataclass
class Server:
    url: str
    world: World
    clock: Clock
    runner: web.AppRunner

    async def link(self, key: str) -> str:
        """A sign-in link for one of the world's staff, as /dashboard would send it."""
        async with self.world.factory() as s:
            grants = await self.world.grants(s, key)
            token = await dashboard.issue_login_token(s, self.world.ids[key], grants, now=self.clock())
            await s.commit()
        return f"{self.url}/admin/login/{token}"

    async def client(self, key: str) -> aiohttp.ClientSession:
        """An HTTP client signed in as ``key`` (the caller closes it)."""
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        async with http.post(await self.link(key), allow_redirects=False) as r:
            assert r.status == 303, r.status
        return http

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start(world: World, *, secure: bool = False) -> Server:
    clock = Clock()
    world.services.clock = clock
    web_app = web.Application(middlewares=[security_headers])
    mount(web_app, world.services, secure=secure)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    url = f"http://{host}:{port}"
    world.services.public_base_url = url
    return Server(url, world, clock, runner)


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


async def sign_in(page: Any, server: Server, key: str) -> None:
    """Open a sign-in link in Chromium and press the button, as a person would."""
    await page.goto(await server.link(key))
    await page.get_by_role("button", name=re.compile("Đăng nhập|Sign in")).click()
    await page.wait_for_url(re.compile(r"/admin/(?!login)"))


async def shoot(page: Any, name: str) -> None:
    """Full-page screenshots at 360 px and 1280 px into test-artifacts/dashboard/ (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (360, 1280):
        await page.set_viewport_size({"width": width, "height": 800})
        await page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)


async def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as it is now."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
