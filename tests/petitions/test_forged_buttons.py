"""Issue 10, item 22: a forged staff button tells nobody which petitions exist. A petition of another
ward answers exactly like an unknown code (and the attempt is audited), staff buttons name the
tracking code and never the sequential database id, and buttons sent before that get one polite
answer whatever number they carry. Through the chat and through Telegram's callbacks."""

from __future__ import annotations

import re

from bot.core.errors import NotFound, PermissionDenied
from bot.core.i18n import gettext
from handlers.petitions.actions import OLD_BUTTON
from storage.conversations.models import Conversation
from storage.people.models import ChannelIdentity
from storage.petitions.codes import new_code
from tests.channels.telegram_support import Rig, texts
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.petitions.staff_world import audit_rows, button_data, file_case, fresh, pushes
from tests.world import World

NOT_FOUND = gettext("vi", NotFound.msgid)
STAFF_BUTTON = re.compile(r"^c:[a-z_]+:KB-\d\d-[2-9A-HJ-NP-Z]{6}(:\d+)?$")


def unknown_code(*taken: str) -> str:
    while (code := new_code("KB", 2026)) in taken:
        pass
    return code


async def test_another_wards_petition_answers_like_an_unknown_code(world: World) -> None:
    case = await file_case(world)
    other = unknown_code(case.code)
    off_b = world.chat("official_b")
    forged = [
        f"c:open:{case.code}",
        f"c:acknowledge:{case.code}",
        f"c:request_info:{case.code}:{case.version}",
        f"c:reveal:{case.code}:{case.version}",
    ]
    for data in forged:
        real = await off_b._send(button=data)
        fake = await off_b._send(button=data.replace(case.code, other))
        assert [(r.text, r.buttons) for r in real] == [(r.text, r.buttons) for r in fake] == [(NOT_FOUND, ())]
    await off_b.say(f"/status {case.code}")
    assert off_b.text == NOT_FOUND  # what /status has always said
    async with world.factory() as s:
        conv = await s.get(Conversation, world.ids["official_b"])
    assert conv is None or conv.flow is None  # nothing was asked
    assert (await fresh(world, case.id)).status == "new" and (await fresh(world, case.id)).version == 1
    denied = await audit_rows(world, "permission.denied")
    assert [d.data["button"] for d in denied] == forged  # the forged presses on a real petition are on record
    assert gettext("vi", PermissionDenied.msgid) != NOT_FOUND


async def test_staff_buttons_carry_the_code_never_the_id(world: World) -> None:
    case = await file_case(world)
    notified = button_data(await pushes(world, "official_a"))
    assert notified == [f"c:open:{case.code}", f"c:acknowledge:{case.code}"]
    off = world.chat("official_a")
    await off.say("/queue")
    shown = [b.data for r in off.last for row in r.buttons for b in row if b.data.startswith("c:")]
    await off.press(f"Xem {case.code}")
    shown += [b.data for r in off.last for row in r.buttons for b in row if b.data.startswith("c:")]
    actions = [d.split(":")[1] for d in shown]
    assert actions == [
        "open",
        "acknowledge",
        "start",
        "request_info",
        "reply",
        "resolve",
        "transfer",
        "reject",
        "assign",
        "note",  # no extension for a phản ánh
    ]
    assert all(STAFF_BUTTON.match(d) for d in shown), shown
    await off.press("Tiếp nhận")
    assert off.text.startswith("Đã tiếp nhận") and (await fresh(world, case.id)).status == "acknowledged"


async def test_buttons_from_before_codes_get_one_polite_answer(world: World) -> None:
    case = await file_case(world)
    old = gettext("vi", OLD_BUTTON)
    for key in ("official_a", "official_b"):
        chat = world.chat(key)
        for data in (f"c:open:{case.id}", f"c:ack:{case.id}", f"c:reply:{case.id}:1", "c:open:987654"):
            await chat._send(button=data)
            assert chat.text == old and not chat.buttons()
    assert "/queue" in old and "/status" in old
    assert (await fresh(world, case.id)).status == "new"
    assert await audit_rows(world, "permission.denied") == []


async def test_forged_callback_on_telegram(rig: Rig, fake: FakeTelegramAPI, world: World) -> None:
    case = await file_case(world)
    official = 7301  # official_b of the world, on Telegram
    async with world.factory() as s:
        s.add(
            ChannelIdentity(
                person_id=world.ids["official_b"], channel="telegram", external_id=str(official), chat_id=str(official)
            )
        )
        await s.commit()
    real = await rig.act(fake.make_callback_update(official, f"c:open:{case.code}"), official)
    unknown = await rig.act(fake.make_callback_update(official, f"c:open:{unknown_code(case.code)}"), official)
    assert texts(real) == texts(unknown) == NOT_FOUND
    assert case.code not in str(real) and "Đường thôn" not in str(real)
    by_id = await rig.act(fake.make_callback_update(official, f"c:open:{case.id}"), official)
    no_id = await rig.act(fake.make_callback_update(official, f"c:open:{(case.id or 0) + 1000}"), official)
    assert texts(by_id) == texts(no_id) == gettext("vi", OLD_BUTTON)  # an id, real or not, names nothing
    assert len(fake.callback_answers) == 4  # every press is answered (the spinner stops)


async def test_resident_buttons_carry_codes_and_old_id_buttons_get_one_polite_answer(world) -> None:  # type: ignore[no-untyped-def]
    from tests.petitions.support import onboard, submit_report

    chat = world.new_chat()
    await onboard(chat)
    code = await submit_report(chat)
    await chat.say("/mine")
    datas = [b.data for r in chat.last for row in r.buttons for b in row if b.data.startswith("t:")]
    assert datas == [f"t:open:{code}"]
    await chat.say(f"/status {code}")
    resident = [b.data for r in chat.last for row in r.buttons for b in row if b.data.startswith("t:")]
    assert resident and all(d.rsplit(":", 1)[1] == code for d in resident)
    for forged in ("t:open:1", "t:withdraw:1", "t:open:999999"):
        await chat._send(button=forged)
        assert chat.text == (
            "Nút này thuộc một tin nhắn cũ và không còn dùng được. Xin gửi /mine để xem các ý kiến của ông/bà, "
            "hoặc gửi /status kèm mã tra cứu."
        )
