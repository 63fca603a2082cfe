"""Petition statistics counted in the database: the per-unit league table (``loalang cases stats``)
and the dashboard figures of one scope and period (``scope_stats``, used by the manifest)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case as sa_case
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import utcnow
from storage.petitions.breakdown import ANSWER_STANDS, Rates, tally
from storage.petitions.deadlines import WorkingCalendar
from storage.petitions.models import Case

__all__ = ["ANSWER_STANDS", "ScopeStats", "UnitStats", "scope_stats", "stats_by_unit"]


@dataclass
class UnitStats:
    unit_id: int
    received: int = 0
    answered: int = 0
    answered_on_time: int = 0
    overdue: int = 0
    avg_rating: float | None = None
    ratings: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return None if not self.answered else self.answered_on_time / self.answered


async def stats_by_unit(session: AsyncSession, since: datetime, *, now: datetime) -> list[UnitStats]:
    """Per responsible unit: received and answered since ``since``, on time, open overdue now, ratings."""
    out: dict[int, UnitStats] = {}

    def row(uid: int) -> UnitStats:
        return out.setdefault(uid, UnitStats(uid))

    for uid, n in await session.exec(
        select(Case.unit_id, func.count()).where(col(Case.created_at) >= since).group_by(col(Case.unit_id))
    ):
        row(uid).received = n
    on_time = func.sum(sa_case((col(Case.answered_at) <= col(Case.answer_due), 1), else_=0))
    for uid, n, ok in await session.exec(
        select(Case.unit_id, func.count(), on_time).where(col(Case.answered_at) >= since).group_by(col(Case.unit_id))
    ):
        row(uid).answered, row(uid).answered_on_time = n, int(ok or 0)
    for uid, n in await session.exec(
        select(Case.unit_id, func.count())
        .where(col(Case.is_open).is_(True), col(Case.answer_due) < now, col(Case.paused_at).is_(None))
        .group_by(col(Case.unit_id))
    ):
        row(uid).overdue = n
    for uid, avg, n in await session.exec(
        select(Case.unit_id, func.avg(Case.rating), func.count())
        .where(col(Case.rated_at) >= since, col(Case.rating).is_not(None))
        .group_by(col(Case.unit_id))
    ):
        row(uid).avg_rating, row(uid).ratings = (round(float(avg), 2) if avg is not None else None), n
    return sorted(out.values(), key=lambda s: s.unit_id)


@dataclass(frozen=True)
class ScopeStats(Rates):
    """Counts for one scope and period (see ``scope_stats``); rates are None with nothing to divide by."""

    received: int
    ack_due: int
    ack_on_time: int
    answered: int
    answered_on_time: int
    median_days_to_answer: float | None
    overdue: int
    answered_received: int
    reopened: int
    ratings: int
    rating_sum: int


async def scope_stats(
    session: AsyncSession,
    calendar: WorkingCalendar,
    unit_ids: Iterable[int] | None,
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
) -> ScopeStats:
    """The dashboard's petition figures, counted in the database (five aggregate queries, each
    reading only the period's rows from a covering index, whatever the table's size).

    A petition counts for the unit that must answer it (``unit_id``). Received, acknowledged on time
    and reopened are about petitions received in ``[start, end)``; answered on time and the median
    working days about answers given in the period that still stand (a reopened petition's answer
    date and due date are replaced when it is answered again); ratings about ratings given in it;
    overdue is the open petitions (clock not paused) past their answer date at the end of the
    period, or now when the period has not ended (a petition due next month is not overdue today)."""
    t, median = await tally(session, calendar, unit_ids, start, end, at=min(end, now or utcnow()))
    return ScopeStats(
        t.received,
        t.ack_due,
        t.ack_on_time,
        t.answered,
        t.answered_on_time,
        median,
        t.overdue,
        t.answered_received,
        t.reopened,
        t.ratings,
        t.rating_sum,
    )
