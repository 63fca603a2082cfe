"""A meeting names the village's open "meeting" decision it takes; after the start the village head
enters that decision's tally from the meeting; a decision is taken at one meeting at most."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.decisions.support import add_households, decision, open_vote
from tests.harness import Chat
from tests.meetings.support import TZ, at, meeting, pushes
from tests.meetings.test_meetings import START
from tests.world import make_staff

NOW = datetime(2026, 12, 18, 9, 0, tzinfo=TZ)


async def test_meeting_takes_a_decision_and_its_tally_is_entered_from_it(world, session_factory):
    await add_households(world, world.village_a1, 3, start=9700)
    at(world, NOW)
    d = await open_vote(world, world.village_a1, method="meeting", now=NOW, hours=58.5)
    head = world.chat("village_head")
    await head.say("/meeting")
    await head.say("Biểu quyết đóng góp làm đường ngõ 3")
    await head.say("19:30 20/12")
    await head.say("Nhà văn hóa thôn")
    assert "Cuộc họp có biểu quyết" in head.text and "Không biểu quyết việc nào" in head.buttons()
    await head.press(f"{d.id}. Đóng góp làm đường")
    assert f"Biểu quyết: việc số {d.id}" in head.text
    await head.press("Thông báo")
    m = await meeting(session_factory)
    assert m.decision_id == d.id
    # a second meeting is not offered the same decision
    await head.say("/meeting")
    await head.say("Họp bàn việc khác")
    await head.say("19:30 27/12")
    await head.say("Nhà văn hóa thôn")
    assert "Cuộc họp có biểu quyết" not in head.text and "Xin kiểm tra thông báo" in head.text
    await head.press("Hủy")
    # before the start there is no tally button; after it, the tally is entered from the meeting
    await head.say(f"/meeting {m.id}")
    assert f"Biểu quyết việc số {d.id}" in head.text and "Nhập kết quả biểu quyết" not in head.buttons()
    at(world, START + timedelta(hours=1))
    await head.say(f"/meeting {m.id}")
    await head.press("Nhập kết quả biểu quyết")
    await head.say("3")
    await head.say("2 1 0")
    assert "ĐƯỢC THÔNG QUA" in head.text
    d = await decision(session_factory, d.id)
    assert d.status == "closed" and d.result["voted"] == 3
    assert len(await pushes(session_factory, "result")) >= 3


async def test_a_decision_opened_after_the_announcement_is_linked_from_the_meeting(world, session_factory):
    await add_households(world, world.village_a1, 2, start=9760)
    at(world, NOW)
    head = world.chat("village_head")
    await head.say("/meeting")
    await head.say("Bàn việc làm đường ngõ 3")
    await head.say("19:30 20/12")
    await head.say("Nhà văn hóa thôn")
    await head.press("Thông báo")  # no decision to offer yet
    m = await meeting(session_factory)
    await head.say(f"/meeting {m.id}")
    assert "Chọn việc cuộc họp biểu quyết" not in head.buttons()
    d = await open_vote(world, world.village_a1, method="meeting", now=NOW, hours=58.5)
    await head.say(f"/meeting {m.id}")
    await head.press("Chọn việc cuộc họp biểu quyết")
    await head.press(f"{d.id}. ")
    assert f"Cuộc họp số {m.id} sẽ biểu quyết việc số {d.id}" in head.text
    assert (await meeting(session_factory, m.id)).decision_id == d.id
    # another village's head cannot, even with a forged button
    other = Chat(world.dispatcher, "952")
    await make_staff(session_factory, "952", "village_head", world.village_a2)
    await other._send(button=f"mlk:{m.id}:{d.id}")
    assert "Không tìm thấy" in other.text
