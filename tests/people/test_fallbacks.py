"""The answers for input that fits nowhere are fallbacks, not commands: nobody can type them, and a
typed name of one gets the normal unknown-command answer."""

from __future__ import annotations

import pytest

from bot.core.i18n import gettext
from handlers.features import APP
from handlers.framework import Fallback, Registry
from tests.world import World

UNKNOWN_COMMAND = "I do not know the command /{name}. Send /help to see what you can do."


def test_every_fallback_is_registered_once_and_none_is_a_command() -> None:
    assert set(APP.registry.fallbacks) == set(Fallback)
    assert not set(Fallback) & set(APP.registry.commands)


def test_merging_registries_keeps_fallbacks_apart_and_refuses_a_second_one() -> None:
    async def answer(ctx: object) -> None:
        return None

    a, b = Registry("a"), Registry("b")
    a.fallback(Fallback.UNKNOWN)(answer)  # type: ignore[arg-type]
    merged = Registry("app")
    merged.include(a)
    assert merged.fallbacks == {"unknown": answer} and merged.commands == {}
    b.fallback(Fallback.UNKNOWN)(answer)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="fallback 'unknown' is registered by two features"):
        merged.include(b)


@pytest.mark.parametrize("name", [f.value for f in Fallback])
async def test_a_typed_fallback_name_is_an_unknown_command(world: World, name: str) -> None:
    chat = world.chat("resident")
    await chat.say(f"/{name}")
    assert chat.last[0].text == gettext("vi", UNKNOWN_COMMAND, name=name)


async def test_a_menu_button_naming_a_fallback_is_an_unknown_command(world: World) -> None:
    chat = world.chat("resident")
    await chat._send(button="menu:not_allowed")
    assert chat.last[0].text == gettext("vi", UNKNOWN_COMMAND, name="not_allowed")


async def test_the_fallbacks_still_answer_where_they_belong(world: World) -> None:
    resident = world.chat("resident")
    await resident.say("/queue")  # a staff command
    assert resident.text == gettext(
        "vi", "Sorry, this command is for officials with a role in the ward. Send /help to see what you can do."
    )
    await resident._send(button="nosuchaction:1")
    assert resident.last[0].text == gettext(
        "vi", "That button belongs to an earlier message, and that step is already finished."
    )
