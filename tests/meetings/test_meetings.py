"""A village meeting from end to end through the chat: the head announces it, every household is
told (the representative with the answer buttons, the other members a note), households answer
and change their answer until the start, the head sees the counts, the reminders go out the day
before and an hour before exactly once each (also when the job runs twice or after a restart),
the minutes go to every member; the figures for the yearly assessment; /mydata and /forget."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from bot.core.messages import Attachment
from handlers.features import APP
from handlers.framework import StatsScope
from storage.households import services as hh_services
from storage.households.models import Household
from storage.meetings.models import MeetingAttendance
from storage.outbox.services import reply_of
from storage.people.models import Person
from tests.decisions.support import add_households, restarted
from tests.harness import Chat
from tests.meetings.support import TZ, at, meeting, pushes, run_jobs
from tests.world import make_people

FRI = datetime(2026, 12, 18, 9, 0, tzinfo=TZ)
START = datetime(2026, 12, 20, 19, 30, tzinfo=TZ)


async def announce(world, *, agenda="1. Bàn việc làm đường bê tông ngõ 3\n2. Bầu tổ hòa giải", when="19:30 20/12"):
    head = world.chat("village_head")
    await head.say("/meeting")
    await head.say(agenda)
    await head.say(when)
    await head.say("Nhà văn hóa thôn Ngọc Sơn")
    assert "Xin kiểm tra thông báo" in head.text and "Nhà văn hóa thôn Ngọc Sơn" in head.text
    await head.press("Thông báo")
    return head


async def test_announce_answer_change_remind_once_and_minutes(world, session_factory):
    v = await add_households(world, world.village_a1, 3, start=9100)
    # a second member of the first household (not its representative)
    (member,) = await make_people(session_factory, 1, channel="test", start=9150, village_id=world.village_a1)
    async with session_factory() as s:
        hh = await s.get(Household, v.households[0])
        await hh_services.join(s, await s.get(Person, member), hh.code, adult=True)
        await s.commit()
    at(world, FRI)
    head = await announce(world)
    assert "đến 3 hộ" in head.text
    m = await meeting(session_factory)
    assert m.starts_at == START and m.households == 3 and m.reminded == 0

    # pushed: the three representatives with the buttons, the other member a note; nobody else
    sent = await pushes(session_factory, "meeting")
    by_person = {r.person_id: reply_of(r) for r in sent}
    assert sorted(by_person) == sorted([*v.reps, member])
    rep0 = by_person[v.reps[0]]
    assert "Bầu tổ hòa giải" in rep0.text and "19:30 20/12/2026" in rep0.text
    assert [b.label for row in rep0.buttons for b in row] == ["Hộ tôi sẽ đến", "Hộ tôi không đến được"]
    assert not by_person[member].buttons and "Người đại diện hộ" in by_person[member].text
    assert world.ids["resident"] not in by_person  # a resident of the village without a household

    # answers: household 0 will come, household 1 cannot, then household 0 changes its mind twice
    c0, c1 = v.chat(0), v.chat(1)
    c0.last, c1.last = [rep0], [by_person[v.reps[1]]]
    await c0.press("sẽ đến")
    assert "hộ sẽ đến dự" in c0.text and "Đã đổi" not in c0.text
    await c1.press("không đến được")
    await c0.press("không đến được")
    assert "Đã đổi" in c0.text and "không đến dự được" in c0.text
    # the same household on another channel (after a restart): still one answer per household
    again = Chat(restarted(world), str(9100), channel="test")
    again.last = [rep0]
    await again.press("sẽ đến")
    assert "Đã đổi" in again.text
    # the member who is not the representative is told who answers
    mem = Chat(world.dispatcher, "9150", channel="test")
    await mem._send(button=f"mta:{m.id}:no")
    assert "là người đại diện hộ" in mem.text
    async with session_factory() as s:
        rows = list(await s.exec(select(MeetingAttendance)))
    assert sorted((r.household_id, r.answer) for r in rows) == sorted(
        [(v.households[0], "yes"), (v.households[1], "no")]
    )

    # the head sees the counts
    await head.say(f"/meeting {m.id}")
    assert "1 sẽ đến, 1 không đến được, 1 chưa trả lời (trên tổng số 3 hộ)" in head.text
    assert "Công bố biên bản" not in head.buttons()  # not before the meeting

    # reminders: the day before, once, to the households that did not decline (not household 1)
    day_before = START - timedelta(days=1)
    assert await run_jobs(world.services, day_before - timedelta(minutes=1)) == 0
    first = await run_jobs(world.services, day_before)
    assert await run_jobs(world.services, day_before) == 0  # run twice
    assert await run_jobs(world.services, day_before + timedelta(minutes=5)) == 0  # a restarted scheduler
    head_id = world.ids["village_head"]
    rem = [r for r in await pushes(session_factory, "reminder") if r.person_id != head_id]
    assert first == len(rem) + 1  # and the head's, with the counts
    assert sorted(r.person_id for r in rem) == sorted([v.reps[0], v.reps[2], member])
    assert all("ngày mai họp thôn" in r.payload["text"] for r in rem)
    (to_head,) = await pushes(session_factory, "reminder", head_id)
    assert "1 hộ sẽ đến, 1 hộ không đến được, 1 hộ chưa trả lời" in to_head.payload["text"]
    # an hour before, once
    hour_before = START - timedelta(hours=1)
    assert await run_jobs(world.services, hour_before) == 4
    assert await run_jobs(world.services, hour_before + timedelta(minutes=1)) == 0
    assert await run_jobs(world.services, START) == 0  # none at or after the start
    rem = [r for r in await pushes(session_factory, "reminder") if r.person_id != head_id]
    assert len(rem) == 6 and sum("một giờ nữa" in r.payload["text"] for r in rem) == 3
    assert len(await pushes(session_factory, "reminder", head_id)) == 2

    # after the start the answer is kept as it was
    at(world, START + timedelta(minutes=1))
    await c1.say("/meetings")
    await c1._send(button=f"mta:{m.id}:yes")
    assert "Cuộc họp đã bắt đầu lúc 19:30 20/12/2026" in c1.text

    # the minutes (a photo and its caption) go to every member of the village's households
    at(world, START + timedelta(hours=2))
    await head.say(f"/meeting {m.id}")
    await head.press("Công bố biên bản")
    await head._send(
        text="Thống nhất làm đường ngõ 3; bầu ông Lê Văn Hùng làm tổ trưởng hòa giải.",
        attachments=(Attachment(kind="photo", ref="photo-minutes-1"),),
    )
    assert "Đã công bố biên bản" in head.text
    mins = await pushes(session_factory, "minutes")
    assert sorted(r.person_id for r in mins) == sorted([*v.reps, member])
    assert all(r.payload["attachments"][0]["ref"] == "photo-minutes-1" for r in mins)
    assert "Lê Văn Hùng" in mins[0].payload["text"]
    await head.say(f"/meeting {m.id}")
    await head.say(f"/meeting {m.id}")
    assert "Biên bản đã được công bố" in head.text and "Công bố biên bản" not in head.buttons()

    # residents' /meetings: the past meeting with their household's answer and the minutes
    await c0.say("/meetings")
    assert "Hộ của ông/bà: sẽ đến dự" in c0.text and "Lê Văn Hùng" in c0.text
    assert not c0.buttons()

    # the yearly assessment
    start, end = datetime(2026, 1, 1, tzinfo=TZ), datetime(2027, 1, 1, tzinfo=TZ)
    async with session_factory() as s:
        figs = {
            f.key: f.value for f in await APP.statistics(s, StatsScope((world.ward_a, world.village_a1), start, end))
        }
    assert figs["meetings.held"] == 1 and figs["meetings.confirmed"] == 1 and figs["meetings.minutes"] == 1

    # /mydata says how many answers the person gave; /forget keeps the household's answer, not who
    await c0.say("/mydata")
    assert "trả lời dự họp thay cho hộ: 1" in c0.text
    await c0.say("/forget")
    await c0.press("Có, xóa")
    async with session_factory() as s:
        rows = list(await s.exec(select(MeetingAttendance)))
    assert [r.person_id for r in rows if r.household_id == v.households[0]] == [None]
