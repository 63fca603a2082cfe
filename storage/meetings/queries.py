"""Reads for meetings: a village's upcoming and past meetings, a household's answer, the counts of
answers the village head sees, who is told what, and the figures for the yearly assessment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.households import queries as households
from storage.meetings.models import Meeting, MeetingAttendance


async def of_village(session: AsyncSession, village_id: int, now: datetime, *, past: int = 5) -> list[Meeting]:
    """Upcoming meetings (soonest first), then the last ``past`` held ones (latest first)."""
    base = select(Meeting).where(Meeting.village_id == village_id, Meeting.status == "announced")
    upcoming = await session.exec(base.where(col(Meeting.starts_at) > now).order_by(col(Meeting.starts_at)))
    held = await session.exec(
        base.where(col(Meeting.starts_at) <= now).order_by(col(Meeting.starts_at).desc()).limit(past)
    )
    return [*upcoming, *held]


async def by_caller(session: AsyncSession, village_ids: Sequence[int], limit: int = 10) -> list[Meeting]:
    rows = await session.exec(
        select(Meeting)
        .where(col(Meeting.village_id).in_(list(village_ids)))
        .order_by(col(Meeting.starts_at).desc())
        .limit(limit)
    )
    return list(rows)


async def household_answer(session: AsyncSession, meeting_id: int, household_id: int) -> str | None:
    row = await session.get(MeetingAttendance, (meeting_id, household_id))
    return row.answer if row else None


@dataclass(frozen=True)
class AnswerCounts:
    coming: int
    not_coming: int
    households: int  # confirmed households of the village now

    @property
    def unanswered(self) -> int:
        return max(self.households - self.coming - self.not_coming, 0)


async def answer_counts(session: AsyncSession, m: Meeting) -> AnswerCounts:
    rows = await session.exec(
        select(MeetingAttendance.answer, func.count())
        .where(MeetingAttendance.meeting_id == m.id)
        .group_by(col(MeetingAttendance.answer))
    )
    by = dict(rows.all())
    total = len(await households.confirmed_ids(session, [m.village_id]))
    return AnswerCounts(int(by.get("yes", 0)), int(by.get("no", 0)), total)


@dataclass(frozen=True)
class Audience:
    """Who hears of a meeting: representatives (they answer, so they get the buttons) and the other
    current members of the village's confirmed households; ``declined`` households said they cannot come."""

    representatives: dict[int, int]  # household id → person id
    others: list[int]
    declined: set[int]
    members: dict[int, list[int]]


async def audience(session: AsyncSession, m: Meeting) -> Audience:
    ids = await households.confirmed_ids(session, [m.village_id])
    reps = await households.representatives(session, ids)
    members = await households.member_ids(session, ids)
    rep_ids = set(reps.values())
    others = [p for pids in members.values() for p in pids if p not in rep_ids]
    declined = set(
        await session.exec(
            select(MeetingAttendance.household_id).where(
                MeetingAttendance.meeting_id == m.id, MeetingAttendance.answer == "no"
            )
        )
    )
    return Audience(reps, others, declined, members)


async def answers_by(session: AsyncSession, person_id: int) -> int:
    n = await session.exec(
        select(func.count()).select_from(MeetingAttendance).where(MeetingAttendance.person_id == person_id)
    )
    return int(n.one())


@dataclass(frozen=True)
class MeetingCounts:
    held: int
    confirmed: int
    minutes: int


async def period_counts(
    session: AsyncSession, unit_ids: Sequence[int] | None, start: datetime, end: datetime, now: datetime
) -> MeetingCounts:
    """Meetings held in ``[start, end)`` (their time came before ``now``, or their minutes are out),
    the households that confirmed they would come to them, and how many have published minutes."""
    q = select(Meeting.id).where(
        Meeting.status == "announced",
        col(Meeting.starts_at) >= start,
        col(Meeting.starts_at) < end,
        (col(Meeting.starts_at) <= now) | col(Meeting.minutes_at).is_not(None),
    )
    if unit_ids is not None:
        q = q.where(col(Meeting.village_id).in_(list(unit_ids)))
    held = (await session.exec(select(func.count()).select_from(q.subquery()))).one()
    confirmed = (
        await session.exec(
            select(func.count())
            .select_from(MeetingAttendance)
            .where(col(MeetingAttendance.meeting_id).in_(q), MeetingAttendance.answer == "yes")
        )
    ).one()
    minutes = (
        await session.exec(
            select(func.count())
            .select_from(Meeting)
            .where(col(Meeting.id).in_(q), col(Meeting.minutes_at).is_not(None))
        )
    ).one()
    return MeetingCounts(int(held), int(confirmed), int(minutes))


async def listing(session: AsyncSession, village_ids: Sequence[int] | None, *, limit: int = 100) -> list[Meeting]:
    """Meetings of ``village_ids`` (None: all), the latest start first: the dashboard's candidates
    (it checks ``require_manager(read_only=True)`` on each)."""
    q = select(Meeting)
    if village_ids is not None:
        q = q.where(col(Meeting.village_id).in_(list(village_ids)))
    rows = await session.exec(q.order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc()).limit(limit))
    return list(rows)
