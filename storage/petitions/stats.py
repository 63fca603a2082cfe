"""Petition statistics counted in the database: the per-unit league table (``loalang cases stats``)
and the dashboard figures of one scope and period (``scope_stats``, used by the manifest)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy import case as sa_case
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

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
class ScopeStats:
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

    @staticmethod
    def _pct(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def ack_on_time_pct(self) -> float | None:
        return self._pct(self.ack_on_time, self.ack_due)

    @property
    def answered_on_time_pct(self) -> float | None:
        return self._pct(self.answered_on_time, self.answered)

    @property
    def reopened_pct(self) -> float | None:
        return self._pct(self.reopened, self.answered_received)

    @property
    def mean_rating(self) -> float | None:
        return round(self.rating_sum / self.ratings, 2) if self.ratings else None


ANSWER_STANDS = ("answered", "closed")  # statuses in which ``answered_at`` is the answer still in force


def _local_date(session: AsyncSession, column: Any, calendar: WorkingCalendar) -> Any:
    """SQL for the local calendar date of a UTC timestamp column (the calendar's time zone)."""
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        return func.date(func.timezone(str(calendar.tz), column))
    # SQLite keeps UTC text; Vietnam has no summer time, so a fixed offset is exact.
    offset = datetime(2000, 1, 1, tzinfo=calendar.tz).utcoffset() or timedelta(0)
    return func.date(column, f"{int(offset.total_seconds() // 3600):+d} hours")


async def scope_stats(
    session: AsyncSession, calendar: WorkingCalendar, unit_ids: Iterable[int] | None, start: datetime, end: datetime
) -> ScopeStats:
    """The dashboard's petition figures, counted in the database (two aggregate queries, whatever the size).

    A petition counts for the unit that must answer it (``unit_id``). Received, acknowledged on time
    and reopened are about petitions received in ``[start, end)``; answered on time and the median
    working days about answers given in the period that still stand (a reopened petition's answer
    date and due date are replaced when it is answered again); ratings about ratings given in it;
    overdue is the open petitions (clock not paused) past their answer date at ``end``."""
    ids = None if unit_ids is None else list(unit_ids)

    def when(cond: Any, value: Any = 1) -> Any:
        return func.coalesce(func.sum(sa_case((cond, value), else_=0)), 0)

    def period(column: Any) -> Any:
        return and_(column.is_not(None), column >= start, column < end)

    created, answered_at = col(Case.created_at), col(Case.answered_at)
    received = period(created)
    answered = and_(period(answered_at), col(Case.status).in_(ANSWER_STANDS))
    acked = col(Case.acknowledged_at)
    rated = and_(period(col(Case.rated_at)), col(Case.rating).is_not(None))
    q = select(  # type: ignore[call-overload]  # sqlmodel's select() is typed for at most four columns
        when(received),
        when(and_(received, or_(acked.is_not(None), col(Case.ack_due) < end))),
        when(and_(received, acked.is_not(None), acked <= col(Case.ack_due))),
        when(answered),
        when(and_(answered, answered_at <= col(Case.answer_due))),
        when(and_(col(Case.is_open).is_(True), col(Case.paused_at).is_(None), col(Case.answer_due) < end)),
        when(and_(received, answered_at.is_not(None))),
        when(and_(received, answered_at.is_not(None), col(Case.reopen_count) > 0)),
        when(rated),
        when(rated, col(Case.rating)),
    )
    if ids is not None:
        q = q.where(col(Case.unit_id).in_(ids))
    row = (await session.exec(q)).one()
    counts = [int(v or 0) for v in row]
    return ScopeStats(
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        counts[4],
        await _median_days_to_answer(session, calendar, ids, start, end),
        *counts[5:],
    )


async def _median_days_to_answer(
    session: AsyncSession, calendar: WorkingCalendar, ids: list[int] | None, start: datetime, end: datetime
) -> float | None:
    """Working days depend only on the two local dates: the database groups the answers by that pair,
    so at most a few thousand rows come back however many petitions there are."""
    sent = _local_date(session, col(Case.created_at), calendar)
    answered = _local_date(session, col(Case.answered_at), calendar)
    q = (
        select(sent, answered, func.count())
        .where(col(Case.status).in_(ANSWER_STANDS), col(Case.answered_at) >= start, col(Case.answered_at) < end)
        .group_by(sent, answered)
    )
    if ids is not None:
        q = q.where(col(Case.unit_id).in_(ids))
    tz = calendar.tz
    days: list[tuple[int, int]] = []
    for a, b, n in await session.exec(q):
        da, db = (datetime.fromisoformat(str(x)[:10]).replace(hour=12, tzinfo=tz) for x in (a, b))
        days.append((calendar.working_days_between(da, db), int(n)))
    total = sum(n for _, n in days)
    if not total:
        return None
    days.sort()

    def nth(k: int) -> int:  # the k-th smallest value (0-based) of the weighted list
        seen = 0
        for value, n in days:
            seen += n
            if k < seen:
                return value
        return days[-1][0]

    mid = total // 2
    return float(nth(mid)) if total % 2 else (nth(mid - 1) + nth(mid)) / 2
