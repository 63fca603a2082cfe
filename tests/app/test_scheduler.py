"""Scheduler mechanics: every manifest job and the housekeeping job are scheduled (daily jobs at
their local time), ``run`` wakes the outbox only when a job queued something, and old delivery ids
are pruned. Each feature's jobs are tested in its own folder (``tests/<feature>/test_jobs.py``)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.scheduler import Scheduler
from handlers.features import APP
from handlers.framework import Job, JobContext
from storage.conversations.models import ProcessedEvent
from storage.db import utcnow


async def test_scheduler_schedules_every_manifest_job(world):
    sched = Scheduler(world.services, APP.jobs)
    await sched.start()
    try:
        ids = {j.id for j in sched.scheduler.get_jobs()}
        assert ids == {j.name for j in APP.jobs} | {"app.prune_processed"}
        daily = [j for j in APP.jobs if j.daily_at is not None]
        assert daily, "at least one feature runs a daily job"
        for job in daily:
            trigger = str(sched.scheduler.get_job(job.name).trigger)
            assert f"hour='{job.daily_at.hour}'" in trigger and f"minute='{job.daily_at.minute}'" in trigger
    finally:
        await sched.stop()


async def test_run_wakes_the_outbox_only_when_messages_were_queued(world):
    woken: list[int] = []
    queued = iter([2, 0])

    async def fake(job: JobContext) -> int:
        return next(queued)

    sched = Scheduler(
        world.services, [Job("test.fake", fake, every=timedelta(minutes=1))], wake=lambda: woken.append(1)
    )
    assert await sched.run("test.fake") == 2
    assert woken == [1]
    assert await sched.run("test.fake") == 0
    assert woken == [1]


async def test_old_delivery_ids_are_pruned(world, session_factory):
    now = utcnow()
    sched = Scheduler(world.services, APP.jobs, clock=lambda: now)
    async with session_factory() as s:
        s.add(ProcessedEvent(channel="telegram", event_id="old", at=now - timedelta(days=8)))
        s.add(ProcessedEvent(channel="telegram", event_id="new", at=now - timedelta(hours=1)))
        await s.commit()
    assert await sched.run("app.prune_processed") == 0
    async with session_factory() as s:
        left = [e.event_id for e in await s.exec(select(ProcessedEvent))]
    assert left == ["new"]
