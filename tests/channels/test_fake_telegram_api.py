"""Tests of the fake Telegram Bot API server, driven by a real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.telegram_rules import SendLimiter

USER = 4242


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegramAPI) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot") as client:
        yield client


async def test_get_me_and_wrong_token(fake: FakeTelegramAPI, bot: Bot) -> None:
    assert bot.username == "loalang_test_bot"
    assert bot.id == 123456
    request = HTTPXRequest()  # Bot.shutdown() skips an uninitialised bot's connections
    wrong = Bot("999:nope", base_url=f"{fake.url}/bot", request=request)
    try:
        with pytest.raises(InvalidToken, match="Unauthorized"):
            await wrong.get_me()
    finally:
        await request.shutdown()
    assert fake.stats.errors[401] == 1


async def test_send_message_records_and_numbers_per_chat(fake: FakeTelegramAPI, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Góp ý", callback_data="fb:new")]])
    first = await bot.send_message(
        USER, "<b>Xin chào</b> &amp; <i>bà con</i>", parse_mode="HTML", reply_markup=keyboard
    )
    second = await bot.send_message(USER, "Lần hai")
    other = await bot.send_message(777, "Chat khác")
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.reply_markup == keyboard
    assert first.chat.type == "private"
    records = fake.sent(USER)
    assert [r["text"] for r in records] == ["<b>Xin chào</b> &amp; <i>bà con</i>", "Lần hai"]
    assert records[0]["parse_mode"] == "HTML"
    assert records[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "fb:new"
    assert fake.stats.requests["sendMessage"] == 3


@pytest.mark.parametrize(
    "text, reason",
    [
        ("Dòng 1<br>Dòng 2", 'Unsupported start tag "br"'),
        ("<p>Đoạn</p>", 'Unsupported start tag "p"'),
        ("<b>chưa đóng", "Can't find end tag"),
        ("<b>x</i>", "Unmatched end tag"),
        ("a&nbsp;b", "Unsupported HTML entity"),
        ('<span class="x">s</span>', 'must have class "tg-spoiler"'),
    ],
)
async def test_bad_html_is_rejected(fake: FakeTelegramAPI, bot: Bot, text: str, reason: str) -> None:
    with pytest.raises(BadRequest, match="an't parse entities") as info:
        await bot.send_message(USER, text, parse_mode="HTML")
    assert reason.lower() in info.value.message.lower()  # PTB re-capitalises the text
    assert fake.sent() == []


async def test_byte_offset_counts_utf8(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="byte offset 4"):
        await bot.send_message(USER, "Đá<br>", parse_mode="HTML")  # "Đá" is 4 bytes


async def test_allowed_html_and_lengths(fake: FakeTelegramAPI, bot: Bot) -> None:
    ok = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        '<strike>k</strike><del>d</del><span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>'
        '<a href="https://example.org">a</a><code>c</code><pre><code class="language-py">p'
        "</code></pre><blockquote expandable>q</blockquote> &lt;&gt;&quot;&#39;&#x1F600;"
    )
    await bot.send_message(USER, ok, parse_mode="HTML")
    await bot.send_message(USER, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "a" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "<b> </b>", parse_mode="HTML")
    assert len(fake.sent(USER)) == 2


async def test_callback_data_limit_is_in_bytes(bot: Bot) -> None:
    fits = "đ" * 32  # 64 bytes
    await bot.send_message(
        USER, "ok", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data=fits)]])
    )
    too_long = "đ" * 33  # 33 characters, 66 bytes
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(
            USER, "x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data=too_long)]])
        )


async def test_blocked_chat_is_forbidden(fake: FakeTelegramAPI, bot: Bot) -> None:
    fake.blocked.add(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "Xin chào")
    assert fake.stats.forbidden == 1
    assert fake.sent() == []


async def test_injected_429_once(fake: FakeTelegramAPI, bot: Bot) -> None:
    fake.fail_next("sendMessage", 429, retry_after=7)
    # Matching the message avoids PTB's deprecated int-or-timedelta retry_after attribute.
    with pytest.raises(RetryAfter, match=r"Retry in (7 seconds|0:00:07)"):
        await bot.send_message(USER, "một")
    await bot.send_message(USER, "hai")
    assert fake.stats.rate_limited == 1
    assert [r["text"] for r in fake.sent(USER)] == ["hai"]


async def test_enforced_private_limit(bot: Bot) -> None:
    fake_limited = FakeTelegramAPI(enforce_limits=True, private_burst=3)
    async with fake_limited, Bot(fake_limited.token, base_url=f"{fake_limited.url}/bot") as b:
        for n in range(3):
            await b.send_message(USER, f"tin {n}")
        with pytest.raises(RetryAfter, match="Retry in"):
            await b.send_message(USER, "tin 4")
        await b.send_message(USER + 1, "chat khác vẫn gửi được")
    assert fake_limited.stats.rate_limited == 1


def test_limiter_windows() -> None:
    now = [0.0]
    limiter = SendLimiter(global_rate=30, private_burst=3, group_per_minute=20, clock=lambda: now[0])
    assert all(limiter.check(-5) is None for _ in range(20))
    assert limiter.check(-5) == 60
    now[0] = 30.0
    assert limiter.check(-5) == 30
    now[0] = 60.5
    assert limiter.check(-5) is None
    assert all(limiter.check(100 + i) is None for i in range(29))
    assert limiter.check(999) == 1  # 31st send within one second overall
    now[0] = 62.0
    assert [limiter.check(7) for _ in range(4)] == [None, None, None, 1]
    now[0] = 63.0
    assert limiter.check(7) is None


async def test_get_updates_offset_confirms(fake: FakeTelegramAPI, bot: Bot) -> None:
    first = fake.push_update(fake.make_text_update(USER, "một"))
    second = fake.push_update(fake.make_command_update(USER, "start", "abc"))
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [first, second]
    assert updates[1].message.text == "/start abc"
    assert updates[1].message.entities[0].type == "bot_command"
    again = await bot.get_updates(offset=second, timeout=0)
    assert [u.update_id for u in again] == [second]
    assert fake.confirmed == {first}
    assert await bot.get_updates(offset=second + 1, timeout=0) == ()
    assert fake.confirmed == {first, second}

    fake.redeliver(first)
    redelivered = await bot.get_updates(offset=second + 1, timeout=0)
    assert [u.update_id for u in redelivered] == [first]
    assert fake.deliveries[first] == 2


async def test_long_poll_waits_for_push(fake: FakeTelegramAPI, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9

    async def push_later() -> None:
        await asyncio.sleep(0.2)
        fake.push_update(fake.make_callback_update(USER, "fb:new", message_id=3))

    pusher = asyncio.create_task(push_later())
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    await pusher
    assert time.monotonic() - started < 2
    assert updates[0].callback_query.data == "fb:new"


async def test_get_updates_conflicts_with_webhook(fake: FakeTelegramAPI, bot: Bot) -> None:
    await bot.set_webhook("https://example.org/hook", secret_token="s3cret_-")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(Conflict):
        await bot.get_updates(timeout=0)
    await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()


async def test_file_download(fake: FakeTelegramAPI, bot: Bot) -> None:
    fake.add_file("doc-1", b"%PDF-1.7 bien ban", file_path="documents/bien-ban.pdf")
    tg_file = await bot.get_file("doc-1")
    assert tg_file.file_size == 17
    assert bytes(await tg_file.download_as_bytearray()) == b"%PDF-1.7 bien ban"
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("missing")


async def test_multipart_photo_upload_is_recorded(fake: FakeTelegramAPI, bot: Bot) -> None:
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    message = await bot.send_photo(USER, photo=image, caption="<b>Ảnh</b> hiện trường", parse_mode="HTML")
    record = fake.sent(USER)[0]
    assert record["method"] == "sendPhoto"
    assert record["files"]["photo"] == image
    assert record["caption"] == "<b>Ảnh</b> hiện trường"
    downloaded = await (await bot.get_file(message.photo[-1].file_id)).download_as_bytearray()
    assert bytes(downloaded) == image


async def test_edit_commands_and_actions(fake: FakeTelegramAPI, bot: Bot) -> None:
    sent = await bot.send_message(USER, "Trước")
    edited = await bot.edit_message_text("Sau", chat_id=USER, message_id=sent.message_id)
    assert edited.text == "Sau"
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("Sau", chat_id=USER, message_id=sent.message_id)
    await bot.set_my_commands([("start", "Bắt đầu"), ("gopy", "Gửi góp ý")], language_code="vi")
    assert [c.command for c in await bot.get_my_commands(language_code="vi")] == ["start", "gopy"]
    assert await bot.get_my_commands() == ()
    await bot.delete_my_commands(language_code="vi")
    assert await bot.get_my_commands(language_code="vi") == ()
    assert await bot.send_chat_action(USER, "typing")
    assert await bot.answer_callback_query("17", text="Đã nhận")
    assert fake.callback_answers[0]["text"] == "Đã nhận"
    assert [r["method"] for r in fake.sent(USER)] == ["sendMessage", "editMessageText"]


async def test_webhook_post_carries_secret(fake: FakeTelegramAPI, bot: Bot) -> None:
    received: list[tuple[str | None, dict]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        await bot.set_webhook("https://example.org/hook", secret_token="abc")
        status = await fake.post_webhook(
            f"http://127.0.0.1:{port}/hook", fake.make_location_update(USER, 20.54, 105.91)
        )
    finally:
        await runner.cleanup()
    assert status == 200
    assert received[0][0] == "abc"
    assert received[0][1]["message"]["location"]["latitude"] == 20.54
    assert "update_id" in received[0][1]


async def test_echo_application_polls_and_replies(fake: FakeTelegramAPI) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(f"Bạn nói: {update.effective_message.text}")

    app = (
        ApplicationBuilder().token(fake.token).base_url(f"{fake.url}/bot").base_file_url(f"{fake.url}/file/bot").build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        update_id = fake.push_update(fake.make_text_update(USER, "Đường làng hỏng"))
        replies = await fake.wait_for(USER, 1, timeout=5)
        await app.updater.stop()
        await app.stop()
    assert replies[0]["text"] == "Bạn nói: Đường làng hỏng"
    assert update_id in fake.confirmed


async def test_raw_json_get_and_unknown_method(fake: FakeTelegramAPI) -> None:
    api = f"{fake.url}/bot{fake.token}"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{api}/getMe") as response:
            assert (await response.json())["result"]["is_bot"] is True
        markup = {"inline_keyboard": [[{"text": "Có", "callback_data": "yes"}]]}
        async with session.post(
            f"{api}/sendmessage", json={"chat_id": -100123, "text": "Họp thôn", "reply_markup": markup}
        ) as response:
            result = (await response.json())["result"]
        assert result["chat"]["type"] == "supergroup"
        assert result["reply_markup"] == markup
        async with session.post(f"{api}/sendSticker", data={"chat_id": 1}) as response:
            assert response.status == 404
            assert await response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert fake.sent(-100123)[0]["reply_markup"] == markup


async def test_multipart_document_keeps_name(fake: FakeTelegramAPI, bot: Bot) -> None:
    message = await bot.send_document(USER, document=b"a,b\n1,2\n", filename="so-lieu.csv")
    assert message.document.file_name == "so-lieu.csv"
    assert message.document.file_size == 8
    assert fake.sent(USER)[0]["files"] == {"document": b"a,b\n1,2\n"}
