"""Who may do what with a meeting: another village's head is refused (announcing for the village,
reading or managing its meeting, forged buttons); a household of another village cannot answer; a
resident without a household is told politely how to declare one; the Inspection Board reads."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.core.errors import NotFound, PermissionDenied
from storage.audit.models import AuditEvent
from storage.households import services as hh_services
from storage.meetings import services
from storage.meetings.models import Meeting
from storage.people.models import Person, RoleGrant
from storage.units.models import Unit
from tests.decisions.support import add_households
from tests.harness import Chat
from tests.meetings.support import TZ, at, meeting, pushes, run_jobs
from tests.meetings.test_meetings import START, announce
from tests.world import make_staff

NOW = datetime(2026, 12, 18, 9, 0, tzinfo=TZ)


async def test_another_village_head_is_refused(world, session_factory):
    await add_households(world, world.village_a1, 2, start=9400)
    a2 = await add_households(world, world.village_a2, 1, start=9450)
    at(world, NOW)
    await announce(world)
    m = await meeting(session_factory)
    head_a2_id = await make_staff(session_factory, "951", "village_head", world.village_a2)
    other = Chat(world.dispatcher, "951")
    # the service refuses a meeting for a village that is not theirs
    async with session_factory() as s:
        me = await s.get(Person, head_a2_id)
        grants = list(
            await s.exec(
                select(RoleGrant).where(RoleGrant.person_id == head_a2_id, col(RoleGrant.revoked_at).is_(None))
            )
        )
        with pytest.raises(PermissionDenied):
            await services.announce(
                s, me, grants, village_id=world.village_a1, agenda="Họp thôn", place="Nhà văn hóa", starts_at=START
            )
    # in the chat, their /meeting only offers their own village, and A1's meeting does not exist for them
    await other.say("/meeting")
    assert "Nội dung cuộc họp" in other.text  # straight to the agenda: one village, their own
    await other.say("/cancel")
    await other.say(f"/meeting {m.id}")
    assert "Không tìm thấy" in other.text and "Bầu tổ hòa giải" not in other.text
    at(world, START + timedelta(hours=1))
    for forged in (f"msh:{m.id}", f"mmn:{m.id}"):
        await other._send(button=forged)
        assert "Bầu tổ hòa giải" not in other.text and "Xin gửi biên bản" not in other.text
    with pytest.raises(NotFound):
        async with session_factory() as s:
            me = await s.get(Person, head_a2_id)
            await services.publish_minutes(s, m.id, me, grants, text="Biên bản giả", now=START + timedelta(hours=1))
    assert (await meeting(session_factory, m.id)).minutes_at is None
    # a household of village A2 cannot answer A1's meeting
    at(world, NOW)
    a2_rep = a2.chat(0)
    await a2_rep._send(button=f"mta:{m.id}:yes")
    assert "dành cho các hộ của thôn khác" in a2_rep.text
    # the Inspection Board reads the counts but has no manager's buttons
    at(world, START + timedelta(hours=1))
    insp = world.chat("inspector_a")
    await insp.say(f"/meetings {m.id}")
    assert "0 sẽ đến, 0 không đến được, 2 chưa trả lời (trên tổng số 2 hộ)" in insp.text
    assert insp.buttons() == []
    await insp._send(button=f"mmn:{m.id}")
    assert "Xin gửi biên bản" not in insp.text


async def test_resident_without_household_is_told_how_to_declare_one(world, session_factory):
    await add_households(world, world.village_a1, 1, start=9500)
    at(world, NOW)
    await announce(world)
    m = await meeting(session_factory)
    res = world.chat("resident")  # lives in village A1, has not declared a household
    assert not await pushes(session_factory, "meeting", world.ids["resident"])
    await res._send(button=f"mta:{m.id}:yes")
    assert "/household" in res.text and "theo hộ" in res.text
    await res.say("/meetings")
    assert "Bàn việc làm đường" in res.text and "/household" in res.text
    assert not res.buttons()


async def test_short_notice_skips_the_day_before_reminder(world, session_factory):
    v = await add_households(world, world.village_a1, 2, start=9600)
    at(world, datetime(2026, 12, 20, 10, 0, tzinfo=TZ))  # the same day
    await announce(world)
    m = await meeting(session_factory)
    assert m.reminded == 1
    assert await run_jobs(world.services, datetime(2026, 12, 20, 10, 5, tzinfo=TZ)) == 0
    assert await run_jobs(world.services, START - timedelta(minutes=50)) == 3  # two households, the head
    assert await run_jobs(world.services, START - timedelta(minutes=49)) == 0
    assert len(await pushes(session_factory, "reminder")) == len(v.reps) + 1
    async with session_factory() as s:
        assert (await s.get(Meeting, m.id)).reminded == 2


async def test_cancel_before_the_start_tells_the_households(world, session_factory):
    v = await add_households(world, world.village_a1, 2, start=9800)
    at(world, NOW)
    head = await announce(world)
    m = await meeting(session_factory)
    await head.say(f"/meeting {m.id}")
    await head.press("Hủy cuộc họp")
    await head.press("Có, hủy")
    assert "đã hủy" in head.text.lower()
    told = [r for r in await pushes(session_factory, "meeting") if "đã bị hủy" in r.payload["text"]]
    assert sorted(r.person_id for r in told) == sorted(v.reps)
    rep = v.chat(0)
    await rep._send(button=f"mta:{m.id}:yes")
    assert "Cuộc họp này đã bị hủy" in rep.text
    assert await run_jobs(world.services, START - timedelta(hours=1)) == 0  # no reminder
    async with session_factory() as s:
        audit_rows = [a.action for a in await s.exec(select(AuditEvent).where(AuditEvent.subject_type == "meeting"))]
    assert audit_rows == ["meeting.announced", "meeting.cancelled"]  # the refused answer changed nothing


async def test_a_ward_official_announces_for_one_of_the_wards_villages(world, session_factory):
    a1 = await add_households(world, world.village_a1, 1, start=9870)
    a2 = await add_households(world, world.village_a2, 2, start=9880)
    at(world, NOW)
    off = world.chat("official_a")
    await off.say("/meeting")
    assert "Họp của thôn nào?" in off.text
    async with session_factory() as s:
        village_a2 = await s.get(Unit, world.village_a2)
    assert village_a2.name in off.buttons()
    await off.press(village_a2.name)
    await off.say("Bàn việc nạo vét mương thủy lợi")
    await off.say("08:00 20/12")
    await off.say("Sân kho hợp tác xã")
    await off.press("Thông báo")
    assert "đến 2 hộ" in off.text
    told = {r.person_id for r in await pushes(session_factory, "meeting")}
    assert told == set(a2.reps) and not told & set(a1.reps)


async def test_a_household_waiting_for_confirmation_is_told_so(world, session_factory):
    await add_households(world, world.village_a1, 1, start=9890)
    at(world, NOW)
    await announce(world)
    m = await meeting(session_factory)
    res = world.chat("resident")
    async with session_factory() as s:
        await hh_services.declare(s, await world.person(s, "resident"), head_name="Nguyễn Văn An", size=4)
        await s.commit()
    await res._send(button=f"mta:{m.id}:yes")
    assert "đang chờ trưởng thôn xác nhận" in res.text
