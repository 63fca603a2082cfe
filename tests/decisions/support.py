"""Builders for decision tests: a village with N confirmed households whose representatives are
reachable on the ``test`` channel, a decision opened straight through the services, and running
the decision jobs at a given time (a fresh JobContext each time, as after a restart)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import select

from bot.dispatch import Dispatcher
from handlers.decisions import jobs
from handlers.framework import JobContext, Services
from storage.db import SessionFactory, utcnow
from storage.decisions import services
from storage.decisions.config import decision_config
from storage.decisions.models import Decision
from storage.households import services as hh_services
from storage.households.models import Household
from storage.people.models import Person, RoleGrant
from tests.harness import Chat
from tests.world import World, make_people

ADMIN = [RoleGrant(person_id=0, role="district_admin", unit_id=None)]


@dataclass
class Village:
    """``n`` households in a village; ``reps[i]`` is the person id of household ``households[i]``'s
    representative, reachable as user id ``str(start + i)`` on the ``test`` channel."""

    world: World
    village_id: int
    households: list[int] = field(default_factory=list)
    reps: list[int] = field(default_factory=list)
    start: int = 0

    def chat(self, i: int, channel: str = "test") -> Chat:
        return Chat(self.world.dispatcher, str(self.start + i), channel=channel)


async def add_households(world: World, village_id: int, n: int, *, start: int) -> Village:
    v = Village(world, village_id, start=start)
    pids = await make_people(world.factory, n, channel="test", start=start, village_id=village_id, ward_id=world.ward_a)
    async with world.factory() as s:
        for i, pid in enumerate(pids):
            p = await s.get(Person, pid)
            assert p is not None
            hh = await hh_services.declare(s, p, head_name=f"Chủ hộ {i + 1}", size=3)
            assert hh.id is not None
            hh.number = f"{start + i}"
            await hh_services.decide_declaration(s, hh.id, p, ADMIN, confirm=True)
            v.households.append(hh.id)
            v.reps.append(pid)
        await s.commit()
    return v


async def open_vote(
    world: World,
    village_id: int,
    *,
    secret: bool = False,
    hours: float = 48,
    now: datetime | None = None,
    method: str = "ballot",
    art15: str = "contributions",
    options: tuple[str, ...] = ("Agree", "Disagree", "Abstain"),
    yes_no: bool = True,
    agreed_record: str | None = None,
    **kw: Any,
) -> Decision:
    now = now or utcnow()
    rules = decision_config(world.services.deployment_dir).rules
    async with world.factory() as s:
        head = await world.person(s, "village_head")
        grants = await world.grants(s, "village_head") if village_id == world.village_a1 else ADMIN
        d = await services.create(
            s,
            head,
            grants,
            rules,
            unit_id=village_id,
            question="Đóng góp làm đường bê tông ngõ 3, mỗi hộ 500.000 đồng?",
            art15=art15,
            method=method,
            options=options,
            yes_no=yes_no,
            secret=secret,
            closes_at=now + timedelta(hours=hours),
            agreed_record=agreed_record,
            now=now,
            **kw,
        )
        await s.commit()
        return d


async def run_jobs(services_: Services, now: datetime) -> int:
    """Every decision job once, at ``now`` (a new context each time, as a restarted scheduler)."""
    total = 0
    for job in jobs.JOBS:
        total += await job.run(JobContext(services_, now))
    return total


async def decision(factory: SessionFactory, decision_id: int) -> Decision:
    async with factory() as s:
        d = await s.get(Decision, decision_id)
        assert d is not None
        return d


async def household(factory: SessionFactory, household_id: int) -> Household:
    async with factory() as s:
        h = (await s.exec(select(Household).where(Household.id == household_id))).one()
        return h


def restarted(world: World) -> Dispatcher:
    """A new dispatcher on the same database and settings: what a restarted process has."""
    return Dispatcher(world.services)
