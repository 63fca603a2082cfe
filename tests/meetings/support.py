"""Builders for meeting tests: a village whose households' representatives are reachable (from the
decisions tests), a fixed clock, the meeting jobs run with a fresh context each time (as after a
restart), and the outbox rows of a kind."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from handlers.framework import JobContext, Services
from handlers.meetings import jobs
from storage.db import SessionFactory
from storage.meetings.models import Meeting
from storage.outbox.models import OutboxMessage
from tests.world import World

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(world: World, when: datetime) -> None:
    """Every chat of the world now happens at ``when``."""
    world.services.clock = lambda: when


async def run_jobs(services_: Services, now: datetime) -> int:
    total = 0
    for job in jobs.JOBS:
        total += await job.run(JobContext(services_, now))
    return total


async def pushes(factory: SessionFactory, kind: str, person_id: int | None = None) -> list[OutboxMessage]:
    async with factory() as s:
        q = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(col(OutboxMessage.id))
        if person_id is not None:
            q = q.where(OutboxMessage.person_id == person_id)
        return list(await s.exec(q))


async def meeting(factory: SessionFactory, meeting_id: int | None = None) -> Meeting:
    async with factory() as s:
        q = select(Meeting).order_by(col(Meeting.id).desc())
        if meeting_id is not None:
            q = q.where(Meeting.id == meeting_id)
        m = (await s.exec(q)).first()
        assert m is not None
        return m
