"""Invites as a newly invited official really uses them: the code sent as the very first message
(``/join CODE``, or ``/start CODE`` from the Telegram deep link) survives onboarding and is used at
its end; a used or expired code says whom to ask."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import col, select

from bot.core.i18n import gettext
from storage import units
from storage.conversations.models import Conversation
from storage.db import utcnow
from storage.people.invites import create_invite, normalise_code
from storage.people.models import Invite, RoleGrant
from tests.harness import Chat
from tests.people.test_core_flows import actions_of, person_of
from tests.world import World

KEPT = "Thank you. I keep your invite code and will use it as soon as your profile is set up."
WELCOME = "Welcome. You are now {role} for {unit}. Send /help to see your commands."
USED = "This code has already been used. Please ask whoever gave it to you (the ward's administrator) for a new one."
EXPIRED = "This code has expired. Please ask whoever gave it to you (the ward's administrator) for a new one."


async def _invite(world: World, role: str = "official") -> str:
    async with world.factory() as s:
        ward = await units.by_code(s, "13384", deployment="kim_bang")
        code = await create_invite(s, role, ward, created_by="test")
        await s.commit()
    return code


async def _finish_onboarding(chat: Chat) -> None:
    await chat.press("Tôi đồng ý")
    await chat.say("kim bang")
    await chat.press("Thôn Ngọc Sơn")
    await chat.press("Bỏ qua")


async def _grants(world: World, chat: Chat) -> list[tuple[str, int | None]]:
    async with world.factory() as s:
        p = await person_of(s, chat)
        rows = await s.exec(select(RoleGrant).where(RoleGrant.person_id == p.id, col(RoleGrant.revoked_at).is_(None)))
        return [(g.role, g.unit_id) for g in rows]


async def test_join_as_the_first_message_is_kept_through_onboarding(world: World) -> None:
    code = await _invite(world)
    chat = world.new_chat()
    await chat.say(f"/join {code}")
    assert chat.last[0].text == gettext("vi", KEPT)
    assert "Tôi đồng ý" in chat.buttons()  # the privacy notice follows at once
    assert await _grants(world, chat) == []
    await _finish_onboarding(chat)
    assert chat.last[-1].text == gettext("vi", WELCOME, role=gettext("vi", "ward official"), unit="Kim Bảng")
    assert gettext("vi", "Petition queue") in chat.buttons()  # the official's menu
    assert await _grants(world, chat) == [("official", world.ward_a)]
    async with world.factory() as s:
        p = await person_of(s, chat)
        assert await actions_of(s, p.id) == ["consent.given", "person.onboarded", "role.granted", "invite.redeemed"]
        inv = (await s.exec(select(Invite))).one()
        assert inv.used_by == p.id


async def test_the_kept_invite_is_its_id_never_the_code(world: World) -> None:
    code = await _invite(world)
    chat = world.new_chat()
    await chat.say(f"/join {code}")
    async with world.factory() as s:
        p = await person_of(s, chat)
        conv = await s.get(Conversation, p.id)
        inv = (await s.exec(select(Invite))).one()
        assert conv is not None and conv.data["onboarding"] == {"invite": inv.id}
        assert normalise_code(code) not in normalise_code(json.dumps(conv.data))


async def test_start_with_a_code_is_the_telegram_deep_link(world: World) -> None:
    code = await _invite(world, "inspector")
    chat = world.new_chat()
    await chat.say(f"/start {code}")
    assert chat.last[0].text == gettext("vi", KEPT)
    await _finish_onboarding(chat)
    assert chat.last[-1].text == gettext(
        "vi", WELCOME, role=gettext("vi", "People's Inspection Board member"), unit="Kim Bảng"
    )
    assert await _grants(world, chat) == [("inspector", world.ward_a)]


async def test_start_with_a_code_for_somebody_onboarded_takes_the_role_at_once(world: World) -> None:
    code = await _invite(world)
    chat = world.chat("resident")
    await chat.say(f"/start {code}")
    assert chat.text == gettext("vi", WELCOME, role=gettext("vi", "ward official"), unit="Kim Bảng")
    assert await _grants(world, chat) == [("official", world.ward_a)]


async def test_declining_consent_does_not_use_the_kept_code(world: World) -> None:
    code = await _invite(world)
    chat = world.new_chat()
    await chat.say(f"/join {code}")
    await chat.press("Tôi không đồng ý")
    assert chat.last[0].text == gettext("vi", "Your invite code was not used: taking up a role needs your consent.")
    assert await _grants(world, chat) == []
    async with world.factory() as s:
        assert (await s.exec(select(Invite))).one().used_at is None


async def test_a_code_used_meanwhile_is_said_and_onboarding_is_kept(world: World) -> None:
    code = await _invite(world)
    chat = world.new_chat()
    await chat.say(f"/join {code}")
    await world.chat("neighbour").say(f"/join {code}")  # somebody else was quicker
    await _finish_onboarding(chat)
    assert chat.last[0].text == gettext("vi", USED)
    assert await _grants(world, chat) == []
    async with world.factory() as s:
        p = await person_of(s, chat)
        assert p.onboarded_at is not None and p.consent_given is True


async def test_a_code_that_expired_meanwhile_says_whom_to_ask(world: World) -> None:
    code = await _invite(world)
    chat = world.new_chat()
    await chat.say(f"/join {code}")
    async with world.factory() as s:
        inv = (await s.exec(select(Invite))).one()
        inv.expires_at = utcnow() - timedelta(minutes=1)
        await s.commit()
    await _finish_onboarding(chat)
    assert chat.last[0].text == gettext("vi", EXPIRED)
    assert await _grants(world, chat) == []


async def test_a_bad_first_code_is_refused_and_nothing_is_kept(world: World) -> None:
    chat = world.new_chat()
    await chat.say("/join ABCD-EFGH-JKLM")
    assert chat.text == gettext(
        "vi",
        "This code is not valid. Please check it, or ask whoever gave it to you (the ward's administrator) "
        "for a new one.",
    )
    await chat.say("/start")
    assert gettext("vi", KEPT) not in chat.text
