"""The web chat on a small phone (360×740, touch), in real Chromium, with the demo personas (issue 10,
items 15, 16, 10 and the web side of 8):

- the current question and all its buttons stay in view: the phone question turns the text box into
  a phone field instead of opening a panel over the log, the place question offers "Send my location"
  among its own choices, and a notice under the log does not push the question out of view;
- nothing says the person typed "/start" (first open, reload, persona switch);
- the demo bar is one short row and every persona's role and name fit in the selector;
- hover styles only where a pointer hovers; the main action of a message looks different from the
  other choices; the page's own texts carry no emoji;
- audio files are accepted by the picker and the upload, and a voice message can be recorded.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import re
import types
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlmodel import SQLModel

import storage.tables  # noqa: F401
from bot.channels.webchat_i18n import page_strings
from bot.core.i18n import gettext
from bot.core.messages import Button
from bot.demo import seed_demo
from storage.db import create_engine
from storage.db import session_factory as make_factory
from tests.browser import CHROMIUM_ARGS, ChatServer, launch_chromium, start_server

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="needs Debian's chromium"),
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT = 10_000
PLACE = (20.5635, 105.8672)
# A fake microphone (a beep), allowed without a prompt.
MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f]")


def vi(msgid: str, **kw: Any) -> str:
    return gettext("vi", msgid, **kw) if kw else gettext("vi", msgid)


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
    factory = make_factory(engine)
    server = await start_server(factory, tmp_path_factory.mktemp("uploads"), demo=True)
    await seed_demo(types.SimpleNamespace(services=server.services, session_factory=factory))
    async with async_playwright() as pw:
        await launch_chromium(pw)  # skips without chromium (outside CI)
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS + MEDIA_ARGS)
        yield Env(server, browser)
        await browser.close()
    await server.stop()
    await engine.dispose()


async def phone_page(env: Env, persona: str | None = None) -> tuple[Any, Any]:
    context = await env.browser.new_context(
        viewport={"width": 360, "height": 740},
        locale="vi-VN",
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": PLACE[0], "longitude": PLACE[1]},
        permissions=["geolocation", "microphone"],
    )
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT)
    await page.goto(env.server.url + "/")
    if persona is not None:
        await switch_persona(page, persona)
    return context, page


async def switch_persona(page: Any, key: str) -> None:
    await page.locator("#demo-bar:not([hidden])").wait_for()
    async with page.expect_navigation():
        await page.select_option("#persona", key)
    await page.locator("#status[data-state=online]").wait_for()


def last_bot(page: Any) -> Any:
    return page.locator("#log .msg.bot").last


async def answered(page: Any) -> None:
    """The server acknowledges a message after every reply to it is on the page."""
    for _ in range(200):  # (wait_for_function evaluates a string, which the page's CSP forbids)
        if await page.evaluate("() => window.loalangChat.pending()") == 0:
            return
        await page.wait_for_timeout(50)
    raise AssertionError("no answer within 10 s")


async def press(page: Any, label: str) -> None:
    await last_bot(page).get_by_role("button", name=label).first.click()
    await answered(page)


async def send(page: Any, message: str) -> None:
    await page.locator("#input").fill(message)
    await page.locator("#input").press("Enter")
    await answered(page)


async def assert_in_view(page: Any, question: Any) -> None:
    """The question and each of its buttons are inside the visible part of the log, above the
    composer and any notice, and nothing is drawn over them."""
    log = await page.locator("#log").bounding_box()
    composer = await page.locator("#composer").bounding_box()
    bottom = min(log["y"] + log["height"], composer["y"])
    if await page.locator("#notice").is_visible():
        bottom = min(bottom, (await page.locator("#notice").bounding_box())["y"])
    parts = [question, *await question.locator("button").all()]
    assert len(parts) > 1, "the question has buttons"
    for part in parts:
        box = await part.bounding_box()
        assert box is not None
        assert box["y"] >= log["y"] - 0.5 and box["y"] + box["height"] <= bottom + 0.5, (box, log, bottom)
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        covering = await page.evaluate(
            "([x, y, q]) => { const e = document.elementFromPoint(x, y); return !!e && q.contains(e); }",
            [x, y, await part.element_handle()],
        )
        assert covering, f"something covers {await part.text_content()!r}"


async def onboard_to_the_phone_question(page: Any) -> None:
    await page.get_by_role("button", name=vi("I agree")).click()
    await page.get_by_text(vi("Thank you. Your consent is recorded.")).wait_for()
    await send(page, "Kim Bảng")
    await page.get_by_role("button", name="Thôn Ngọc Sơn").last.click()
    await page.get_by_text(vi("Village: {name}.", name="Thôn Ngọc Sơn")).wait_for()


async def own_bubbles(page: Any) -> list[str]:
    return [t.strip() for t in await page.locator("#log .msg.me .text").all_inner_texts()]


async def test_no_start_bubble_on_first_open_reload_and_persona_switch(env: Env) -> None:
    context, page = await phone_page(env)
    await page.get_by_role("button", name=vi("I agree")).wait_for()
    assert await own_bubbles(page) == []  # the page opened the conversation; the person typed nothing
    await page.reload()
    await page.get_by_role("button", name=vi("I agree")).wait_for()
    assert await own_bubbles(page) == []  # nor is it in the history
    await switch_persona(page, "official")
    await last_bot(page).get_by_role("button").first.wait_for()
    assert await own_bubbles(page) == []
    await switch_persona(page, "new")
    await page.get_by_role("button", name=vi("I agree")).wait_for()
    assert await own_bubbles(page) == []
    # The language button shows as the language pressed, not as a command.
    await page.locator("#lang-switch").click()
    await page.get_by_text("From now on I will write to you in English.").wait_for()
    assert await own_bubbles(page) == ["English"]
    await context.close()


async def test_the_demo_bar_is_one_short_row_and_every_persona_fits(env: Env) -> None:
    context, page = await phone_page(env)
    await page.locator("#demo-bar:not([hidden])").wait_for()
    bar = await page.locator("#demo-bar").bounding_box()
    assert bar["height"] <= 56  # of 740 px
    # A select does not scroll: measure each option's text in the select's font against its room.
    fit = await page.evaluate(
        """() => {
          const s = document.getElementById('persona'), cs = getComputedStyle(s);
          const ctx = document.createElement('canvas').getContext('2d');
          ctx.font = cs.font;
          // without its native arrow the text has the content box; with it, about 24 px less
          const arrow = cs.appearance === 'none' ? 0 : 24;
          const room = s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - arrow;
          return [...s.options].map(o => [o.text, Math.ceil(ctx.measureText(o.text).width), room]);
        }"""
    )
    assert len(fit) == 7
    for label, width, room in fit:
        assert width <= room, f"{label!r} needs {width}px, has {room}px"
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "webchat-360-demo-bar.png"))
    await context.close()


async def test_the_phone_question_and_its_buttons_stay_in_view(env: Env) -> None:
    context, page = await phone_page(env)
    await onboard_to_the_phone_question(page)
    phone = page.get_by_role("textbox", name=vi("Your phone number"))
    await phone.wait_for()  # the text box itself asks for the number: no panel over the log
    assert await phone.get_attribute("inputmode") == "tel"
    assert await phone.get_attribute("autocomplete") == "tel"
    question = last_bot(page)
    await question.get_by_role("button", name=vi("Skip")).wait_for()
    await assert_in_view(page, question)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "webchat-360-phone.png"))

    # A notice under the log (here: a text over the limit) leaves the question in view.
    await phone.fill("9" * 4001)
    await phone.press("Enter")
    await page.locator("#notice").wait_for()
    await assert_in_view(page, question)

    await phone.fill("0912 345 678")
    await phone.press("Enter")
    await page.get_by_text(vi("Phone number saved.")).wait_for()
    textbox = page.get_by_role("textbox", name=vi("Type your message"))
    await textbox.wait_for()  # the question is over: a text box again
    assert await textbox.get_attribute("inputmode") == "text"
    await context.close()


async def to_the_place_question(page: Any) -> None:
    await send(page, "/feedback")
    await press(page, "phản ánh")  # the route's button, whatever its full label
    await press(page, vi("Continue"))
    await press(page, "Môi trường, vệ sinh")  # a category of the deployment (not a catalog text)
    await (
        last_bot(page)
        .get_by_text(vi("Where is it? Choose below, type the village name, or share a location."))
        .wait_for()
    )


async def test_the_place_question_offers_the_location_among_its_choices(env: Env) -> None:
    context, page = await phone_page(env, "resident")
    await to_the_place_question(page)
    question = last_bot(page)
    labels = await question.locator("button").all_inner_texts()
    assert [t.strip() for t in labels] == [
        vi("Send my location"),
        vi("My village: {name}", name="Thôn Ngọc Sơn"),
        vi("Another village"),
        vi("The whole ward"),
    ]
    await assert_in_view(page, question)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "webchat-360-place.png"))
    await question.get_by_role("button", name=vi("Send my location")).click()
    await page.get_by_text(vi("Location received.")).wait_for()
    shown = vi("Location: {lat}, {lon}", lat=f"{PLACE[0]:.5f}", lon=f"{PLACE[1]:.5f}")
    assert (await own_bubbles(page))[-1] == shown and not EMOJI.search(shown)
    assert await question.get_by_role("button", name=vi("Send my location")).count() == 0  # that question is over
    await page.reload()
    await page.get_by_text(vi("Location received.")).wait_for()
    assert (await own_bubbles(page))[-1] == shown  # the history says the same
    await context.close()


async def test_hover_styles_only_where_a_pointer_hovers(env: Env) -> None:
    context, page = await phone_page(env)
    await page.get_by_role("button", name=vi("I agree")).wait_for()
    loose = await page.evaluate(
        """() => {
          const out = [];
          const walk = (rules, inHover) => {
            for (const r of rules) {
              if (r.media) { walk(r.cssRules, inHover || /hover:\\s*hover/.test(r.media.mediaText)); }
              else if (r.selectorText && r.selectorText.includes(':hover') && !inHover) { out.push(r.selectorText); }
            }
          };
          for (const sheet of document.styleSheets) { walk(sheet.cssRules, false); }
          return out;
        }"""
    )
    assert loose == []
    assert await page.evaluate("matchMedia('(hover: hover)').matches") is False  # a touch phone
    await context.close()


async def test_the_main_action_looks_different_from_the_other_choices(env: Env) -> None:
    context, page = await phone_page(env, "resident2")
    await page.locator("#log .msg.bot").first.wait_for()
    bid = "demo-persona-resident2"
    summary = [
        [Button("Gửi", "x:send")],
        [Button("Sửa loại", "x:e1"), Button("Sửa lĩnh vực", "x:e2")],
        [Button("Sửa địa điểm", "x:e3"), Button("Sửa nội dung", "x:e4")],
    ]
    await env.server.push(bid, "Xin ông/bà kiểm tra lại trước khi gửi.", summary)
    msg = page.locator("#log .msg.bot", has_text="kiểm tra lại")
    await msg.wait_for()

    def style(name: str) -> Any:
        return msg.get_by_role("button", name=name, exact=True).evaluate(
            "b => { const s = getComputedStyle(b); return [s.backgroundColor, s.color, s.fontWeight]; }"
        )

    main, edit = await style("Gửi"), await style("Sửa loại")
    assert main[0] != edit[0] and main[1] != edit[1]
    assert await style("Sửa nội dung") == edit
    # Two equal choices side by side (consent, yes/no) have no main action.
    await env.server.push(bid, "Đồng ý không?", [[Button("Có", "x:y"), Button("Không", "x:n")]])
    pair = page.locator("#log .msg.bot", has_text="Đồng ý không?")
    await pair.wait_for()
    colours = await pair.locator("button").evaluate_all("bs => bs.map(b => getComputedStyle(b).backgroundColor)")
    assert len(set(colours)) == 1
    await context.close()


def test_the_pages_own_texts_carry_no_emoji() -> None:
    for lang in ("vi", "en"):
        assert [k for k, v in page_strings(lang).items() if EMOJI.search(v)] == []
    static = ROOT / "bot" / "static" / "webchat"
    for name in ("index.html", "app.js"):
        assert not EMOJI.search((static / name).read_text(encoding="utf-8")), name


async def to_the_attachments_step(page: Any) -> None:
    await to_the_place_question(page)
    await press(page, vi("The whole ward"))
    await send(page, "Rác thải ở chợ không ai dọn, bốc mùi cả tuần nay.")
    await last_bot(page).get_by_role("button", name=vi("Skip")).wait_for()


OGG = b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x1eOpusHead" + b"\x00" * 200


async def test_audio_files_and_a_recorded_voice_message_are_received(env: Env) -> None:
    context, page = await phone_page(env, "village_head")
    accept = await page.locator("#file").get_attribute("accept")
    assert "audio/*" in accept.split(",")
    await to_the_attachments_step(page)
    await page.locator("#file").set_input_files(files=[{"name": "ghi-am.ogg", "mimeType": "audio/ogg", "buffer": OGG}])
    received = vi("{count} of {max} files received. Send more, or press Done.", count=1, max=5)
    await page.get_by_text(received).wait_for()

    # Recording from the (fake) microphone: the button, the running clock, stop and send.
    record = page.get_by_role("button", name=vi("Record a voice message"))
    await record.click()
    await page.locator("#recording:not([hidden])").wait_for()
    await page.get_by_text(vi("Recording… {time}", time="0:01")).wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "webchat-360-recording.png"))
    await page.get_by_role("button", name=vi("Stop and send the voice message")).click()
    await page.get_by_text(vi("{count} of {max} files received. Send more, or press Done.", count=2, max=5)).wait_for()
    assert await page.locator("#log .msg.me .file", has_text=vi("Voice message: {name}", name="")).count() == 2
    await record.wait_for()  # ready for another
    await context.close()
