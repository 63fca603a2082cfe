"""The main menu fits the person: a resident sees what residents do (and can follow their own
petitions), a village head sends notices, an official works the queue, an inspector inspects, and
somebody who declined consent sees only what needs none."""

from __future__ import annotations

import pytest

from bot.core.i18n import gettext
from tests.world import World

RESIDENT = ["Send feedback", "My petitions", "Learn your rights", "Notices", "Made public", "Village votes", "Help"]
VILLAGE_HEAD = ["Send a notice", "Notices you sent", "Learn your rights", "Quiz results", "Village decisions", "Help"]
OFFICIAL = [
    "Petition queue",
    "Send a notice",
    "Notices you sent",
    "Disclosures of the ward",
    "Learn your rights",
    "Quiz results",
    "Village decisions",
    "Help",
]
INSPECTOR = ["Petition queue", "Disclosures of the ward", "Learn your rights", "Help"]


@pytest.mark.parametrize(
    ("key", "labels"),
    [
        ("resident", RESIDENT),
        ("village_head", VILLAGE_HEAD),
        ("official_a", OFFICIAL),
        ("head_a", OFFICIAL),
        ("inspector_a", INSPECTOR),
    ],
)
async def test_the_menu_comes_from_the_roles(world: World, key: str, labels: list[str]) -> None:
    chat = world.chat(key)
    await chat.say("/menu")
    assert chat.buttons() == [gettext("vi", label) for label in labels]


async def test_a_village_head_finds_send_a_notice_and_the_notices_sent(world: World) -> None:
    head = world.chat("village_head")
    await head.say("/notice")
    typed = head.text
    await head.say("/menu")
    await head.press("Gửi thông báo")
    assert head.text == typed
    await head.say("/cancel")
    await head.press("Thông báo đã gửi")
    assert head.text == gettext("vi", "You have not sent any notices yet. Send /notice to write one.")


async def test_a_resident_follows_their_petitions_from_the_menu(world: World) -> None:
    chat = world.chat("resident")
    await chat.say("/menu")
    await chat.press("Ý kiến của tôi")
    assert chat.last[0].text == gettext("vi", "You have not sent any petition yet. Send /feedback to send one.")


async def test_a_menu_button_runs_a_command_line_with_its_permission_checks(world: World) -> None:
    resident = world.chat("resident")
    await resident._send(button="menu:notice list")  # forged: the same as typing /notice list
    assert resident.text == gettext(
        "vi", "Sorry, this command is for officials with a role in the ward. Send /help to see what you can do."
    )
