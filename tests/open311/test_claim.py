"""Following in the chat a petition another system filed: the resident sends ``/status CODE`` and the
phone number given with it; a wrong phone is refused and counted, the right one (written any usual
way) makes them a follower who is told when the ward answers in the chat — and nothing more."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage import apikeys
from storage.petitions.models import CaseEvent, CaseFollower
from tests.open311.support import REPORT, Api
from tests.open311.test_roundtrip import _answer_in_chat
from tests.petitions.staff_world import audit_rows, file_case, fresh, pushes
from tests.world import World

PHONE = "0913 222 444"
ASKED = "xin gửi số điện thoại đã ghi khi gửi ý kiến"


async def _file(api: Api) -> str:
    return await api.file(
        **{
            "attribute[village]": "13384-T04",
            "attribute[contact_consent]": "true",
            "first_name": "Hoa",
            "phone": PHONE,
        }
    )


async def _followers(world: World, code: str) -> list[int]:
    async with world.factory() as s:
        return [f.person_id for f in await s.exec(select(CaseFollower))]


def test_phone_key_reads_the_usual_ways_of_writing_a_number() -> None:
    for text in ("0912345678", "0912 345 678", "0912.345.678", "+84912345678", "+84 912 345 678", "84912345678"):
        assert apikeys.phone_key(text) == "0912345678", text
    for text in ("", "12345", "abc", "+1 912 345 678", "0912 345 67"):
        assert apikeys.phone_key(text) is None, text


async def test_wrong_phone_refused_right_phone_follows_and_hears_the_answer(api: Api, world: World) -> None:
    code = await _file(api)
    chat = world.chat("resident")
    await chat.say(f"/status {code}")
    assert ASKED in chat.text and "Nguyễn" not in chat.text

    await chat.say("0987 654 321")
    assert "không đúng" in chat.text and "còn thử được 4 lần" in chat.text
    refused = await audit_rows(world, "apikey.claim_refused")
    assert [(r.actor_id, r.data) for r in refused] == [(world.ids["resident"], {})]  # the typed phone is not kept
    assert await _followers(world, code) == []

    await chat.say("xin chào")  # not a phone: asked again, not counted
    assert "Đây không phải là số điện thoại" in chat.text
    assert len(await audit_rows(world, "apikey.claim_refused")) == 1

    await chat.say("+84 913.222.444")
    assert f"Ông/bà đang theo dõi {code}" in chat.text
    assert await _followers(world, code) == [world.ids["resident"]]
    [claimed] = await audit_rows(world, "apikey.claimed")
    assert claimed.actor_id == world.ids["resident"] and claimed.data["code"] == code
    async with world.factory() as s:
        events = list(await s.exec(select(CaseEvent).where(CaseEvent.action == "follow")))
    assert [(e.actor_id, e.public) for e in events] == [(world.ids["resident"], False)]

    # a follower, not the author: the status, but no withdrawing, adding or rating
    await chat.say(f"/status {code}")
    assert code in chat.text and "Thôi theo dõi" in chat.buttons()
    # its author did not publish it: no text, no name, no phone
    assert REPORT[:20] not in chat.text and "Hoa" not in chat.text and "0913" not in chat.text
    assert "Rút ý kiến" not in chat.buttons() and "Bổ sung thông tin" not in chat.buttons()

    before = len(await pushes(world, "resident"))
    await _answer_in_chat(world, code)
    told = [p["text"] for p in (await pushes(world, "resident"))[before:]]
    assert any(code in t and "bóng đèn" in t for t in told), told
    case = await fresh(world, int(claimed.subject_id or 0))
    assert case.author_id != world.ids["resident"]  # the petition is still the API author's


async def test_tries_are_limited_per_person_and_per_petition(api: Api, world: World) -> None:
    code = await _file(api)
    chat = world.chat("neighbour")
    await chat.say(f"/status {code}")
    for i in range(4):
        await chat.say(f"0987 654 32{i}")
    assert "còn thử được 1 lần" in chat.text
    await chat.say("0987 654 329")
    assert "quá nhiều lần" in chat.text
    await chat.say(f"/status {code}")  # the right phone is not even compared now
    assert "quá nhiều lần" in chat.text and ASKED not in chat.text
    assert await _followers(world, code) == []

    # another account may try, but the petition itself takes at most 10 wrong tries a day
    other = world.chat("resident_en", language_code="en")
    await other.say(f"/status {code}")
    for i in range(5):
        await other.say(f"0987 654 33{i}")
    third = world.chat("resident_a2")
    await third.say(f"/status {code}")
    assert "quá nhiều lần" in third.text and ASKED not in third.text
    assert len(await audit_rows(world, "apikey.claim_refused")) == 10

    # a day later the tries are back
    later = world.services.now() + timedelta(hours=25)
    world.services.clock = lambda: later
    await chat.say(f"/status {code}")
    assert ASKED in chat.text
    await chat.say(PHONE)
    assert f"Ông/bà đang theo dõi {code}" in chat.text


async def test_a_chat_petition_of_another_resident_is_not_claimable(api: Api, world: World) -> None:
    case = await file_case(world, "resident")
    async with world.factory() as s:
        author = await world.person(s, "resident")
        author.phone = "0912345678"
        s.add(author)
        await s.commit()
    chat = world.chat("neighbour")
    await chat.say(f"/status {case.code}")
    assert "Không tìm thấy" in chat.text and ASKED not in chat.text
    await chat.say("0912345678")
    assert await _followers(world, case.code) == []
    assert await audit_rows(world, "apikey.claim_refused") == []
