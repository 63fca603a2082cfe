"""Issue 10 item 8 on Telegram: every choice of one question arrives in one message.

A question that asks for the phone or the location carries its other choices on the same reply
keyboard; tapping one sends its label as text, and the flow receives the button press it offered,
also after a wrong answer, after a restart, and never from a keyboard that was taken away."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.core.i18n import gettext
from storage.channels.telegram import TelegramKeyboard
from storage.db import SessionFactory
from tests.channels.telegram_support import USER, Rig, keyboard_button, markups, texts
from tests.fakes.telegram_api import FakeTelegramAPI


def vi(msgid: str, **kw: Any) -> str:
    return gettext("vi", msgid, **kw) if kw else gettext("vi", msgid)


PHONE_Q = vi(
    "If you wish, share your phone number so the ward can call you back about your feedback. This is optional."
)
PLACE_Q = vi("Where is it? Choose below, type the village name, or share a location.")
ALL_SET = vi("You are all set. What would you like to do?")
NOT_A_PHONE = vi("That does not look like a phone number. Please type it like 0912 345 678, or press Skip.")
WHICH_VILLAGE = vi("Which village? Choose below or type its name.")


async def up_to_the_phone_question(rig: Rig) -> list[dict[str, Any]]:
    first = await rig.say("/start")
    await rig.press(first, "Tôi đồng ý")
    ward = await rig.say("xa thanh son")
    return await rig.press(ward, "Thôn")


def keyboard_rows(record: dict[str, Any]) -> list[list[str]]:
    return [[b["text"] for b in row] for row in record["reply_markup"]["keyboard"]]


async def test_the_phone_question_is_one_message_and_skip_is_on_its_keyboard(
    rig: Rig, fake: FakeTelegramAPI, session_factory: SessionFactory
) -> None:
    village = await up_to_the_phone_question(rig)
    question = [r for r in village if PHONE_Q in (r["text"] or "")]
    assert len(question) == 1 and question[0] is village[-1]  # nothing after it ("Hoặc chọn ở đây:" is gone)
    assert keyboard_rows(question[0]) == [["Gửi số điện thoại của tôi"], ["Bỏ qua"]]
    assert question[0]["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    assert question[0]["reply_markup"]["one_time_keyboard"] is True
    assert "Hoặc chọn" not in texts(fake.sent(USER))

    # What is kept in the database holds no label, only digests and the button data.
    async with session_factory() as s:
        (row,) = list(await s.exec(select(TelegramKeyboard)))
    assert row.chat_id == str(USER) and len(row.choices) == 1 and "Bỏ qua" not in str(row.choices)

    done = await rig.tap(village, "Bỏ qua")  # the Telegram app sends the label "Bỏ qua" as text
    assert ALL_SET in texts(done)
    assert "menu:" in str(done[-1]["reply_markup"])


async def test_a_wrong_answer_then_the_same_steps_button_still_works(rig: Rig, fake: FakeTelegramAPI) -> None:
    village = await up_to_the_phone_question(rig)
    wrong = await rig.say("12ab")  # not a phone number: the question is asked again, with its keyboard
    assert NOT_A_PHONE in texts(wrong)
    assert markups(wrong)[-1] == "keyboard"
    done = await rig.tap(wrong, "Bỏ qua")
    assert ALL_SET in texts(done)
    # The keyboard of the first ask is the same step's: tapping its Skip now is an old button, which
    # the dispatcher recognises (the flow is over) instead of reading "Bỏ qua" as a typed answer.
    again = await rig.tap(village, "Bỏ qua")
    assert NOT_A_PHONE not in texts(again) and ALL_SET not in texts(again)


async def test_sharing_the_contact_removes_the_keyboard_and_the_next_question_keeps_its_buttons(
    rig: Rig, fake: FakeTelegramAPI, session_factory: SessionFactory
) -> None:
    village = await up_to_the_phone_question(rig)
    done = await rig.tap(village, "Gửi số điện thoại")
    assert markups(done) == ["remove", "inline"]  # "saved" takes the keyboard away, the menu has its buttons
    assert vi("Phone number saved.") in texts(done[:1]) and ALL_SET in texts(done[1:])
    async with session_factory() as s:
        assert list(await s.exec(select(TelegramKeyboard))) == []  # nothing to map any more


async def up_to_the_place_question(rig: Rig) -> list[dict[str, Any]]:
    village = await up_to_the_phone_question(rig)
    await rig.tap(village, "Bỏ qua")
    routes = await rig.say("/feedback")
    explain = await rig.press(routes, "phản ánh")
    categories = await rig.press(explain, "Tiếp tục")
    return await rig.press(categories, "Môi trường")


async def test_the_place_question_is_one_message_with_every_choice(rig: Rig, fake: FakeTelegramAPI) -> None:
    place = await up_to_the_place_question(rig)
    question = place[-1]
    assert PLACE_Q in question["text"] and [r for r in place if PLACE_Q in (r["text"] or "")] == [question]
    rows = keyboard_rows(question)
    assert rows[0] == ["Gửi vị trí của tôi"] and question["reply_markup"]["keyboard"][0][0]["request_location"]
    assert rows[1][0].startswith("Thôn của tôi: ")
    assert rows[2] == ["Thôn khác", "Cả phường/xã"]

    # A village name that is not found: the question comes again; its "Cả phường/xã" works.
    wrong = await rig.say("Thôn Không Có")
    assert "Không Có" in texts(wrong) and PLACE_Q in wrong[-1]["text"]
    described = await rig.tap(wrong, "Cả phường")
    assert PLACE_Q not in texts(described)
    assert "Không Có" not in texts(described)
    describe = vi(
        "Please describe it in your own words: what happened, where, since when. Between {min} and {max} characters."
    )
    assert describe.split("{min}")[0] in described[-1]["text"]


async def test_a_tap_after_a_restart_is_still_the_button(rig: Rig, fake: FakeTelegramAPI) -> None:
    place = await up_to_the_place_question(rig)
    assert keyboard_button(place, "Thôn khác")["text"] == "Thôn khác"
    await rig.stop()
    await rig.start()  # a new process: the mapping comes from the database
    villages = await rig.tap(place, "Thôn khác")
    assert WHICH_VILLAGE in texts(villages)
    assert markups(villages)[-1] == "inline"
