"""The web chat in real headless Chromium (Debian's /usr/bin/chromium through Playwright): onboarding
through the page, buttons, a push while open, reconnects that show what was missed, an XSS payload
shown as text, the rate-limit and length messages, and a 360×740 screenshot in test-artifacts/."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlmodel import SQLModel, select

import storage.tables  # noqa: F401
from bot.channels.webchat_identity import COOKIE
from bot.channels.webchat_limits import RateLimiter
from bot.core.i18n import gettext
from storage.db import create_engine
from storage.db import session_factory as make_factory
from storage.people.models import Person
from storage.units.models import Unit
from tests.browser import ChatServer, launch_chromium, start_server

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="needs Debian's chromium"),
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT = 10_000


def vi(msgid: str) -> str:
    return gettext("vi", msgid)


@dataclass
class Env:
    server: ChatServer
    browser: Any


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def env(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Env]:
    from playwright.async_api import async_playwright

    engine = create_engine(database_url)
    async with engine.begin() as conn:  # same emptying as tests/conftest.py, once for this module
        names = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
        if engine.dialect.name == "postgresql":
            await conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
        else:
            for n in names:
                await conn.execute(text(f'DELETE FROM "{n}"'))
    server = await start_server(make_factory(engine), tmp_path_factory.mktemp("uploads"))
    async with async_playwright() as pw:
        browser = await launch_chromium(pw)
        yield Env(server, browser)
        await browser.close()
    await server.stop()
    await engine.dispose()


async def new_page(env: Env, context: Any = None) -> tuple[Any, Any]:
    context = context or await env.browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT)
    await page.goto(env.server.url + "/")
    return context, page


async def browser_id(context: Any) -> str:
    value = next(c["value"] for c in await context.cookies() if c["name"] == COOKIE)
    return str(value.rpartition(".")[0])


async def send(page: Any, message: str) -> None:
    await page.locator("#input").fill(message)
    await page.locator("#input").press("Enter")


async def test_onboarding_through_the_page_with_buttons(env: Env) -> None:
    context, page = await new_page(env)
    # The page opens with /start: welcome and the consent question with its buttons.
    await page.get_by_role("button", name=vi("I agree")).click()
    await page.get_by_text(vi("Thank you. Your consent is recorded.")).wait_for()
    await send(page, "Kim Bảng")
    await page.get_by_role("button", name="Thôn Ngọc Sơn").last.click()
    await page.get_by_text(vi("Village: {name}.").format(name="Thôn Ngọc Sơn")).wait_for()
    phone = page.get_by_role("textbox", name=vi("Your phone number"))  # request_contact → a phone input
    await phone.wait_for()
    await page.get_by_role("button", name=vi("Skip")).last.click()
    await page.get_by_text(vi("You are all set. What would you like to do?")).wait_for()
    await phone.wait_for(state="hidden")  # the phone question is over
    assert await page.locator("#log .msg.pending").count() == 0
    # Buttons are large enough to tap (≥ 44 px) and the page does not scroll sideways at 360 px.
    for box in [await b.bounding_box() for b in await page.locator("#log .buttons button").all()]:
        assert box is not None and box["height"] >= 44
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "webchat-360.png"))
    bid = await browser_id(context)
    async with env.server.services.session_factory() as s:
        from storage.people.models import ChannelIdentity

        ident = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.external_id == bid))).one()
        person = await s.get(Person, ident.person_id)
        assert person is not None and person.onboarded_at is not None and person.consent_given is True
        ward = await s.get(Unit, person.ward_id)
        assert ward is not None and ward.code == "13384"
    await context.close()


async def test_push_while_open_and_what_was_missed_after_reconnects(env: Env) -> None:
    context, page = await new_page(env)
    await page.get_by_role("button", name=vi("I agree")).wait_for()
    bid = await browser_id(context)
    await env.server.push(bid, "Thông báo: họp tổ dân phố lúc 19 giờ.")
    await page.get_by_text("Thông báo: họp tổ dân phố lúc 19 giờ.").wait_for()

    # The connection drops (server side); a push arrives meanwhile; the page reconnects and shows it once.
    for ws in list(env.server.channel.sockets.get(bid, ())):
        await ws.close()
    await env.server.push(bid, "Phường đã tiếp nhận kiến nghị.")
    await page.get_by_text("Phường đã tiếp nhận kiến nghị.").wait_for()
    await page.locator("#status[data-state=online]").wait_for()

    # The page is closed; a push arrives; a new page in the same browser shows everything once.
    await page.close()
    await env.server.push(bid, "Kết quả giải quyết: đã sửa đèn đường thôn 1.")
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT)
    await page.goto(env.server.url + "/")
    await page.get_by_text("Kết quả giải quyết: đã sửa đèn đường thôn 1.").wait_for()
    for t in (
        "Thông báo: họp tổ dân phố lúc 19 giờ.",
        "Phường đã tiếp nhận kiến nghị.",
        "Kết quả giải quyết: đã sửa đèn đường thôn 1.",
    ):
        assert await page.locator("#log .msg", has_text=t).count() == 1
    await context.close()


async def test_xss_payload_is_shown_as_text(env: Env) -> None:
    payload = "<img src=x onerror=alert(1)>"
    context, page = await new_page(env)
    dialogs: list[str] = []
    page.on("dialog", lambda d: dialogs.append(d.message))
    await page.get_by_role("button", name=vi("I agree")).click()
    await page.get_by_text(vi("Thank you. Your consent is recorded.")).wait_for()
    await send(page, payload)  # typed as the ward name: the bot echoes it back
    await page.locator("#log .msg.bot", has_text=payload).first.wait_for()
    await env.server.push(await browser_id(context), f"Tin: {payload}")
    await page.get_by_text(f"Tin: {payload}").wait_for()
    assert await page.locator("#log .msg.me", has_text=payload).count() == 1
    assert await page.locator("#log img").count() == 0
    await page.wait_for_timeout(200)
    assert dialogs == []
    await context.close()


async def test_rate_limit_and_long_message_keep_the_text(env: Env) -> None:
    context, page = await new_page(env)
    await page.get_by_role("button", name=vi("I agree")).wait_for()
    long_text = "ă" * 4001
    await send(page, long_text)
    notice = page.locator("#notice")
    await notice.wait_for()
    assert "4001" in await notice.text_content()
    assert await page.locator("#input").input_value() == long_text  # nothing lost

    original = env.server.channel.limits
    env.server.channel.limits = RateLimiter(per_identity=(2, 60.0))
    try:
        for i in range(2):
            await send(page, f"xin chào {i}")
            await page.locator("#log .msg.me:not(.pending)", has_text=f"xin chào {i}").wait_for()
        await send(page, "tin thứ ba")
        await page.get_by_text(
            vi(
                "You are sending messages very quickly. Please wait {seconds} seconds and try "
                "again. Your text is kept in the box."
            )
            .split("{")[0]
            .strip()
        ).wait_for()
        assert await page.locator("#input").input_value() == "tin thứ ba"
        assert await page.locator("#log .msg.me", has_text="tin thứ ba").count() == 0
    finally:
        env.server.channel.limits = original
    # English switch: the page's labels and the bot both change language.
    await page.locator("#lang-switch").click()
    await page.get_by_text("From now on I will write to you in English.").wait_for()
    assert await page.locator("#send").get_attribute("aria-label") == "Send"
    assert await page.evaluate("document.documentElement.lang") == "en"
    await context.close()
