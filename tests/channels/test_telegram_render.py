"""Telegram rendering takes the language of its own labels from ``Reply.locale``, never from the text."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.channels.telegram_render import render
from bot.core.messages import Button, Reply


def _labels(reply: Reply, default: str = "vi") -> list[str]:
    out = []
    for msg in render(reply, default_locale=default):
        if isinstance(msg.reply_markup, ReplyKeyboardMarkup):
            out += [b.text for row in msg.reply_markup.keyboard for b in row]
    return out


def test_request_keyboard_follows_the_reply_locale() -> None:
    # Vietnamese-looking text, English reply: the label is English (no guessing from the text).
    assert _labels(Reply("Số điện thoại?", request_contact=True, locale="en")) == ["Share my phone number"]
    assert _labels(Reply("Your phone number?", request_contact=True, locale="vi")) == ["Gửi số điện thoại của tôi"]


def test_old_rows_without_locale_use_the_default() -> None:
    assert _labels(Reply("Your phone number?", request_contact=True)) == ["Gửi số điện thoại của tôi"]
    assert _labels(Reply("Số điện thoại?", request_contact=True), default="en") == ["Share my phone number"]


def test_second_message_for_inline_buttons_is_in_the_reply_locale() -> None:
    reply = Reply("Where?", buttons=((Button("A", "a"),),), request_location=True, locale="en")
    msgs = render(reply)
    assert [m.text for m in msgs] == ["Where?", "Or choose here:"]
    assert isinstance(msgs[1].reply_markup, InlineKeyboardMarkup)
