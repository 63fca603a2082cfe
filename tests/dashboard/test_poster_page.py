"""The printable poster: QR codes (SVG files) for the Telegram bot, the Zalo OA and the web chat
(each address written beside it), a village head's own village only, A4 print in Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dashboard.support import ARTIFACTS, Server, axe_violations, shoot, sign_in
from tests.world import World


@pytest.fixture(autouse=True)
def apps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "LoaLangKimBangBot")
    monkeypatch.setenv("ZALO_OA_ID", "1234567890")


async def test_the_poster_names_the_three_apps(server: Server, world: World) -> None:
    http = await server.client("village_head")
    async with http:
        async with http.get(f"{server.url}/admin/poster") as r:
            assert r.status == 200
            body = await r.text()
        async with http.get(f"{server.url}/admin/poster/qr/telegram.svg") as r:
            assert r.status == 200 and r.headers["Content-Type"].startswith("image/svg+xml")
            svg = await r.text()
        async with http.get(f"{server.url}/admin/poster?unit={world.ward_b}") as r:
            other = r.status
    assert "https://t.me/LoaLangKimBangBot" in body and "https://zalo.me/1234567890" in body
    assert f"{server.url}/" in body
    assert svg.startswith("<svg") and "<script" not in svg and "t.me/LoaLangKimBangBot" in svg
    assert other == 404  # a village head prints for their own village only


async def test_the_poster_in_chromium(server: Server, world: World, browser: Any) -> None:
    page = await browser.new_page()
    await sign_in(page, server, "head_a")
    await page.goto(f"{server.url}/admin/poster?unit={world.village_a1}")
    assert await page.locator(".poster-codes img").count() == 3
    for img in await page.locator(".poster-codes img").all():
        assert await img.evaluate("i => i.complete && i.naturalWidth > 0")
    assert await axe_violations(page) == []
    await shoot(page, "poster")
    await page.emulate_media(media="print")
    await page.set_viewport_size({"width": 794, "height": 1123})  # A4 portrait at 96 dpi
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "poster-print.png"), full_page=True)
