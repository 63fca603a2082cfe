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


def test_a_request_and_its_choices_are_one_message() -> None:
    reply = Reply(
        "Where?",
        buttons=(
            (Button("My village: Thôn 1", "3:v1"),),
            (Button("Another village", "3:other"), Button("Ward", "3:ward")),
        ),
        request_location=True,
        locale="en",
    )
    msgs = render(reply)
    assert len(msgs) == 1
    markup = msgs[0].reply_markup
    assert isinstance(markup, ReplyKeyboardMarkup) and markup.one_time_keyboard is True
    assert [[b.text for b in row] for row in markup.keyboard] == [
        ["Send my location"],
        ["My village: Thôn 1"],
        ["Another village", "Ward"],
    ]
    assert markup.keyboard[0][0].request_location is True
    assert msgs[0].choices == (("My village: Thôn 1", "3:v1"), ("Another village", "3:other"), ("Ward", "3:ward"))


def test_a_label_that_would_be_ambiguous_is_shown_once() -> None:
    reply = Reply(
        "Phone?",
        buttons=((Button("Share my phone number", "1:x"), Button("Skip", "1:skip")),),
        request_contact=True,
        locale="en",
    )
    (msg,) = render(reply)
    assert isinstance(msg.reply_markup, ReplyKeyboardMarkup)
    assert [[b.text for b in row] for row in msg.reply_markup.keyboard] == [["Share my phone number"], ["Skip"]]
    assert msg.choices == (("Skip", "1:skip"),)


def test_inline_buttons_without_a_request_stay_inline() -> None:
    (msg,) = render(Reply("Which?", buttons=((Button("A", "a"),),), locale="en"))
    assert isinstance(msg.reply_markup, InlineKeyboardMarkup) and msg.choices == ()
