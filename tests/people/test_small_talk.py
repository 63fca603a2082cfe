"""Thanks and acknowledgements outside a flow get a short friendly answer; short ambiguous text still
gets the menu."""

from __future__ import annotations

import pytest

from bot.core.i18n import gettext
from tests.world import World

THANKS = "You are welcome. Write to me whenever you need anything."
OKAY = "All right. Write to me whenever you need anything."
UNKNOWN = "Sorry, I did not understand that. Here is what you can do:"
MENU = ["Send feedback", "My petitions", "Learn your rights", "Notices", "Made public", "Village votes", "Help"]


@pytest.mark.parametrize("typed", ["Cảm ơn", "cam on", "cám ơn ạ!", "Cảm ơn nhiều", "thank you", "CAM ON NHIEU"])
async def test_thanks_get_a_friendly_answer(world: World, typed: str) -> None:
    chat = world.chat("resident")
    await chat.say(typed)
    assert [r.text for r in chat.last] == [gettext("vi", THANKS)] and chat.buttons() == []


@pytest.mark.parametrize("typed", ["ok", "OK.", "vâng", "Vâng ạ", "vang", "dạ", "được rồi", "👍"])
async def test_acknowledgements_get_a_friendly_answer(world: World, typed: str) -> None:
    chat = world.chat("resident")
    await chat.say(typed)
    assert [r.text for r in chat.last] == [gettext("vi", OKAY)] and chat.buttons() == []


@pytest.mark.parametrize("typed", ["abc", "đã", "hm", "xyz", "alo"])
async def test_short_ambiguous_text_keeps_the_menu(world: World, typed: str) -> None:
    chat = world.chat("resident")
    await chat.say(typed)
    assert [r.text for r in chat.last] == [gettext("vi", UNKNOWN)]
    assert chat.buttons() == [gettext("vi", label) for label in MENU]


async def test_ok_inside_a_flow_is_still_an_answer_to_the_step(world: World) -> None:
    chat = world.new_chat()
    await chat.say("/start")
    await chat.say("ok")  # "ok" agrees to the privacy notice
    assert gettext("vi", "Thank you. Your consent is recorded.") in chat.text
