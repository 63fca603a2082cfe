"""Reads for decisions: what is due, who still has to vote, a person's open votes and their own
household's vote, an open ballot's roll for the village head, and the figures for the statistics.

Nothing here returns a household's choice in a secret ballot to anyone but that household's
representative while the vote is open (``own_choice``); after the close no table holds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound
from storage.decisions.models import Decision, DecisionChoice, DecisionElector, DecisionTurnout
from storage.decisions.permissions import can_read
from storage.households.models import Household, HouseholdMember, HouseholdRepresentative
from storage.people.models import RoleGrant


async def due_to_open(session: AsyncSession, now: datetime) -> list[int]:
    rows = await session.exec(select(Decision.id).where(Decision.status == "scheduled", col(Decision.opens_at) <= now))
    return [i for i in rows if i is not None]


async def open_ballots(session: AsyncSession) -> list[Decision]:
    rows = await session.exec(
        select(Decision).where(Decision.status == "open", col(Decision.method).in_(("ballot", "online")))
    )
    return list(rows)


async def not_voted_representatives(session: AsyncSession, decision_id: int) -> list[int]:
    """Current representatives of electorate households that have not voted."""
    voted = select(DecisionTurnout.household_id).where(DecisionTurnout.decision_id == decision_id)
    rows = await session.exec(
        select(HouseholdRepresentative.person_id)
        .join(DecisionElector, col(DecisionElector.household_id) == col(HouseholdRepresentative.household_id))
        .where(
            DecisionElector.decision_id == decision_id,
            col(HouseholdRepresentative.until).is_(None),
            col(DecisionElector.household_id).not_in(voted),
        )
    )
    return list(rows)


async def electorate_representatives(session: AsyncSession, decision_id: int) -> list[int]:
    rows = await session.exec(
        select(HouseholdRepresentative.person_id)
        .join(DecisionElector, col(DecisionElector.household_id) == col(HouseholdRepresentative.household_id))
        .where(DecisionElector.decision_id == decision_id, col(HouseholdRepresentative.until).is_(None))
    )
    return list(rows)


async def electorate_members(session: AsyncSession, decision_id: int, *, representatives: bool) -> list[int]:
    """Current members of the electorate's households: everyone (``representatives=True``) or only
    those who do not represent their household."""
    q = (
        select(HouseholdMember.person_id)
        .join(DecisionElector, col(DecisionElector.household_id) == col(HouseholdMember.household_id))
        .where(DecisionElector.decision_id == decision_id, col(HouseholdMember.left_at).is_(None))
    )
    if not representatives:
        reps = select(HouseholdRepresentative.person_id).where(col(HouseholdRepresentative.until).is_(None))
        q = q.where(col(HouseholdMember.person_id).not_in(reps))
    return list(await session.exec(q))


async def for_household(session: AsyncSession, household_id: int, *, limit: int = 10) -> list[Decision]:
    """Decisions whose electorate includes the household, open ones first, then the latest closed."""
    rows = await session.exec(
        select(Decision)
        .join(DecisionElector, col(DecisionElector.decision_id) == col(Decision.id))
        .where(DecisionElector.household_id == household_id, col(Decision.status).in_(("open", "closed")))
        .order_by(col(Decision.status).desc(), col(Decision.closes_at).desc())
        .limit(limit)
    )
    return list(rows)


async def has_voted(session: AsyncSession, decision_id: int, household_id: int) -> bool:
    row = await session.exec(
        select(DecisionTurnout.id).where(
            DecisionTurnout.decision_id == decision_id, DecisionTurnout.household_id == household_id
        )
    )
    return row.first() is not None


async def own_choice(session: AsyncSession, decision: Decision, household_id: int) -> int | None:
    """The household's choice, for its own members: while the vote is open, or for an open ballot.
    A closed secret ballot has none to give (None)."""
    if decision.secret and decision.status != "open":
        return None
    row = await session.exec(
        select(DecisionChoice.option).where(
            DecisionChoice.decision_id == decision.id, DecisionChoice.household_id == household_id
        )
    )
    return row.first()


async def open_roll(
    session: AsyncSession, grants: Sequence[RoleGrant], decision_id: int
) -> list[tuple[str, str | None, int]]:
    """An open ballot's roll for whoever may read the decision: (household head, number, option).
    A secret ballot has no roll (``NotFound``: there is nothing to show, to anyone)."""
    d = await session.get(Decision, decision_id)
    if d is None or d.secret or not await can_read(session, grants, d):
        raise NotFound()
    rows = await session.exec(
        select(Household.head_name, Household.number, DecisionChoice.option)
        .join(DecisionChoice, col(DecisionChoice.household_id) == col(Household.id))
        .where(DecisionChoice.decision_id == decision_id)
        .order_by(col(Household.number), col(Household.head_name))
    )
    return [(h, n, int(o)) for h, n, o in rows.all()]


async def by_unit(session: AsyncSession, unit_ids: Sequence[int], *, limit: int = 10) -> list[Decision]:
    rows = await session.exec(
        select(Decision)
        .where(col(Decision.unit_id).in_(list(unit_ids)))
        .order_by(col(Decision.created_at).desc())
        .limit(limit)
    )
    return list(rows)


async def reports_due(session: AsyncSession) -> list[Decision]:
    rows = await session.exec(
        select(Decision).where(
            Decision.status == "closed", col(Decision.reported_at).is_(None), col(Decision.report_due_at).is_not(None)
        )
    )
    return list(rows)


@dataclass(frozen=True)
class DecisionCounts:
    closed: int
    passed: int
    eligible: int
    voted: int
    reported_on_time: int


async def period_counts(
    session: AsyncSession, unit_ids: Sequence[int] | None, start: datetime, end: datetime
) -> DecisionCounts:
    """Decisions closed in ``[start, end)`` in the scope: how many, passed, households eligible and
    voting (summed), and reports sent to the commune by their due date."""
    q = select(Decision.result, Decision.reported_at, Decision.report_due_at).where(
        Decision.status == "closed", col(Decision.closed_at) >= start, col(Decision.closed_at) < end
    )
    if unit_ids is not None:
        q = q.where(col(Decision.unit_id).in_(list(unit_ids)))
    closed = passed = eligible = voted = on_time = 0
    for result, reported, due in (await session.exec(q)).all():
        closed += 1
        r = result or {}
        passed += bool(r.get("passed"))
        eligible += int(r.get("eligible", 0))
        voted += int(r.get("voted", 0))
        on_time += reported is not None and due is not None and reported <= due
    return DecisionCounts(closed, passed, eligible, voted, on_time)


async def turnout_count(session: AsyncSession, decision_id: int) -> int:
    n = await session.exec(
        select(func.count()).select_from(DecisionTurnout).where(DecisionTurnout.decision_id == decision_id)
    )
    return int(n.one())


async def listing(
    session: AsyncSession, unit_ids: Sequence[int] | None, statuses: Sequence[str], *, limit: int = 100
) -> list[Decision]:
    """Decisions of ``unit_ids`` (None: everywhere) in one of ``statuses``, the latest closing first:
    the dashboard's candidates (it checks ``can_read`` on each)."""
    q = select(Decision).where(col(Decision.status).in_(list(statuses)))
    if unit_ids is not None:
        q = q.where(col(Decision.unit_id).in_(list(unit_ids)))
    rows = await session.exec(q.order_by(col(Decision.closes_at).desc(), col(Decision.id).desc()).limit(limit))
    return list(rows)


async def turnout_counts(session: AsyncSession, decision_ids: Sequence[int]) -> dict[int, int]:
    """Households that voted so far, per decision (never what they voted)."""
    if not decision_ids:
        return {}
    rows = await session.exec(
        select(DecisionTurnout.decision_id, func.count())
        .where(col(DecisionTurnout.decision_id).in_(list(decision_ids)))
        .group_by(col(DecisionTurnout.decision_id))
    )
    return {int(d): int(n) for d, n in rows.all()}
