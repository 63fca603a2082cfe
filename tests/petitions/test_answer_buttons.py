"""The answer can be rated where it arrives (issue 10, item 4): the pushed final answer carries the
rating buttons 1–5 and, while the petition may be reopened, "Not satisfied — reopen"; they work
from that old message — through the dispatcher and on Telegram through the outbox sender."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from sqlmodel import col, select

from bot.core.clock import utcnow
from bot.outbox import OutboxSender
from storage import petitions, units
from storage.outbox.models import OutboxMessage
from storage.people.models import Person
from storage.people.services import active_roles
from storage.petitions.models import Case
from tests.channels.telegram_support import Rig, button_data, texts
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.petitions.support import all_cases, submit_report
from tests.world import World, make_services, make_staff

ANSWER = "Phường đã vá ổ gà ngày 20/11. Cảm ơn ông/bà đã phản ánh."
LABELS = [["1★", "2★", "3★", "4★", "5★"], ["Chưa hài lòng — mở lại"]]


async def resolve(factory: Any, services: Any, case_id: int, official_id: int) -> None:
    async with factory() as s:
        official = await s.get(Person, official_id)
        grants = await active_roles(s, official_id)
        await petitions.resolve(
            s, petitions.config_for(services), case_id, official, grants, text=ANSWER, now=services.now()
        )
        await s.commit()


async def answer_push(factory: Any, person_id: int) -> OutboxMessage:
    async with factory() as s:
        rows = list(
            await s.exec(
                select(OutboxMessage)
                .where(OutboxMessage.person_id == person_id, OutboxMessage.kind == "status")
                .order_by(col(OutboxMessage.id))
            )
        )
    return rows[-1]


async def test_the_pushed_answer_can_be_rated_and_reopened_from_where_it_arrived(world: World, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = world.chat("resident")
    code = await submit_report(chat, "Đường vào thôn có ổ gà lớn ở đoạn gần cầu, xe máy dễ ngã.")
    [case] = await all_cases(session_factory)
    await resolve(session_factory, world.services, case.id, world.ids["official_a"])
    push = await answer_push(session_factory, world.ids["resident"])
    assert ANSWER in push.payload["text"] and code in push.payload["text"]
    buttons = [[b["label"] for b in row] for row in push.payload["buttons"]]
    assert buttons == LABELS
    data = {b["label"]: b["data"] for row in push.payload["buttons"] for b in row}

    await chat.say("/help")  # the conversation moved on: the buttons are global, they still work
    await chat._send(button=data["4★"])
    assert (
        chat.text
        == f"Đánh giá cho {code}: 4★.\nÔng/bà có muốn nhận xét thêm không? Xin nhập nhận xét, hoặc bấm Bỏ qua."
    )
    await chat.press("Bỏ qua")
    assert "Cảm ơn ông/bà đã đánh giá" in chat.text
    await chat._send(button=data["5★"])  # a second rating from the same old message
    assert chat.text == "Ông/bà đã đánh giá câu trả lời này rồi. Xin cảm ơn."

    await chat._send(button=data["Chưa hài lòng — mở lại"])
    assert "Vì sao" in chat.text and code in chat.text
    await chat.say("Ổ gà đã bong trở lại sau hai ngày mưa.")
    assert "mở lại" in chat.text
    async with session_factory() as s:
        fresh = await s.get(Case, case.id)
    assert fresh is not None and fresh.rating == 4 and fresh.status == "reopened"


async def test_a_second_answer_after_reopening_offers_no_second_reopen(world: World, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = world.chat("resident")
    await submit_report(chat, "Đường vào thôn có ổ gà lớn ở đoạn gần cầu, xe máy dễ ngã.")
    [case] = await all_cases(session_factory)
    await resolve(session_factory, world.services, case.id, world.ids["official_a"])
    async with session_factory() as s:
        me = await s.get(Person, world.ids["resident"])
        await petitions.reopen(
            s, petitions.config_for(world.services), case.id, me, reason="Chưa vá xong đoạn gần cầu.", now=utcnow()
        )
        await s.commit()
    await resolve(session_factory, world.services, case.id, world.ids["head_a"])
    push = await answer_push(session_factory, world.ids["resident"])
    assert [[b["label"] for b in row] for row in push.payload["buttons"]] == LABELS[:1]


# --- on Telegram, through the outbox sender ------------------------------------------------------
RESIDENT = 7101


async def _wait_for(fake: FakeTelegramAPI, chat: int, needle: str, timeout: float = 5.0) -> dict[str, Any]:
    async def loop() -> dict[str, Any]:
        while True:
            for r in fake.sent(chat):
                if needle in (r["text"] or ""):
                    return r
            await asyncio.sleep(0.02)

    return await asyncio.wait_for(loop(), timeout)


async def test_rating_buttons_on_the_answer_pushed_to_telegram(
    rig: Rig, fake: FakeTelegramAPI, session_factory
) -> None:  # type: ignore[no-untyped-def]
    assert rig.channel is not None
    services = await make_services(session_factory)
    async with session_factory() as s:
        ward = next(u for u in await units.current_communes(s, "kim_bang") if u.name == "Lý Thường Kiệt")
    official_id = await make_staff(session_factory, "7102", "official", ward.id)
    sender = OutboxSender(session_factory, {"telegram": rig.channel}, idle_wait=0.05)
    await sender.start()
    try:
        r = await rig.say("/start", RESIDENT)
        r = await rig.press(r, "Tôi đồng ý", RESIDENT)
        r = await rig.say("xa thanh son", RESIDENT)
        r = await rig.press(r, "Thôn Thanh Sơn 1", RESIDENT)
        r = await rig.press(r, "Bỏ qua", RESIDENT)
        r = await rig.say("/feedback", RESIDENT)
        for label in ("Phản ánh", "Tiếp tục", "Giao thông", "Thôn của tôi"):
            r = await rig.press(r, label, RESIDENT)
        r = await rig.say("Cầu tràn đầu thôn bị sạt một bên, xe qua rất nguy hiểm.", RESIDENT)
        for label in ("Bỏ qua", "Gửi có ghi tên", "Không công khai", "Gửi"):
            r = await rig.press(r, label, RESIDENT)
        m = re.search(r"KB-\d\d-[0-9A-Z]{6}", texts(r))
        assert m, texts(r)
        [case] = await all_cases(session_factory)
        await resolve(session_factory, services, case.id, official_id)

        pushed = await _wait_for(fake, RESIDENT, ANSWER)
        keyboard = pushed["reply_markup"]["inline_keyboard"]
        assert [[b["text"] for b in row] for row in keyboard] == LABELS
        rated = await rig.act(fake.make_callback_update(RESIDENT, button_data([pushed], "3★")), RESIDENT)
        assert f"Đánh giá cho {m.group(0)}: 3★." in texts(rated)
        done = await rig.press(rated, "Bỏ qua", RESIDENT)
        assert "Cảm ơn ông/bà đã đánh giá" in texts(done)
        reopen = await rig.act(fake.make_callback_update(RESIDENT, button_data([pushed], "Chưa hài lòng")), RESIDENT)
        assert "Vì sao" in texts(reopen)
    finally:
        await sender.stop()
    async with session_factory() as s:
        fresh = await s.get(Case, case.id)
    assert fresh is not None and fresh.rating == 3
