"""The language a person is answered in, through the dispatcher: a stray line of markup or one
English sentence does not flip a Vietnamese resident, two in a row do, and /language always wins."""

from __future__ import annotations

from bot.core.i18n import gettext
from tests.harness import Chat
from tests.people.test_core_flows import onboard, person_of
from tests.world import World

UNKNOWN = "Sorry, I did not understand that. Here is what you can do:"


async def _locales(world: World, chat: Chat) -> tuple[str | None, str | None]:
    async with world.factory() as s:
        p = await person_of(s, chat)
        return p.locale, p.detected_locale


async def test_markup_does_not_flip_a_vietnamese_resident(world: World) -> None:
    chat = world.new_chat(language_code=None)
    await chat.say("xin chao, toi muon gop y ve duong lang")
    await onboard(chat)
    await chat.say("<img src=x onerror=alert(1)>")
    assert chat.last[0].locale == "vi" and chat.last[0].text == gettext("vi", UNKNOWN)
    await chat.say("xin chao")
    assert all(r.locale == "vi" for r in chat.last)
    await chat.say("/profile")
    assert gettext("vi", "Language: {language}", language="Tiếng Việt") in chat.text
    assert await _locales(world, chat) == (None, "vi")


async def test_one_english_sentence_is_not_enough_two_in_a_row_are(world: World) -> None:
    chat = world.new_chat(language_code=None)
    await chat.say("xin chao, toi muon gop y ve duong lang")
    await onboard(chat)
    await chat.say("The street light near my house has been broken for weeks")
    assert {r.locale for r in chat.last} == {"vi"}
    assert await _locales(world, chat) == (None, "vi")
    await chat.say("Could somebody from the ward come and fix it please")
    assert {r.locale for r in chat.last} == {"en"}
    assert await _locales(world, chat) == (None, "en")


async def test_a_vietnamese_message_between_breaks_the_row(world: World) -> None:
    chat = world.new_chat(language_code=None)
    await chat.say("xin chao, toi muon gop y ve duong lang")
    await onboard(chat)
    await chat.say("The street light near my house has been broken for weeks")
    await chat.say("đèn đường vẫn chưa ai sửa ạ")
    await chat.say("Could somebody from the ward come and fix it please")
    assert {r.locale for r in chat.last} == {"vi"}
    assert await _locales(world, chat) == (None, "vi")


async def test_an_explicit_choice_is_never_overridden(world: World) -> None:
    chat = world.new_chat(language_code=None)
    await chat.say("xin chao, toi muon gop y ve duong lang")
    await onboard(chat)
    await chat.say("/language vi")
    for _ in range(3):
        await chat.say("Could somebody from the ward come and fix it please")
        assert {r.locale for r in chat.last} == {"vi"}
    assert await _locales(world, chat) == ("vi", "en")


async def test_the_pending_guess_is_no_draft_in_mydata(world: World) -> None:
    chat = world.new_chat(language_code=None)
    await chat.say("xin chao, toi muon gop y ve duong lang")
    await onboard(chat)
    await chat.say("The street light near my house has been broken for weeks")
    await chat.say("/mydata")
    assert "_language_guess" not in chat.text and "language" not in chat.text
