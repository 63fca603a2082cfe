"""Petition statistics of one scope and period, broken down by responsible unit, route, category,
village and local month: the figures of the statistics page, the yearly assessment and the public
page, fast over a million petitions.

Definitions (the same everywhere, and in the manifest's figures): a petition counts for the unit
that must answer it (``unit_id``); received, acknowledged on time and reopened are about petitions
received in ``[start, end)``; answered on time and the working days to answer about the answers
given in the period that still stand (a reopened petition's answer and due date are replaced when
it is answered again); ratings about ratings given in it; overdue is the open petitions (clock not
paused) past their answer date at ``at`` — the end of the period, or now when it has not ended.

For whole local months (every period the pages offer) the counts come from the rollup the
database keeps by triggers, plus three small live queries (overdue now, acknowledgements not yet
due, working days to answer); any other period is scanned from covering indexes (``stats_sql``).
Either way the database returns groups, never one row per petition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import utcnow
from storage.petitions import stats_sql, workdays
from storage.petitions.deadlines import WorkingCalendar
from storage.petitions.stats_sql import ANSWER_STANDS, ANY, COUNTERS, Fact

__all__ = [
    "ANSWER_STANDS",
    "MIN_ANSWERED",
    "Breakdown",
    "Rates",
    "Tally",
    "breakdown",
    "month_bounds",
    "months_between",
    "tally",
]

MIN_ANSWERED = 5
"""Below this many answers a unit's shares, medians and means say more about chance than about the
unit: pages show its counts only and leave it out of rankings."""


class Rates:
    """The shares and the mean every set of counts shows (None with nothing to divide by); the
    counts themselves are the subclass's fields."""

    ack_due: int
    ack_on_time: int
    answered: int
    answered_on_time: int
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


@dataclass
class Tally(Rates):
    """Counts for one group of petitions; the rates are None with nothing to divide by."""

    received: int = 0
    ack_due: int = 0
    ack_on_time: int = 0
    answered_received: int = 0
    reopened: int = 0
    answered: int = 0
    answered_on_time: int = 0
    overdue: int = 0
    ratings: int = 0
    rating_sum: int = 0

    def add_counts(self, counts: dict[str, int]) -> None:
        for name, n in counts.items():
            setattr(self, name, getattr(self, name) + n)

    @property
    def small(self) -> bool:
        """Fewer than ``MIN_ANSWERED`` answers: show counts, not shares or rankings."""
        return self.answered < MIN_ANSWERED


@dataclass
class Breakdown:
    """The period's figures: the total, per unit, route, category, village (None: no village) and
    local month (``months`` lists every month of the period, oldest first, even empty ones)."""

    total: Tally
    months: list[str]
    median_days_to_answer: float | None = None
    by_unit: dict[int, Tally] = field(default_factory=dict)
    by_route: dict[str, Tally] = field(default_factory=dict)
    by_category: dict[str, Tally] = field(default_factory=dict)
    by_village: dict[int | None, Tally] = field(default_factory=dict)
    by_month: dict[str, Tally] = field(default_factory=dict)


def months_between(calendar: WorkingCalendar, start: datetime, end: datetime) -> list[str]:
    """'YYYY-MM' of every local month that overlaps ``[start, end)``."""
    a = start.astimezone(calendar.tz)
    b = (end - timedelta(microseconds=1)).astimezone(calendar.tz)
    out: list[str] = []
    y, m = a.year, a.month
    while (y, m) <= (b.year, b.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_bounds(calendar: WorkingCalendar, first: str, last: str) -> tuple[datetime, datetime]:
    """``[start, end)`` of local months ``first``..``last`` ('YYYY-MM', inclusive)."""
    y, m = (int(x) for x in first.split("-"))
    start = datetime(y, m, 1, tzinfo=calendar.tz)
    y, m = (int(x) for x in last.split("-"))
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return start, datetime(y, m, 1, tzinfo=calendar.tz)


def _on_month_start(calendar: WorkingCalendar, moment: datetime) -> bool:
    t = moment.astimezone(calendar.tz)
    return (t.day, t.hour, t.minute, t.second, t.microsecond) == (1, 0, 0, 0, 0)


async def _facts(
    session: AsyncSession,
    calendar: WorkingCalendar,
    ids: list[int] | None,
    start: datetime,
    end: datetime,
    at: datetime,
) -> list[Fact]:
    if _whole_months(calendar, start, end):
        await workdays.ensure(session, calendar, at.astimezone(calendar.tz).date())
        if ids is None:  # every unit, named: the live parts' covering indexes lead with the unit
            ids = await stats_sql.all_unit_ids(session)
        months = months_between(calendar, start, end)
        facts = await stats_sql.rollup_facts(session, ids, months[0], months[-1])
        facts += await stats_sql.pending_acks(session, calendar, ids, start, end, at)
        return facts + await stats_sql.overdue_facts(session, ids, at)
    return await stats_sql.scan_facts(session, calendar, ids, start, end, at)


def _whole_months(calendar: WorkingCalendar, start: datetime, end: datetime) -> bool:
    return _on_month_start(calendar, start) and _on_month_start(calendar, end) and start < end


async def _answer_days(
    session: AsyncSession, calendar: WorkingCalendar, ids: list[int] | None, start: datetime, end: datetime
) -> list[tuple[int, int]]:
    """The answers' working days: from the rollup for whole months, else (or when the calendar table
    does not cover some dates) counted from the petitions."""
    if _whole_months(calendar, start, end):
        months = months_between(calendar, start, end)
        rolled = await stats_sql.rolled_answer_days(session, ids, months[0], months[-1])
        if rolled is not None:
            return rolled
    return await stats_sql.answer_days(session, calendar, ids, start, end)


def _median(days: list[tuple[int, int]]) -> float | None:
    total = sum(n for _, n in days)
    if not total:
        return None
    days = sorted(days)

    def nth(k: int) -> int:  # the k-th smallest value (0-based) of the weighted list
        seen = 0
        for value, n in days:
            seen += n
            if k < seen:
                return value
        return days[-1][0]

    mid = total // 2
    return float(nth(mid)) if total % 2 else (nth(mid - 1) + nth(mid)) / 2


def _at(end: datetime, at: datetime | None) -> datetime:
    return min(end, at if at is not None else utcnow())


async def tally(
    session: AsyncSession,
    calendar: WorkingCalendar,
    unit_ids: Iterable[int] | None,
    start: datetime,
    end: datetime,
    *,
    at: datetime | None = None,
) -> tuple[Tally, float | None]:
    """The totals of one scope and period and the median working days to answer."""
    ids = None if unit_ids is None else list(unit_ids)
    total = Tally()
    for f in await _facts(session, calendar, ids, start, end, _at(end, at)):
        if f.unit is not ANY:
            total.add_counts(f.counts)
    return total, _median(await _answer_days(session, calendar, ids, start, end))


async def breakdown(
    session: AsyncSession,
    calendar: WorkingCalendar,
    unit_ids: Iterable[int] | None,
    start: datetime,
    end: datetime,
    *,
    at: datetime | None = None,
) -> Breakdown:
    """Every petition figure of one scope and period, split every way the pages show."""
    ids = None if unit_ids is None else list(unit_ids)
    months = months_between(calendar, start, end)
    b = Breakdown(Tally(), months, by_month={m: Tally() for m in months})
    splits: list[tuple[str, dict[Any, Tally]]] = [
        ("unit", b.by_unit),
        ("route", b.by_route),
        ("category", b.by_category),
        ("village", b.by_village),
    ]
    for f in await _facts(session, calendar, ids, start, end, _at(end, at)):
        if f.unit is not ANY:  # a row split by place (or by everything) counts once in the total
            b.total.add_counts(f.counts)
        for part, target in splits:
            value = getattr(f, part)
            if value is not ANY:
                target.setdefault(value, Tally()).add_counts(f.counts)
        if f.month is not ANY and f.month in b.by_month:
            b.by_month[f.month].add_counts(f.counts)
    b.median_days_to_answer = _median(await _answer_days(session, calendar, ids, start, end))
    return b


assert set(COUNTERS) == {f for f in Tally.__dataclass_fields__}  # the SQL and the tally name the same counts
