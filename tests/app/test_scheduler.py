"""Scheduler jobs: scheduled notices, campaign pushes per resident, petition reminders once per
threshold (even when the job runs twice at once), escalation, digest (skipped when empty), auto-close."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import select

from bot.scheduler import Scheduler
from handlers.features import APP
from handlers.framework import JobContext
from handlers.learning.jobs import push_campaign
from storage.learning import services as campaigns
from storage.db import utcnow
from storage.outbox.models import OutboxMessage
from storage.notices.models import Notice, NoticeTarget
from tests.world import make_services
from tests.world import make_people, make_staff, unit_id


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def world(session_factory):
    clock = Clock()
    services = await make_services(session_factory, clock=clock)
    ward = await unit_id(session_factory, "13384")
    v1 = await unit_id(session_factory, "13384-T04")
    app = SimpleNamespace(session_factory=session_factory, services=services, settings=None, channels={},
                          outbox=SimpleNamespace(woken=0))
    app.outbox.wake = lambda: setattr(app.outbox, "woken", app.outbox.woken + 1)
    people = await make_people(session_factory, 3, channel="test", start=100, village_id=v1, ward_id=ward)
    official = await make_staff(session_factory, "901", "official", ward)
    head = await make_staff(session_factory, "902", "unit_head", ward)
    admin = await make_staff(session_factory, "903", "district_admin", None)
    return SimpleNamespace(app=app, clock=clock, services=services, ward=ward, v1=v1, people=people,
                           official=official, head=head, admin=admin, sched=Scheduler(services, APP.jobs, wake=app.outbox.wake, clock=clock))


async def _keys(factory, kind=None):
    async with factory() as s:
        q = select(OutboxMessage)
        if kind:
            q = q.where(OutboxMessage.kind == kind)
        return sorted((r.dedupe_key or "", r.person_id) for r in await s.exec(q))


async def test_scheduled_notice_goes_out_once(world, session_factory):
    async with session_factory() as s:
        n = Notice(author_id=world.official, author_role="official", text="Họp", status="scheduled",
                   send_at=world.clock.now + timedelta(hours=1))
        s.add(n)
        await s.flush()
        s.add(NoticeTarget(notice_id=n.id, unit_id=world.ward))
        await s.commit()
    assert await world.sched.run("notices.send_due") == 0
    world.clock.now += timedelta(hours=2)
    results = await asyncio.gather(world.sched.run("notices.send_due"), world.sched.run("notices.send_due"))
    assert sorted(results) == [0, 3]
    assert len(await _keys(session_factory, "notice")) == 3


async def test_campaign_push_advances_each_resident(world, session_factory):
    course = [lesson.id for lesson in campaigns.LIBRARY.ordered("vi")[:3]]
    a, b, c = world.people
    async with session_factory() as s:
        camp = await campaigns.create(s, "Tuần dân chủ", [world.ward], weekday=0, at_time="19:00", lesson_ids=course)
        await campaigns.mark_shown(s, b, course[0])  # b read lesson 1 already with /learn
        await campaigns.opt_out(s, c)
        await s.commit()
    assert await push_campaign(JobContext(world.services, world.clock()), camp.id) == 2
    assert await push_campaign(JobContext(world.services, world.clock()), camp.id) == 0  # same day again (restart, second process)
    async with session_factory() as s:
        rows = list(await s.exec(select(OutboxMessage).where(OutboxMessage.kind == "lesson")))
    got = {r.person_id: r.payload["text"] for r in rows}
    assert set(got) == {a, b}
    assert "Bài 1/13" in got[a] and "Bài 2/13" in got[b]
    world.clock.now += timedelta(days=7)
    assert await push_campaign(JobContext(world.services, world.clock()), camp.id) == 2
    async with session_factory() as s:
        prog = await campaigns.progress_of(s, b)
    assert set(prog) == set(course)
    world.clock.now += timedelta(days=7)
    assert await push_campaign(JobContext(world.services, world.clock()), camp.id) == 1  # b has finished the course


async def test_scheduler_schedules_every_manifest_job(world):
    await world.sched.start()
    try:
        ids = {j.id for j in world.sched.scheduler.get_jobs()}
        assert ids == {j.name for j in APP.jobs} | {"app.prune_processed"}
        assert "7" in str(world.sched.scheduler.get_job("petitions.digest").trigger)
    finally:
        await world.sched.stop()


async def test_campaigns_go_out_on_their_weekday_after_their_time_once(world, session_factory):
    async with session_factory() as s:
        camp = await campaigns.create(s, "C", [world.ward], weekday=2, at_time="19:30")
        await s.commit()
    tz = world.services.tz
    world.clock.now = datetime(2026, 12, 2, 19, 0, tzinfo=tz)  # a Wednesday, before the time
    assert await world.sched.run("learning.campaigns") == 0
    world.clock.now = datetime(2026, 12, 1, 20, 0, tzinfo=tz)  # Tuesday evening: not its day
    assert await world.sched.run("learning.campaigns") == 0
    world.clock.now = datetime(2026, 12, 2, 23, 0, tzinfo=tz)  # Wednesday, late start after a restart
    assert await world.sched.run("learning.campaigns") == 3
    assert await world.sched.run("learning.campaigns") == 0  # once a day
    assert camp.id is not None


async def _case(session_factory, world, *, created, due, status="new", assignee=None, **kw):
    from storage.petitions.models import Case

    async with session_factory() as s:
        case = Case(code=f"KB-26-{abs(hash((created, due))) % 10**6:06d}", route="kien_nghi", category="other",
                    status=status, is_open=status not in ("answered", "closed"), unit_id=world.ward,
                    ward_id=world.ward, description="Đường thôn bị hỏng nhiều chỗ", created_at=created,
                    ack_due=created + timedelta(days=1), answer_due=due, assignee_id=assignee, **kw)
        s.add(case)
        await s.commit()
        return case


async def test_reminders_go_once_per_threshold(world, session_factory):
    now = world.clock.now
    case = await _case(session_factory, world, created=now - timedelta(days=40), due=now + timedelta(days=5),
                       status="acknowledged", assignee=world.official, acknowledged_at=now - timedelta(days=39))
    from storage.petitions import config_for
    from storage.petitions.deadlines import progress

    pct = progress(case.created_at, case.answer_due, now, config_for(world.services).calendar) * 100
    assert 80 <= pct < 100
    await asyncio.gather(world.sched.run("petitions.reminders"), world.sched.run("petitions.reminders"))
    await world.sched.run("petitions.reminders")
    keys = await _keys(session_factory, "reminder")
    assert keys == [(f"reminder:{case.id}:80:{world.official}#0", world.official)]
    world.clock.now = case.answer_due + timedelta(hours=1)
    await world.sched.run("petitions.reminders")
    await world.sched.run("petitions.reminders")
    keys = [k for k, _ in await _keys(session_factory, "reminder")]
    assert keys == [f"reminder:{case.id}:100:{world.official}#0", f"reminder:{case.id}:80:{world.official}#0"]


async def test_unacknowledged_petition_reminds_the_unit_officials(world, session_factory):
    now = world.clock.now
    case = await _case(session_factory, world, created=now - timedelta(days=5), due=now + timedelta(days=60))
    await world.sched.run("petitions.reminders")
    await world.sched.run("petitions.reminders")
    ack = [(k, p) for k, p in await _keys(session_factory, "reminder") if ":ack:" in k]
    # no assignee: the officials of the unit, and the unit head
    assert sorted(p for _, p in ack) == sorted([world.official, world.head])
    assert all(k.startswith(f"reminder:{case.id}:ack:") for k, _ in ack)


async def test_overdue_escalates_to_unit_head_and_district_admin_once(world, session_factory):
    now = world.clock.now
    await _case(session_factory, world, created=now - timedelta(days=90), due=now - timedelta(days=2),
                status="in_progress")
    await world.sched.run("petitions.escalation")
    await world.sched.run("petitions.escalation")
    people = sorted(p for _, p in await _keys(session_factory, "escalation"))
    assert people == sorted([world.head, world.admin])


async def test_digest_is_skipped_when_empty(world, session_factory):
    assert await world.sched.run("petitions.digest") == 0
    assert await _keys(session_factory, "digest") == []
    now = world.clock.now
    await _case(session_factory, world, created=now - timedelta(hours=3), due=now + timedelta(days=1))
    await _case(session_factory, world, created=now - timedelta(days=40), due=now - timedelta(days=1))
    assert await world.sched.run("petitions.digest") >= 1
    assert await world.sched.run("petitions.digest") == 0  # once a day
    async with session_factory() as s:
        rows = list(await s.exec(select(OutboxMessage).where(OutboxMessage.kind == "digest")))
    assert {r.person_id for r in rows} == {world.official, world.head, world.admin}
    text = rows[0].payload["text"]
    assert ("1 mới" in text and "1 sắp đến hạn" in text and "1 đã quá hạn" in text) or \
        ("1 new" in text and "1 due within" in text and "1 overdue" in text), text


async def test_answered_petitions_are_closed_automatically(world, session_factory):
    from storage.petitions.models import Case

    now = world.clock.now
    case = await _case(session_factory, world, created=now - timedelta(days=80), due=now - timedelta(days=20),
                       status="answered", answered_at=now - timedelta(days=40))
    assert await world.sched.run("petitions.auto_close") == 1
    async with session_factory() as s:
        assert (await s.get(Case, case.id)).status == "closed"
    assert await world.sched.run("petitions.auto_close") == 0


async def test_old_delivery_ids_are_pruned(world, session_factory):
    from storage.conversations.models import ProcessedEvent

    async with session_factory() as s:
        s.add(ProcessedEvent(channel="telegram", event_id="old", at=world.clock.now - timedelta(days=8)))
        s.add(ProcessedEvent(channel="telegram", event_id="new", at=world.clock.now - timedelta(hours=1)))
        await s.commit()
    await world.sched.run("app.prune_processed")
    async with session_factory() as s:
        left = [e.event_id for e in await s.exec(select(ProcessedEvent))]
    assert left == ["new"]
