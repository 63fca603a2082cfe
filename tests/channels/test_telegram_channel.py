"""The Telegram channel end to end: real PTB adapter, real dispatcher and flows, fake Bot API server."""

from __future__ import annotations

import logging
import socket
import unicodedata
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlmodel import select

from bot.core.errors import ChannelError, ConfigError, RetryLater, TransientError, Unreachable
from bot.core.messages import Button, Reply
from storage.audit.models import AuditEvent
from storage.db import SessionFactory
from tests.channels.telegram_support import USER, Rig, button_data, texts
from tests.fakes.telegram_api import FakeTelegramAPI


async def consent_given(rig: Rig, user: int = USER) -> list[dict[str, Any]]:
    first = await rig.say("/start", user)
    return await rig.press(first, "Tôi đồng ý", user)


async def consent_audits(factory: SessionFactory) -> int:
    async with factory() as s:
        rows = list(await s.exec(select(AuditEvent).where(AuditEvent.action == "consent.given")))
    return len(rows)


async def test_onboarding_through_telegram_and_restart(rig: Rig, fake: FakeTelegramAPI) -> None:
    first = await rig.say("/start")
    assert all(r["parse_mode"] == "HTML" for r in first)
    assert "Tôi đồng ý" in str(first[-1]["reply_markup"])
    assert fake.callback_answers == []
    after_consent = await rig.press(first, "Tôi đồng ý")
    assert "đã được ghi nhận" in texts(after_consent)
    assert len(fake.callback_answers) == 1  # the spinner was stopped

    # A restart mid-flow: new dispatcher and channel on the same database continue where we were.
    await rig.stop()
    assert rig.channel is not None and rig.channel.status()["running"] is False
    await rig.start()
    ward = await rig.say("xa thanh son")
    assert "Phường: Lý Thường Kiệt" in texts(ward)  # the old commune resolved to its 2025 ward
    village = await rig.press(ward, "Thôn")
    phone_ask = [r for r in village if (r["reply_markup"] or {}).get("keyboard")]
    assert phone_ask and phone_ask[0]["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    assert phone_ask[0] is village[-1]  # one message for the question and all its choices
    assert phone_ask[0]["reply_markup"]["keyboard"][1][0]["text"] == "Bỏ qua"

    done = await rig.act(fake.make_contact_update(USER, "+84912345678"))
    assert "Đã lưu số điện thoại" in texts(done)
    assert any((r["reply_markup"] or {}).get("remove_keyboard") for r in done)
    assert "menu:" in str(done[-1]["reply_markup"])

    status = rig.channel.status()
    assert status == {"enabled": True, "mode": "polling", "bot_username": "loalang_test_bot", "running": True}


async def test_commands_are_set_per_locale(rig: Rig, fake: FakeTelegramAPI) -> None:
    vi = fake.commands[('{"type": "default"}', "")]
    en = fake.commands[('{"type": "default"}', "en")]
    names = [c["command"] for c in vi]
    assert "start" in names and "help" in names and "unknown" not in names
    assert names == [c["command"] for c in en]
    assert (
        next(c for c in en if c["command"] == "help")["description"]
        != next(c for c in vi if c["command"] == "help")["description"]
    )


async def test_redelivery_and_double_tap(rig: Rig, fake: FakeTelegramAPI, session_factory: SessionFactory) -> None:
    first = await rig.say("/start")
    data = button_data(first, "Tôi đồng ý")
    uid = fake.push_update(fake.make_callback_update(USER, data))
    await rig.handled_times(uid)
    count = len(fake.sent(USER))
    fake.redeliver(uid)
    await rig.handled_times(uid, times=2)
    assert fake.deliveries[uid] == 2
    assert len(fake.sent(USER)) == count  # no second reply
    again = await rig.act(fake.make_callback_update(USER, data))  # a double tap
    assert "tin nhắn trước" in texts(again)
    assert await consent_audits(session_factory) == 1


async def test_html_is_escaped(rig: Rig) -> None:
    await consent_given(rig)
    sent = await rig.say("<script>&<")
    assert "&lt;script&gt;&amp;&lt;" in texts(sent)  # the fake refuses bad HTML, so this arrived


async def test_429_is_waited_out(rig: Rig, fake: FakeTelegramAPI) -> None:
    fake.fail_next("sendMessage", 429, retry_after=1)
    sent = await rig.say("/help")
    assert sent and fake.stats.rate_limited == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda f: f.make_text_update(USER, ""),
        lambda f: f.make_text_update(USER, "   \n\t "),
        lambda f: f.make_text_update(USER, "phản ánh " * 1250),
        lambda f: f.make_text_update(USER, "a\x00b\x01c\x7f"),
        lambda f: f.make_text_update(USER, "😀🙏🎉"),
        lambda f: f.make_text_update(USER, "مرحبا بالعالم \u202eabc"),
        lambda f: f.make_text_update(USER, unicodedata.normalize("NFD", "xã Thanh Sơn")),
        lambda f: f.make_sticker_update(USER),
        lambda f: f.make_voice_update(USER, "voice-1"),
        lambda f: f.make_command_update(USER, "help", "please now"),
        lambda f: f.make_command_update(USER, "join", "@@@garbage###"),
        lambda f: f.make_command_update(USER, "nonexistent"),
        lambda f: (
            f.make_contact_update(USER, "+84900000000")
            | {
                "message": {
                    **f.make_contact_update(USER, "+84900000000")["message"],
                    "contact": {"phone_number": "+84900000000", "first_name": "X", "user_id": 999},
                }
            }
        ),
    ],
    ids=[
        "empty",
        "whitespace",
        "10k",
        "control",
        "emoji",
        "rtl",
        "nfd",
        "sticker",
        "voice",
        "stray-args",
        "join-garbage",
        "unknown-command",
        "someone-elses-contact",
    ],
)
async def test_bad_input_gets_a_polite_reply(
    rig: Rig, fake: FakeTelegramAPI, make: Any, caplog: pytest.LogCaptureFixture
) -> None:
    await consent_given(rig)  # now at the ward step, where text is expected
    with caplog.at_level(logging.ERROR):
        sent = await rig.act(make(fake))
    assert sent and all(r["text"] for r in sent)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_button_on_an_old_message(rig: Rig) -> None:
    first = await rig.say("/start")
    await rig.press(first, "Tôi đồng ý")
    await rig.say("xa thanh son")
    old = await rig.press(first, "Tôi không đồng ý")  # consent prompt already answered
    assert "tin nhắn trước" in texts(old)


async def test_long_reply_is_split(rig: Rig, fake: FakeTelegramAPI) -> None:
    assert rig.channel is not None
    text = ("Đoạn văn dài. " * 200 + "\n\n") * 3
    await rig.channel.reply(str(USER), [Reply(text, buttons=((Button("OK", "menu:help"),),))])
    sent = fake.sent(USER)
    assert len(sent) == 3 and all(len(r["text"]) <= 4096 for r in sent)
    assert sent[-1]["reply_markup"] and not sent[0]["reply_markup"]


async def test_push_errors_map_to_channel_errors(rig: Rig, fake: FakeTelegramAPI) -> None:
    ch = rig.channel
    assert ch is not None
    await ch.send(str(USER), Reply("Thông báo"))
    assert fake.sent(USER)[-1]["text"] == "Thông báo"
    fake.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryLater) as info:
        await ch.send(str(USER), Reply("x"))
    assert info.value.retry_after == 7
    fake.blocked.add(USER)
    with pytest.raises(Unreachable):
        await ch.send(str(USER), Reply("x"))
    fake.blocked.clear()
    fake.fail_next("sendMessage", 502, "Bad Gateway")
    with pytest.raises(TransientError):
        await ch.send(str(USER), Reply("x"))
    fake.fail_next("sendMessage", 400, "Bad Request: something odd")
    with pytest.raises(ChannelError):
        await ch.send(str(USER), Reply("x"))
    await ch.send(str(USER), Reply("Ảnh", attachments=()))
    from bot.core.messages import Attachment

    await ch.send(str(USER), Reply("Tệp", attachments=(Attachment("document", content=b"abc", file_name="a.txt"),)))
    assert fake.sent(USER)[-1]["method"] == "sendDocument"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_webhook_mode(fake: FakeTelegramAPI, session_factory: SessionFactory, database_url: str) -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        bad = Rig(fake, session_factory, database_url, telegram_webhook_url="https://bot.example.org/telegram/webhook")
        await bad.start()
    rig = Rig(
        fake,
        session_factory,
        database_url,
        telegram_webhook_url="https://bot.example.org/telegram/webhook",
        telegram_webhook_secret="s3cret-Secret_42",
    )
    ch = await rig.start()
    runner = web.AppRunner(rig.web_app)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    try:
        assert fake.webhook["url"] == "https://bot.example.org/telegram/webhook"
        assert ch.status()["mode"] == "webhook"
        update = fake.make_command_update(USER, "start")
        assert await fake.post_webhook(url, update, secret="wrong") == 403
        assert await fake.post_webhook(url, update, secret="") == 403
        async with aiohttp.ClientSession() as http:
            headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Secret_42"}
            async with http.post(url, data=b"{not json", headers=headers) as resp:
                assert resp.status == 400
        assert fake.sent(USER) == []
        update = {**update, "update_id": 777}
        assert await fake.post_webhook(url, update) == 200
        await rig.handled_times(777)
        assert "Tôi đồng ý" in str(fake.sent(USER)[-1]["reply_markup"])
    finally:
        await rig.stop()
        await runner.cleanup()


async def test_reply_that_cannot_be_delivered_is_kept_in_the_outbox(rig: Rig, fake: FakeTelegramAPI) -> None:
    from sqlmodel import select

    from storage.outbox.models import OutboxMessage

    fake.fail_next("sendMessage", 502, "Bad Gateway", count=10)
    await rig.say("/help")
    async with rig.factory() as s:
        kept = list(await s.exec(select(OutboxMessage).where(OutboxMessage.channel == "telegram")))
    assert len(kept) == 1 and kept[0].recipient == str(USER) and "/help" in kept[0].payload["text"]


async def test_file_a_person_sent_can_be_fetched(rig: Rig, fake: FakeTelegramAPI) -> None:
    from bot.core.messages import Attachment

    fake.add_file("photo-1", b"\xff\xd8\xff\xe0 jpeg bytes")
    assert rig.channel is not None
    data = await rig.channel.fetch_file(Attachment(kind="photo", ref="photo-1"))
    assert data.startswith(b"\xff\xd8\xff")


async def test_webhook_answers_after_handling_and_asks_for_a_retry_when_the_database_fails(
    fake: FakeTelegramAPI, session_factory: SessionFactory, database_url: str
) -> None:
    from sqlalchemy.exc import OperationalError

    from bot.core.messages import Incoming

    rig = Rig(
        fake,
        session_factory,
        database_url,
        telegram_webhook_url="https://bot.example.org/telegram/webhook",
        telegram_webhook_secret="s3cret-Secret_42",
    )
    ch = await rig.start()
    runner = web.AppRunner(rig.web_app)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    real_handle = ch.dispatcher.handle
    calls = 0

    async def failing_once(inc: Incoming) -> list[Reply]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("database down"))
        return await real_handle(inc)

    ch.dispatcher.handle = failing_once  # type: ignore[method-assign]  # a database outage for one update
    try:
        update = {**fake.make_command_update(USER, "start"), "update_id": 901}
        assert await fake.post_webhook(url, update) == 503
        assert fake.sent(USER) == []  # no apology: Telegram will deliver it again
        assert await fake.post_webhook(url, update) == 200
        sent = fake.sent(USER)  # already sent when the webhook answered: nothing to wait for
        assert len(sent) == 1 and "Tôi đồng ý" in str(sent[0]["reply_markup"])
        assert await fake.post_webhook(url, update) == 200  # a third delivery of the same update
        assert len(fake.sent(USER)) == 1 and calls == 3
    finally:
        await rig.stop()
        await runner.cleanup()
