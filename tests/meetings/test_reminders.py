"""Restart and race safety: a crash while queuing a reminder rolls its claim back with the pushes,
and the next run (a restarted scheduler) sends it once; two answers of one household at the same
instant end as one."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime, timedelta

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.meetings import jobs
from storage.audit.models import AuditEvent
from storage.meetings import services
from storage.meetings.models import MeetingAttendance
from storage.people.models import Person
from tests.decisions.support import add_households
from tests.meetings.support import TZ, at, meeting, pushes, run_jobs
from tests.meetings.test_meetings import START, announce


async def test_a_crash_while_queuing_a_reminder_loses_nothing_and_repeats_nothing(world, session_factory, monkeypatch):
    v = await add_households(world, world.village_a1, 3, start=9900)
    at(world, datetime(2026, 12, 18, 9, 0, tzinfo=TZ))
    await announce(world)
    real = jobs.notify.queue_reminder

    async def crash(*a, **kw):
        await real(*a, **kw)  # the pushes are queued in the transaction, then the process dies
        raise RuntimeError("killed")

    monkeypatch.setattr(jobs.notify, "queue_reminder", crash)
    with pytest.raises(RuntimeError):
        await run_jobs(world.services, START - timedelta(days=1))
    assert not await pushes(session_factory, "reminder") and (await meeting(session_factory)).reminded == 0
    monkeypatch.setattr(jobs.notify, "queue_reminder", real)
    assert await run_jobs(world.services, START - timedelta(hours=23)) == 4  # three households, the head
    assert await run_jobs(world.services, START - timedelta(hours=22)) == 0
    rem = [r for r in await pushes(session_factory, "reminder") if r.person_id != world.ids["village_head"]]
    assert sorted(r.person_id for r in rem) == sorted(v.reps) and (await meeting(session_factory)).reminded == 1


PG = os.environ.get("TEST_DATABASE_URL", "")


async def test_one_answer_per_household_when_two_channels_answer_at_once(world, session_factory, monkeypatch):
    """Two answers of one household at the same instant (its representative on two apps). On
    PostgreSQL both are made to read "no answer yet" before either inserts, so one insert meets the
    primary key and becomes an update; on SQLite (one connection) they simply run one after the other."""
    v = await add_households(world, world.village_a1, 1, start=9950)
    now = datetime(2026, 12, 18, 9, 0, tzinfo=TZ)
    at(world, now)
    await announce(world)
    m = await meeting(session_factory)
    if PG.startswith("postgresql"):
        both_read = asyncio.Barrier(2)
        real_get = AsyncSession.get

        async def get(self, entity, ident, **kw):
            row = await real_get(self, entity, ident, **kw)
            if entity is MeetingAttendance and not kw:
                await both_read.wait()
            return row

        monkeypatch.setattr(AsyncSession, "get", get)

    async def answer(value: str, channel: str) -> None:
        async with session_factory() as s:
            p = await s.get(Person, v.reps[0])
            await services.answer(s, m.id, p, value, channel=channel, now=now)
            await s.commit()

    await asyncio.gather(answer("yes", "telegram"), answer("no", "zalo"))
    monkeypatch.undo()
    async with session_factory() as s:
        rows = list(await s.exec(select(MeetingAttendance)))
        audits = list(await s.exec(select(AuditEvent).where(AuditEvent.action == "meeting.answered")))
    assert len(rows) == 1 and rows[0].answer in ("yes", "no") and len(audits) == 2
