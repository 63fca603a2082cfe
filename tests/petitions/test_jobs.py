"""The petitions jobs, run through the scheduler by name: reminders once per threshold (even when
the job runs twice at once), the unacknowledged-petition reminder, escalation of overdue petitions,
the morning digest (skipped when empty, once a day) and auto-closing answered petitions.

World (``tests/world.py``): ward A has officials ``official_a`` and ``official_a2``, the unit head
``head_a`` and the area administrator ``admin`` (all Vietnamese readers).
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from bot.scheduler import Scheduler
from handlers.features import APP
from storage.db import utcnow
from storage.outbox.models import OutboxMessage
from storage.petitions.models import Case

_codes = itertools.count(1)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sched(world, clock: Clock) -> Scheduler:
    world.services.clock = clock
    return Scheduler(world.services, APP.jobs, clock=clock)


async def _case(world, *, created, due, status="new", assignee=None, **kw) -> Case:
    async with world.factory() as s:
        case = Case(
            code=f"KB-26-{next(_codes):06d}",
            route="kien_nghi",
            category="other",
            status=status,
            is_open=status not in ("answered", "closed"),
            unit_id=world.ward_a,
            ward_id=world.ward_a,
            description="Đường thôn bị hỏng nhiều chỗ",
            created_at=created,
            ack_due=created + timedelta(days=1),
            answer_due=due,
            assignee_id=assignee,
            **kw,
        )
        s.add(case)
        await s.commit()
        return case


async def _keys(world, kind: str) -> list[tuple[str, int | None]]:
    async with world.factory() as s:
        rows = await s.exec(select(OutboxMessage).where(OutboxMessage.kind == kind))
        return sorted((r.dedupe_key or "", r.person_id) for r in rows)


async def test_reminders_go_once_per_threshold(world, clock, sched):
    now, official = clock.now, world.ids["official_a"]
    # 40 of 45 days gone: past the 80% threshold, before the due date
    case = await _case(
        world,
        created=now - timedelta(days=40),
        due=now + timedelta(days=5),
        status="acknowledged",
        assignee=official,
        acknowledged_at=now - timedelta(days=39),
    )
    await asyncio.gather(sched.run("petitions.reminders"), sched.run("petitions.reminders"))
    await sched.run("petitions.reminders")
    assert await _keys(world, "reminder") == [(f"reminder:{case.id}:80:{official}#0", official)]
    clock.now = case.answer_due + timedelta(hours=1)
    await sched.run("petitions.reminders")
    await sched.run("petitions.reminders")
    assert [k for k, _ in await _keys(world, "reminder")] == [
        f"reminder:{case.id}:100:{official}#0",
        f"reminder:{case.id}:80:{official}#0",
    ]


async def test_unacknowledged_petition_reminds_the_unit_officials(world, clock, sched):
    now = clock.now
    case = await _case(world, created=now - timedelta(days=5), due=now + timedelta(days=60))
    await sched.run("petitions.reminders")
    await sched.run("petitions.reminders")
    ack = [(k, p) for k, p in await _keys(world, "reminder") if ":ack:" in k]
    # no assignee: the officials of the unit, and the unit head
    assert sorted(p for _, p in ack) == sorted(world.ids[k] for k in ("official_a", "official_a2", "head_a"))
    assert all(k.startswith(f"reminder:{case.id}:ack:") for k, _ in ack)


async def test_overdue_escalates_to_unit_head_and_district_admin_once(world, clock, sched):
    now = clock.now
    await _case(world, created=now - timedelta(days=90), due=now - timedelta(days=2), status="in_progress")
    await sched.run("petitions.escalation")
    await sched.run("petitions.escalation")
    people = sorted(p for _, p in await _keys(world, "escalation"))
    assert people == sorted([world.ids["head_a"], world.ids["admin"]])


async def test_digest_is_skipped_when_empty(world, clock, sched):
    assert await sched.run("petitions.digest") == 0
    assert await _keys(world, "digest") == []
    now = clock.now
    await _case(world, created=now - timedelta(hours=3), due=now + timedelta(days=1))
    await _case(world, created=now - timedelta(days=40), due=now - timedelta(days=1))
    readers = {world.ids[k] for k in ("official_a", "official_a2", "head_a", "admin")}
    assert await sched.run("petitions.digest") == len(readers)
    assert await sched.run("petitions.digest") == 0  # once a day
    async with world.factory() as s:
        rows = list(await s.exec(select(OutboxMessage).where(OutboxMessage.kind == "digest")))
    assert {r.person_id for r in rows} == readers
    for r in rows:
        text = r.payload["text"]
        assert "1 mới" in text and "1 sắp đến hạn" in text and "1 đã quá hạn" in text, text


async def test_answered_petitions_are_closed_automatically(world, clock, sched):
    now = clock.now
    case = await _case(
        world,
        created=now - timedelta(days=80),
        due=now - timedelta(days=20),
        status="answered",
        answered_at=now - timedelta(days=40),
    )
    assert await sched.run("petitions.auto_close") == 1
    async with world.factory() as s:
        closed = await s.get(Case, case.id)
        assert closed is not None and closed.status == "closed"
    assert await sched.run("petitions.auto_close") == 0
