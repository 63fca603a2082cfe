"""People as they really write (issue 10): a typed problem outside any flow is offered as a petition
(item 2), and typing another kind's name on a kind's card switches to it (item 3)."""

from __future__ import annotations

import pytest

from bot.core.i18n import gettext
from handlers.petitions.labels import ROUTE_EXPLANATIONS
from tests.petitions.support import all_cases
from tests.world import World

OFFER = "Ông/bà muốn gửi nội dung này thành một phản ánh (hoặc góp ý) không?"


@pytest.mark.parametrize(
    "text", ["Đường làng bị hỏng nhiều ổ gà", "con duong nay hong roi", "rac thai o cho khong ai don"]
)
async def test_a_typed_problem_is_offered_as_a_petition(world: World, session_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    chat = world.chat("resident")
    await chat.say(text)
    assert chat.text == OFFER and chat.buttons() == ["Có, gửi ý kiến này", "Không, cảm ơn"]
    await chat.press("Có, gửi ý kiến")
    assert "Nội dung ông/bà vừa viết sẽ là phần mô tả" in chat.text
    assert "Phản ánh" in " ".join(chat.buttons())  # the person still chooses the kind…
    await chat.press("Phản ánh")
    await chat.press("Tiếp tục")
    await chat.press("Giao thông")  # …the topic…
    await chat.press("Thôn của tôi")  # …and the place; the description is not asked again
    assert "tối đa 5" in chat.text
    await chat.press("Bỏ qua")
    await chat.press("Gửi có ghi tên")
    await chat.press("Không công khai")
    assert f"Nội dung: {text}" in chat.text
    await chat.press("Gửi")
    [case] = await all_cases(session_factory)
    assert case.description == text and case.route == "phan_anh" and case.category == "roads"


@pytest.mark.parametrize(
    "text", ["đèn hỏng", "ok", "cảm ơn cán bộ phường nhiều lắm", "<img src=x onerror=alert(1)>", "xin chào ạ"]
)
async def test_short_or_social_text_keeps_the_menu(world: World, text: str) -> None:
    chat = world.chat("resident")
    await chat.say(text)
    assert OFFER not in chat.text


async def test_no_thanks_and_an_old_offer(world: World, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = world.chat("resident")
    await chat.say("Đường làng bị hỏng nhiều ổ gà")
    old = list(chat.last)
    await chat.press("Không, cảm ơn")
    assert chat.text == "Vâng. Ông/bà có thể chọn:" and "Gửi góp ý, phản ánh" in " ".join(chat.buttons())
    chat.last = old
    await chat.press("Có, gửi ý kiến")  # the offer was answered: its button is old now
    assert "tin nhắn trước" in chat.text
    assert await all_cases(session_factory) == []


async def test_staff_are_not_offered_a_petition(world: World) -> None:
    chat = world.chat("official_a")
    await chat.say("Đường làng bị hỏng nhiều ổ gà")
    assert OFFER not in chat.text


async def test_typing_another_kind_on_its_card_switches(world: World) -> None:
    chat = world.chat("resident")
    await chat.say("/feedback")
    await chat.press("Góp ý")
    assert gettext("vi", ROUTE_EXPLANATIONS["gop_y"]) in chat.text
    await chat.say("khieu nai")
    assert gettext("vi", ROUTE_EXPLANATIONS["khieu_nai"]) in chat.text
    await chat.say("Tôi muốn tố cáo")
    assert gettext("vi", ROUTE_EXPLANATIONS["to_cao"]) in chat.text
    await chat.say("tố cáo")  # the same kind typed again: go on
    assert "họ và tên" in chat.text


async def test_typing_a_kind_on_the_route_question(world: World) -> None:
    chat = world.chat("resident")
    await chat.say("/feedback")
    await chat.say("gửi phản ánh")
    assert gettext("vi", ROUTE_EXPLANATIONS["phan_anh"]) in chat.text
