"""The campaign job: each resident gets their own next lesson, in their language, once per day;
opted-out residents get nothing; campaigns go out on their weekday after their time."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from bot.scheduler import Scheduler
from handlers.features import APP
from handlers.framework import JobContext
from handlers.learning.jobs import push_campaign
from storage.db import utcnow
from storage.learning import queries, services
from storage.learning.lessons import LIBRARY
from storage.learning.models import CampaignRun
from storage.outbox.models import OutboxMessage


async def _lessons(factory) -> dict[int, dict]:
    async with factory() as s:
        rows = list(await s.exec(select(OutboxMessage).where(OutboxMessage.kind == "lesson")))
    return {r.person_id: r.payload for r in rows}


async def test_campaign_push_advances_each_resident(world, session_factory):
    course = [lesson.id for lesson in LIBRARY.ordered("vi")[:3]]
    a, en, b, c = (world.ids[k] for k in ("resident", "resident_en", "neighbour", "resident_a2"))
    async with session_factory() as s:
        camp = await services.create(s, "Tuần dân chủ", [world.ward_a], weekday=0, at_time="19:00", lesson_ids=course)
        await services.mark_shown(s, b, course[0])  # b read lesson 1 already with /learn
        await services.opt_out(s, c)
        await s.commit()
    now = utcnow()
    assert await push_campaign(JobContext(world.services, now), camp.id) == 3
    # the same day again (a restart, a second process): nothing more
    assert await push_campaign(JobContext(world.services, now), camp.id) == 0
    got = await _lessons(session_factory)
    assert set(got) == {a, en, b}
    assert got[a]["text"].startswith("📘 Bài 1/13") and got[b]["text"].startswith("📘 Bài 2/13")
    assert got[en]["text"].startswith("📘 Lesson 1/13") and got[en]["locale"] == "en"
    assert [[x["label"] for x in row] for row in got[a]["buttons"]] == [["Trả lời câu hỏi"], ["Ngừng nhận bài học"]]
    assert [[x["label"] for x in row] for row in got[en]["buttons"]] == [
        ["Answer the question"],
        ["Stop these lessons"],
    ]
    assert await push_campaign(JobContext(world.services, now + timedelta(days=7)), camp.id) == 3
    async with session_factory() as s:
        assert set(await queries.progress_of(s, b)) == set(course)
        runs = list(await s.exec(select(CampaignRun).order_by(CampaignRun.run_date)))
        assert [r.pushed for r in runs] == [3, 3]
    assert await push_campaign(JobContext(world.services, now + timedelta(days=14)), camp.id) == 2  # b has finished


async def test_campaigns_go_out_on_their_weekday_after_their_time_once(world, session_factory):
    async with session_factory() as s:
        await services.create(s, "C", [world.ward_a], weekday=2, at_time="19:30")
        await s.commit()
    tz = world.services.tz
    now = [datetime(2026, 12, 2, 19, 0, tzinfo=tz)]  # a Wednesday, before the time
    sched = Scheduler(world.services, APP.jobs, clock=lambda: now[0])
    assert await sched.run("learning.campaigns") == 0
    now[0] = datetime(2026, 12, 1, 20, 0, tzinfo=tz)  # Tuesday evening: not its day
    assert await sched.run("learning.campaigns") == 0
    now[0] = datetime(2026, 12, 2, 23, 0, tzinfo=tz)  # Wednesday, late start after a restart
    assert await sched.run("learning.campaigns") == 4
    assert await sched.run("learning.campaigns") == 0  # once a day
    assert len(await _lessons(session_factory)) == 4
