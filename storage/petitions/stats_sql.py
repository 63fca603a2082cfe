"""The SQL behind the petition statistics (``breakdown``): read the monthly rollup kept by triggers
(migration ``0010_stats_idx``) for whole months, count live what depends on "now", and scan the
period's rows from covering indexes when a period does not start and end on month boundaries.

Every function returns ``Fact`` rows: a key (unit, route, category, village, month; ``ANY`` where
the row is not split by that part) and the counts of that group. Not for use outside ``breakdown``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy import case as sa_case
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.petitions.deadlines import WorkingCalendar
from storage.petitions.models import Case, CaseAnswerDays, CaseStatsMonth
from storage.units.models import Unit

ANSWER_STANDS = ("answered", "closed")  # statuses in which ``answered_at`` is the answer still in force
ANY: Any = object()
"""A key part the row is not split by (it counts for every value of it)."""
COUNTERS = (
    "received",
    "ack_due",
    "ack_on_time",
    "answered_received",
    "reopened",
    "answered",
    "answered_on_time",
    "overdue",
    "ratings",
    "rating_sum",
)


@dataclass(frozen=True)
class Fact:
    unit: Any
    route: Any
    category: Any
    village: Any
    month: Any
    counts: dict[str, int]


async def all_unit_ids(session: AsyncSession) -> list[int]:
    """Every unit's id (a few hundred at most): "the whole area" as a list the indexes can seek."""
    return [i for i in await session.exec(select(Unit.id)) if i is not None]


def is_pg(session: AsyncSession) -> bool:
    bind = session.bind
    return bind is not None and bind.dialect.name == "postgresql"


def local(session: AsyncSession, column: Any, calendar: WorkingCalendar, fmt: str) -> Any:
    """SQL for a UTC timestamp's local date ('day') or month ('month') as text."""
    if is_pg(session):
        return func.to_char(func.timezone(str(calendar.tz), column), "YYYY-MM-DD" if fmt == "day" else "YYYY-MM")
    # SQLite keeps UTC text; Vietnam has no summer time, so a fixed offset is exact.
    offset = datetime(2000, 1, 1, tzinfo=calendar.tz).utcoffset() or timedelta(0)
    hours = f"{int(offset.total_seconds() // 3600):+d} hours"
    return func.strftime("%Y-%m-%d" if fmt == "day" else "%Y-%m", column, hours)


def _sum(cond: Any, value: Any = 1) -> Any:
    return func.coalesce(func.sum(sa_case((cond, value), else_=0)), 0)


async def _rows(session: AsyncSession, q: Any) -> list[Any]:
    conn = await session.connection()  # plain tuples, no ORM objects
    return list(await conn.execute(q))


def _scoped(q: Any, column: Any, ids: list[int] | None) -> Any:
    return q if ids is None else q.where(column.in_(ids))


KeyFn = Callable[[Any], tuple[Any, Any, Any, Any, Any]]


async def _collect(session: AsyncSession, q: Any, n: int, key: KeyFn, names: tuple[str, ...]) -> list[Fact]:
    out = []
    for r in await _rows(session, q):
        out.append(Fact(*key(r), {name: int(v or 0) for name, v in zip(names, r[n:], strict=True)}))
    return out


# --- whole months: the rollup ------------------------------------------------------------------


async def rollup_facts(session: AsyncSession, ids: list[int] | None, first: str, last: str) -> list[Fact]:
    """The rollup's counters for months ``first``..``last`` (inclusive): once split by place (unit,
    village, month), once by kind (route, category). ``ack_due`` is provisionally every petition
    received: ``pending_acks`` takes away those whose acknowledge date has not come."""
    m = CaseStatsMonth
    sums = [func.sum(col(getattr(m, c))) for c in ("received", "acked", "ack_on_time", "answered_received")]
    sums += [func.sum(col(getattr(m, c))) for c in ("reopened", "answered", "answered_on_time", "ratings")]
    sums.append(func.sum(col(m.rating_sum)))
    names = (
        "received",
        "acked",
        "ack_on_time",
        "answered_received",
        "reopened",
        "answered",
        "answered_on_time",
        "ratings",
        "rating_sum",
    )
    where = (col(m.month) >= first, col(m.month) <= last)
    place = _scoped(
        sa_select(col(m.unit_id), col(m.village_id), col(m.month), *sums).where(*where), col(m.unit_id), ids
    ).group_by(col(m.unit_id), col(m.village_id), col(m.month))
    kind = _scoped(sa_select(col(m.route), col(m.category), *sums).where(*where), col(m.unit_id), ids).group_by(
        col(m.route), col(m.category)
    )
    out = await _collect(session, place, 3, lambda r: (r[0], ANY, ANY, r[1] or None, r[2]), names)
    out += await _collect(session, kind, 2, lambda r: (ANY, r[0], r[1], ANY, ANY), names)
    for f in out:  # the rollup counts acknowledgements given; the due ones are every petition received
        f.counts["ack_due"] = f.counts["received"]
        del f.counts["acked"]
    return out


async def pending_acks(
    session: AsyncSession,
    calendar: WorkingCalendar,
    ids: list[int] | None,
    start: datetime,
    end: datetime,
    at: datetime,
) -> list[Fact]:
    """Petitions received in the period, not acknowledged, whose acknowledge date is still to come
    at ``at``: not due yet, so taken out of the "acknowledged on time" denominator (a short list:
    the index holds unacknowledged petitions by due date)."""
    month = local(session, col(Case.created_at), calendar, "month")
    dims = [col(Case.unit_id), col(Case.route), col(Case.category), col(Case.village_id), month]
    q = sa_select(*dims, func.count()).where(
        col(Case.acknowledged_at).is_(None),
        col(Case.ack_due) >= at,
        col(Case.created_at) >= start,
        col(Case.created_at) < end,
    )
    q = _scoped(q, col(Case.unit_id), ids).group_by(*dims)
    facts = await _collect(session, q, 5, lambda r: (r[0], r[1], r[2], r[3], r[4]), ("ack_due",))
    for f in facts:
        f.counts["ack_due"] = -f.counts["ack_due"]
    return facts


async def overdue_facts(session: AsyncSession, ids: list[int] | None, at: datetime) -> list[Fact]:
    """Open petitions (clock not paused) past their answer date at ``at``, from the open-petitions index."""
    dims = [col(Case.unit_id), col(Case.route), col(Case.category), col(Case.village_id)]
    q = sa_select(*dims, func.count()).where(
        col(Case.is_open).is_(True), col(Case.answer_due) < at, col(Case.paused_at).is_(None)
    )
    q = _scoped(q, col(Case.unit_id), ids).group_by(*dims)
    return await _collect(session, q, 4, lambda r: (r[0], r[1], r[2], r[3], None), ("overdue",))


# --- any period: scan the period's rows --------------------------------------------------------


async def scan_facts(
    session: AsyncSession,
    calendar: WorkingCalendar,
    ids: list[int] | None,
    start: datetime,
    end: datetime,
    at: datetime,
) -> list[Fact]:
    """Every counter for a period that does not fall on month boundaries, grouped by every key part
    (one GROUP BY per kind of fact, each from its covering index)."""
    created, answered_at, acked, rated_at = (
        col(Case.created_at),
        col(Case.answered_at),
        col(Case.acknowledged_at),
        col(Case.rated_at),
    )

    def dims(month_of: Any) -> list[Any]:
        base = [col(Case.unit_id), col(Case.route), col(Case.category), col(Case.village_id)]
        return [*base, local(session, month_of, calendar, "month")]

    def key(r: Any) -> tuple[Any, Any, Any, Any, Any]:
        return (r[0], r[1], r[2], r[3], r[4])

    d = dims(created)
    q = sa_select(
        *d,
        func.count(),
        _sum(or_(acked.is_not(None), col(Case.ack_due) < at)),
        _sum(and_(acked.is_not(None), acked <= col(Case.ack_due))),
        _sum(answered_at.is_not(None)),
        _sum(and_(answered_at.is_not(None), col(Case.reopen_count) > 0)),
    ).where(created >= start, created < end)
    names: tuple[str, ...] = ("received", "ack_due", "ack_on_time", "answered_received", "reopened")
    out = await _collect(session, _scoped(q, col(Case.unit_id), ids).group_by(*d), 5, key, names)

    d = dims(answered_at)
    q = sa_select(*d, func.count(), _sum(answered_at <= col(Case.answer_due))).where(
        answered_at >= start, answered_at < end, col(Case.status).in_(ANSWER_STANDS)
    )
    names = ("answered", "answered_on_time")
    out += await _collect(session, _scoped(q, col(Case.unit_id), ids).group_by(*d), 5, key, names)

    d = dims(rated_at)
    q = sa_select(*d, func.count(), func.coalesce(func.sum(col(Case.rating)), 0)).where(
        rated_at >= start, rated_at < end, col(Case.rating).is_not(None)
    )
    out += await _collect(session, _scoped(q, col(Case.unit_id), ids).group_by(*d), 5, key, ("ratings", "rating_sum"))
    return out + await overdue_facts(session, ids, at)


# --- working days to answer --------------------------------------------------------------------


def _working_day_counter(calendar: WorkingCalendar, first: date, last: date) -> dict[date, int]:
    """date → working days after ``first`` up to and including it: ``working_days_between(a, b)``
    is ``count[b] - count[a]``, one calendar look-up per day of the span instead of per pair."""
    out: dict[date, int] = {}
    n, d = 0, first
    while d <= last:
        if d > first and calendar.is_working_day(d):
            n += 1
        out[d] = n
        d += timedelta(days=1)
    return out


async def answer_days(
    session: AsyncSession, calendar: WorkingCalendar, ids: list[int] | None, start: datetime, end: datetime
) -> list[tuple[int, int]]:
    """[(working days from receipt to answer, how many answers)] for the answers given in the period
    that still stand. Working days depend only on the two local dates, so the database groups by that
    pair (from the answers' covering index) and the calendar is consulted once per day of the span."""
    sent = local(session, col(Case.created_at), calendar, "day")
    answered = local(session, col(Case.answered_at), calendar, "day")
    if ids is None:  # every unit, named: the covering index leads with the unit
        ids = await all_unit_ids(session)
    q = sa_select(sent, answered, func.count()).where(
        col(Case.answered_at) >= start, col(Case.answered_at) < end, col(Case.status).in_(ANSWER_STANDS)
    )
    q = _scoped(q, col(Case.unit_id), ids).group_by(sent, answered)
    rows = [
        (date.fromisoformat(str(a)[:10]), date.fromisoformat(str(b)[:10]), int(n))
        for a, b, n in await _rows(session, q)
    ]
    if not rows:
        return []
    first = min(min(a, b) for a, b, _ in rows)
    count = _working_day_counter(calendar, first, max(max(a, b) for a, b, _ in rows))
    return [(count[b] - count[a], n) for a, b, n in rows]


async def rolled_answer_days(
    session: AsyncSession, ids: list[int] | None, first: str, last: str
) -> list[tuple[int, int]] | None:
    """[(working days, answers)] of the answers given in months ``first``..``last``, from the rollup
    (None when some answer's dates are beyond the calendar table: count those live instead)."""
    m = CaseAnswerDays
    q = _scoped(
        sa_select(col(m.days), func.sum(col(m.n))).where(col(m.month) >= first, col(m.month) <= last),
        col(m.unit_id),
        ids,
    ).group_by(col(m.days))
    rows = [(int(d), int(n or 0)) for d, n in await _rows(session, q)]
    if any(d < 0 and n for d, n in rows):
        return None
    return [(d, n) for d, n in rows if n]
