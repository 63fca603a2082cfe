"""Reads for households: a person's membership and household, the current representative, the
members, what waits for a village head, the representatives of some units (the ballot's audience)
and the figures for the statistics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.households.models import Household, HouseholdHandover, HouseholdMember, HouseholdRepresentative
from storage.people.models import Person


async def membership(session: AsyncSession, person_id: int) -> HouseholdMember | None:
    """The person's current membership, if any."""
    rows = await session.exec(
        select(HouseholdMember).where(HouseholdMember.person_id == person_id, col(HouseholdMember.left_at).is_(None))
    )
    return rows.first()


async def household_of(session: AsyncSession, person_id: int) -> Household | None:
    m = await membership(session, person_id)
    return await session.get(Household, m.household_id) if m is not None else None


async def current_representative(session: AsyncSession, household_id: int) -> HouseholdRepresentative | None:
    rows = await session.exec(
        select(HouseholdRepresentative).where(
            HouseholdRepresentative.household_id == household_id, col(HouseholdRepresentative.until).is_(None)
        )
    )
    return rows.first()


async def representation_history(session: AsyncSession, household_id: int) -> list[HouseholdRepresentative]:
    rows = await session.exec(
        select(HouseholdRepresentative)
        .where(HouseholdRepresentative.household_id == household_id)
        .order_by(col(HouseholdRepresentative.since), col(HouseholdRepresentative.id))
    )
    return list(rows)


async def members(session: AsyncSession, household_id: int) -> list[tuple[HouseholdMember, Person]]:
    """Current members with their person rows, oldest membership first."""
    rows = await session.exec(
        select(HouseholdMember, Person)
        .join(Person, col(Person.id) == col(HouseholdMember.person_id))
        .where(HouseholdMember.household_id == household_id, col(HouseholdMember.left_at).is_(None))
        .order_by(col(HouseholdMember.joined_at), col(HouseholdMember.id))
    )
    return list(rows.all())


async def pending_handover(session: AsyncSession, household_id: int) -> HouseholdHandover | None:
    rows = await session.exec(
        select(HouseholdHandover).where(
            HouseholdHandover.household_id == household_id, HouseholdHandover.status == "pending"
        )
    )
    return rows.first()


async def pending_in(session: AsyncSession, village_ids: Sequence[int]) -> list[Household]:
    """Declared households waiting for confirmation in these villages, oldest first."""
    if not village_ids:
        return []
    rows = await session.exec(
        select(Household)
        .where(col(Household.village_id).in_(list(village_ids)), Household.status == "pending")
        .order_by(col(Household.created_at))
    )
    return list(rows)


async def handovers_in(session: AsyncSession, village_ids: Sequence[int]) -> list[HouseholdHandover]:
    if not village_ids:
        return []
    rows = await session.exec(
        select(HouseholdHandover)
        .join(Household, col(Household.id) == col(HouseholdHandover.household_id))
        .where(col(Household.village_id).in_(list(village_ids)), HouseholdHandover.status == "pending")
        .order_by(col(HouseholdHandover.requested_at))
    )
    return list(rows)


async def confirmed_ids(session: AsyncSession, unit_ids: Sequence[int]) -> list[int]:
    """Confirmed households of these villages (the electorate of a decision), by id."""
    rows = await session.exec(
        select(Household.id).where(col(Household.village_id).in_(list(unit_ids)), Household.status == "confirmed")
    )
    return [i for i in rows if i is not None]


async def representatives(session: AsyncSession, household_ids: Sequence[int]) -> dict[int, int]:
    """household id → its current representative's person id (households without one are left out)."""
    out: dict[int, int] = {}
    ids = list(household_ids)
    for i in range(0, len(ids), 5000):
        rows = await session.exec(
            select(HouseholdRepresentative.household_id, HouseholdRepresentative.person_id).where(
                col(HouseholdRepresentative.household_id).in_(ids[i : i + 5000]),
                col(HouseholdRepresentative.until).is_(None),
            )
        )
        out.update({h: p for h, p in rows})
    return out


async def member_ids(session: AsyncSession, household_ids: Sequence[int]) -> dict[int, list[int]]:
    """household id → its current members' person ids."""
    out: dict[int, list[int]] = {}
    ids = list(household_ids)
    for i in range(0, len(ids), 5000):
        rows = await session.exec(
            select(HouseholdMember.household_id, HouseholdMember.person_id).where(
                col(HouseholdMember.household_id).in_(ids[i : i + 5000]), col(HouseholdMember.left_at).is_(None)
            )
        )
        for h, p in rows:
            out.setdefault(h, []).append(p)
    return out


@dataclass(frozen=True)
class HouseholdCounts:
    confirmed: int
    confirmed_in_period: int
    with_representative: int


async def counts(
    session: AsyncSession, unit_ids: Sequence[int] | None, start: datetime, end: datetime
) -> HouseholdCounts:
    """Confirmed households of the scope (now), those confirmed in ``[start, end)``, and those with a
    representative reachable in the chat."""
    base = select(Household.id).where(Household.status == "confirmed")
    if unit_ids is not None:
        base = base.where(col(Household.village_id).in_(list(unit_ids)))
    confirmed = (await session.exec(select(func.count()).select_from(base.subquery()))).one()
    period = base.where(col(Household.confirmed_at) >= start, col(Household.confirmed_at) < end)
    in_period = (await session.exec(select(func.count()).select_from(period.subquery()))).one()
    with_rep = (
        await session.exec(
            select(func.count(func.distinct(HouseholdRepresentative.household_id))).where(
                col(HouseholdRepresentative.until).is_(None), col(HouseholdRepresentative.household_id).in_(base)
            )
        )
    ).one()
    return HouseholdCounts(int(confirmed), int(in_period), int(with_rep))
