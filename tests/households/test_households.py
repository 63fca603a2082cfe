"""Households through the chat harness: declare, the village head confirms in the chat, members join
with the code, the representative hands over (confirmed by the village head, history kept), at most
one household per person, moving village ends the membership, /forget, the CSV import."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.core.errors import DomainError
from storage.households import queries, services
from storage.households.models import Household, HouseholdMember, HouseholdRepresentative
from storage.outbox.models import OutboxMessage
from storage.people.models import Person


async def _household(factory) -> Household:
    async with factory() as s:
        return (await s.exec(select(Household))).one()


async def _pushes(factory, person_id: int) -> list[OutboxMessage]:
    async with factory() as s:
        return list(
            await s.exec(
                select(OutboxMessage).where(OutboxMessage.person_id == person_id, OutboxMessage.kind == "household")
            )
        )


async def _declare(world, key: str = "resident") -> Household:
    chat = world.chat(key)
    await chat.say("/household")
    assert "Khai báo hộ của tôi" in chat.buttons()
    await chat.press("Khai báo hộ")
    await chat.say("Nguyễn Văn An")
    await chat.say("mười")  # not a number: asked again
    assert "từ 1 đến 60" in chat.text
    await chat.say("5")
    assert "Nguyễn Văn An" in chat.text and "5" in chat.text
    await chat.press("Đúng, gửi khai báo")
    hh = await _household(world.factory)
    assert hh.code in chat.text and hh.status == "pending"
    return hh


async def test_declare_confirm_join_and_hand_over(world, session_factory):
    hh = await _declare(world)
    # the village head of A1 is asked, with buttons, through the outbox
    [ask] = await _pushes(session_factory, world.ids["village_head"])
    assert "Nguyễn Văn An" in ask.payload["text"]
    head = world.chat("village_head")
    await head.say("/households")
    assert "Xác nhận" in head.buttons()
    await head.press("Xác nhận")
    assert "đã được xác nhận" in head.text
    assert (await _household(session_factory)).status == "confirmed"
    assert any("xác nhận hộ" in m.payload["text"] for m in await _pushes(session_factory, world.ids["resident"]))

    # a neighbour joins with the code, as an adult; the representative is told
    nb = world.chat("neighbour")
    await nb.say("/household")
    await nb.press("Tham gia bằng mã")
    await nb.say(hh.code.lower().replace("-", " "))  # typed loosely
    await nb.press("Có")
    assert "Bạn đã vào hộ" in nb.text
    # the representative hands over to the neighbour; until confirmed, nothing changes
    rep = world.chat("resident")
    await rep.say("/household")
    assert hh.code in rep.text
    await rep.press("Chuyển quyền đại diện")
    await rep.press("Lê Thị Cúc")
    assert "Trưởng thôn" in rep.text or "trưởng thôn" in rep.text
    async with session_factory() as s:
        cur = await queries.current_representative(s, hh.id)
        assert cur is not None and cur.person_id == world.ids["resident"]
    await head.say("/households")
    await head.press("Xác nhận")
    async with session_factory() as s:
        history = await queries.representation_history(s, hh.id)
    assert [(r.person_id, r.end_reason) for r in history] == [
        (world.ids["resident"], "handover"),
        (world.ids["neighbour"], None),
    ]
    assert history[0].until == history[1].since
    assert any("đại diện" in m.payload["text"] for m in await _pushes(session_factory, world.ids["neighbour"]))


async def test_a_person_is_in_at_most_one_household(world, session_factory):
    hh = await _declare(world)
    chat = world.chat("resident")
    await chat.say("/household")  # already in one: shown, not asked to declare again
    assert "Khai báo hộ của tôi" not in chat.buttons() and "Rời khỏi hộ" in chat.buttons()
    async with session_factory() as s:
        p = await s.get(Person, world.ids["resident"])
        with pytest.raises(services.AlreadyInHousehold):
            await services.declare(s, p, head_name="X", size=1)
        with pytest.raises(services.AlreadyInHousehold):
            await services.join(s, p, hh.code, adult=True)


async def test_other_village_and_unknown_code_are_refused(world, session_factory):
    hh = await _declare(world)
    other = world.chat("resident_a2")
    await other.say("/household")
    await other.press("Tham gia bằng mã")
    await other.say(hh.code)
    await other.press("Có")
    assert "thôn khác" in other.text
    await other.say("/household")
    await other.press("Tham gia bằng mã")
    await other.say("HG-ZZZZZZ")
    await other.press("Có")
    assert "Không tìm thấy" in other.text


async def test_a_minor_joins_but_cannot_represent(world, session_factory):
    hh = await _declare(world)
    async with session_factory() as s:
        nb = await s.get(Person, world.ids["neighbour"])
        await services.join(s, nb, hh.code, adult=False)
        rep = await s.get(Person, world.ids["resident"])
        with pytest.raises(services.NotAdult):
            await services.request_handover(s, rep, world.ids["neighbour"])


async def test_moving_village_ends_membership_and_representation(world, session_factory):
    hh = await _declare(world)
    chat = world.chat("resident")
    await chat.say("/profile")
    buttons = chat.buttons()
    edit = next(b for b in buttons if "ơi" in b or "Nơi" in b or "thôn" in b.lower())
    await chat.press(edit)
    await chat.press("Kim Bảng")
    await chat.press("Thôn 1")
    async with session_factory() as s:
        assert await queries.membership(s, world.ids["resident"]) is None
        m = (await s.exec(select(HouseholdMember).where(HouseholdMember.person_id == world.ids["resident"]))).one()
        assert m.left_reason == "moved" and m.left_at is not None
        r = (await s.exec(select(HouseholdRepresentative))).one()
        assert r.until is not None and r.end_reason == "moved"
        assert (await s.get(Household, hh.id)).status == "pending"  # the household stays


async def test_nobody_left_to_represent_then_an_adult_takes_it_up(world, session_factory):
    hh = await _declare(world)
    async with session_factory() as s:
        nb = await s.get(Person, world.ids["neighbour"])
        await services.join(s, nb, hh.code, adult=True)
        await services.leave(s, world.ids["resident"])
        await s.commit()
    assert any(
        "không còn đại diện" in m.payload["text"] for m in await _pushes(session_factory, world.ids["neighbour"])
    )
    nb_chat = world.chat("neighbour")
    await nb_chat.say("/household")
    await nb_chat.press("Đại diện cho hộ")
    head = world.chat("village_head")
    await head.say("/households")
    await head.press("Xác nhận")  # the declaration
    await head.say("/households")
    await head.press("Xác nhận")  # the take-up
    async with session_factory() as s:
        cur = await queries.current_representative(s, hh.id)
        assert cur is not None and cur.person_id == world.ids["neighbour"]


async def test_only_the_village_keeper_confirms(world, session_factory):
    hh = await _declare(world)
    async with session_factory() as s:
        off_b = await world.person(s, "official_b")
        with pytest.raises(DomainError):
            await services.decide_declaration(s, hh.id, off_b, await world.grants(s, "official_b"), confirm=True)
    forged = world.chat("resident_a2")
    await forged._send(button=f"hhc:{hh.id}")
    assert (await _household(session_factory)).status == "pending"


async def test_forget_leaves_the_household(world, session_factory):
    await _declare(world)
    chat = world.chat("resident")
    await chat.say("/forget")
    await chat.press("Xóa")
    async with session_factory() as s:
        assert await queries.membership(s, world.ids["resident"]) is None
