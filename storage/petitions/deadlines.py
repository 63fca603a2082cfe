"""Legal deadline clock for petitions: working days, per-route due dates, pauses, progress.

Working days are Monday–Friday minus Vietnamese public holidays (the ``holidays``
package computes Tết and the Hùng Kings day from the lunar calendar, and the swaps
it knows about) plus a per-year override table kept in the deployment's
``calendar.yaml``: make-up working days (a Saturday worked to swap for a bridge
day) and extra days off the package does not list.

Counting rules (Civil Code 2015 Art. 147–148, as the fact sheet reads them):
a period counted in days starts the day after the triggering event, and ends at the
end (23:59:59 local time) of its last day. A period counted in calendar days whose
last day is a day off ends at the end of the next working day.

Everything here is pure: no database, no clock reads. All datetimes must be
timezone-aware; they are converted to the calendar's timezone before their date is
taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import holidays
import yaml

__all__ = [
    "DEFAULT_TIMEZONE",
    "CaseWindows",
    "RouteDeadline",
    "Unit",
    "WorkingCalendar",
    "due_dates",
    "load_calendar",
    "load_case_windows",
    "load_deadlines",
    "progress",
]

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
Unit = Literal["working", "calendar"]
_UNITS: tuple[str, ...] = ("working", "calendar")
_END_OF_DAY = time(23, 59, 59)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


class WorkingCalendar:
    """Which days count as working days, and arithmetic over them.

    ``workdays`` and ``days_off`` are the per-year overrides; a make-up working day
    wins over everything else. Holiday sets are computed once per year and cached.
    """

    def __init__(
        self,
        workdays: Iterable[date] = (),
        days_off: Iterable[date] = (),
        *,
        timezone: str = DEFAULT_TIMEZONE,
        country: str = "VN",
        notes: Mapping[date, str] | None = None,
    ) -> None:
        self._workdays = frozenset(workdays)
        self._days_off = frozenset(days_off)
        clash = self._workdays & self._days_off
        if clash:
            listed = ", ".join(d.isoformat() for d in sorted(clash))
            raise ValueError(f"dates listed both as workday and day off: {listed}")
        self.tz = ZoneInfo(timezone)
        self.country = country
        self.notes: dict[date, str] = dict(notes or {})
        self._off_cache: dict[int, frozenset[date]] = {}
        self._work_cache: dict[int, frozenset[date]] = {}

    # -- day classification -------------------------------------------------

    def _load_year(self, year: int) -> None:
        official = holidays.country_holidays(self.country, years=year)
        off = {d for d in official if d.year == year}
        # Recent versions of `holidays` know some make-up Saturdays too.
        package_work = {d for d in getattr(official, "weekend_workdays", ()) if d.year == year}
        work = package_work | {d for d in self._workdays if d.year == year}
        off |= {d for d in self._days_off if d.year == year}
        self._off_cache[year] = frozenset(off - work)
        self._work_cache[year] = frozenset(work)

    def days_off(self, year: int) -> frozenset[date]:
        """Public holidays and extra days off in ``year`` (weekends not included)."""
        if year not in self._off_cache:
            self._load_year(year)
        return self._off_cache[year]

    def make_up_workdays(self, year: int) -> frozenset[date]:
        """Weekend days in ``year`` that are worked (package swaps plus overrides)."""
        if year not in self._work_cache:
            self._load_year(year)
        return self._work_cache[year]

    def is_working_day(self, d: date) -> bool:
        """True if government offices work on ``d``."""
        if d in self.make_up_workdays(d.year):
            return True
        if d in self.days_off(d.year):
            return False
        return d.weekday() < 5

    # -- helpers ----------------------------------------------------------

    def local_date(self, moment: datetime) -> date:
        """The date of ``moment`` in the calendar's timezone."""
        _require_aware(moment, "moment")
        return moment.astimezone(self.tz).date()

    def end_of_day(self, d: date) -> datetime:
        """23:59:59 local time on ``d``."""
        return datetime.combine(d, _END_OF_DAY, tzinfo=self.tz)

    def start_of_day(self, d: date) -> datetime:
        """00:00:00 local time on ``d``."""
        return datetime.combine(d, time(0), tzinfo=self.tz)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        d += timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    # -- arithmetic -------------------------------------------------------

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """End of the ``n``-th working day after ``start``'s date.

        Counting starts with the next working day after ``start``'s local date,
        so a Friday-afternoon submission with n=1 is due Monday 23:59:59.
        n=0 gives the end of ``start``'s own day.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        d = self.local_date(start)
        for _ in range(n):
            d = self.next_working_day(d)
        return self.end_of_day(d)

    def add_calendar_days(self, start: datetime, n: int, *, roll_forward: bool = True) -> datetime:
        """End of the ``n``-th calendar day after ``start``'s date.

        With ``roll_forward`` (the default), a last day that is a day off moves to
        the end of the next working day (Civil Code 2015 Art. 148).
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        d = self.local_date(start) + timedelta(days=n)
        if roll_forward and not self.is_working_day(d):
            d = self.next_working_day(d)
        return self.end_of_day(d)

    def add_days(self, start: datetime, n: int, unit: Unit) -> datetime:
        """Dispatch to :meth:`add_working_days` or :meth:`add_calendar_days`."""
        if unit == "working":
            return self.add_working_days(start, n)
        if unit == "calendar":
            return self.add_calendar_days(start, n)
        raise ValueError(f"unknown unit {unit!r}")

    def working_days_between(self, a: datetime, b: datetime) -> int:
        """Working days after ``a``'s date up to and including ``b``'s date.

        The inverse of :meth:`add_working_days`:
        ``working_days_between(s, add_working_days(s, n)) == n``. Negative if b < a.
        """
        da, db = self.local_date(a), self.local_date(b)
        if db < da:
            return -self.working_days_between(b, a)
        count = 0
        d = da + timedelta(days=1)
        while d <= db:
            if self.is_working_day(d):
                count += 1
            d += timedelta(days=1)
        return count

    def working_seconds_between(self, a: datetime, b: datetime) -> float:
        """Seconds between ``a`` and ``b`` that fall on working days (0 if b <= a)."""
        _require_aware(a, "a")
        _require_aware(b, "b")
        if b <= a:
            return 0.0
        total = 0.0
        d, last = self.local_date(a), self.local_date(b)
        while d <= last:
            if self.is_working_day(d):
                lo = max(a, self.start_of_day(d))
                hi = min(b, self.start_of_day(d + timedelta(days=1)))
                if hi > lo:
                    total += (hi - lo).total_seconds()
            d += timedelta(days=1)
        return total

    def extend_for_pause(
        self,
        due: datetime,
        paused_from: datetime,
        resumed_at: datetime,
        *,
        unit: Unit = "working",
    ) -> datetime:
        """New due moment after the clock was paused (waiting for the resident).

        The due date moves by the days spent paused, counted like
        :meth:`working_days_between` (days after the pause day up to and including
        the resume day; a pause within one day costs nothing). With
        ``unit="calendar"`` it moves by calendar days instead.
        """
        _require_aware(due, "due")
        if resumed_at < paused_from:
            raise ValueError("resumed_at is before paused_from")
        if unit == "working":
            lost = self.working_days_between(paused_from, resumed_at)
            return due if lost == 0 else self.add_working_days(due, lost)
        if unit == "calendar":
            lost = (self.local_date(resumed_at) - self.local_date(paused_from)).days
            return due if lost == 0 else self.add_calendar_days(due, lost)
        raise ValueError(f"unknown unit {unit!r}")


# -- per-route deadlines ------------------------------------------------------


@dataclass(frozen=True)
class RouteDeadline:
    """How long an office has to acknowledge and to answer one kind of petition.

    ``extension_days``/``max_extensions`` describe the extra time the law allows for
    complex cases (khiếu nại: one of 15 days; tố cáo: up to two of 30 days).
    """

    route: str
    acknowledge_days: int
    acknowledge_unit: Unit
    answer_days: int
    answer_unit: Unit
    source: str
    verify: bool
    extension_days: int = 0
    max_extensions: int = 0


@dataclass(frozen=True)
class CaseWindows:
    """Timers after an answer: auto-close if not reopened, and how long reopening is allowed."""

    auto_close_after_days: int
    reopen_window_days: int
    unit: Unit
    source: str
    verify: bool


def _read_yaml(path: str | Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at top level")
    return data


def _unit(value: Any, where: str) -> Unit:
    if value not in _UNITS:
        raise ValueError(f"{where}: unit must be 'working' or 'calendar', got {value!r}")
    return value  # type: ignore[no-any-return]


def _source(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: a non-empty 'source' is required")
    return value.strip()


def load_deadlines(path: str | Path) -> dict[str, RouteDeadline]:
    """Read the ``routes:`` section of ``deadlines.yaml``; every route must cite a source."""
    data = _read_yaml(path)
    routes = data.get("routes")
    if not isinstance(routes, dict) or not routes:
        raise ValueError(f"{path}: a non-empty 'routes' mapping is required")
    result: dict[str, RouteDeadline] = {}
    for name, cfg in routes.items():
        where = f"{path}: routes.{name}"
        ack, ans = cfg["acknowledge"], cfg["answer"]
        ext = cfg.get("extension") or {}
        result[name] = RouteDeadline(
            route=str(name),
            acknowledge_days=int(ack["days"]),
            acknowledge_unit=_unit(ack["unit"], where),
            answer_days=int(ans["days"]),
            answer_unit=_unit(ans["unit"], where),
            source=_source(cfg.get("source"), where),
            verify=bool(cfg.get("verify", False)),
            extension_days=int(ext.get("days", 0)),
            max_extensions=int(ext.get("max", 0)),
        )
    return result


def load_case_windows(path: str | Path) -> CaseWindows:
    """Read the ``after_answer:`` section of ``deadlines.yaml``."""
    data = _read_yaml(path)
    cfg = data.get("after_answer")
    if not isinstance(cfg, dict):
        raise ValueError(f"{path}: an 'after_answer' mapping is required")
    where = f"{path}: after_answer"
    return CaseWindows(
        auto_close_after_days=int(cfg["auto_close_after_days"]),
        reopen_window_days=int(cfg["reopen_window_days"]),
        unit=_unit(cfg.get("unit", "calendar"), where),
        source=_source(cfg.get("source"), where),
        verify=bool(cfg.get("verify", False)),
    )


def _as_date(value: Any, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise ValueError(f"{where}: not a date: {value!r}")


def load_calendar(path: str | Path) -> WorkingCalendar:
    """Build a :class:`WorkingCalendar` from ``calendar.yaml``.

    Layout: ``timezone`` (optional) and ``years: {YYYY: {workdays: [...],
    days_off: [...]}}``, each entry ``{date: YYYY-MM-DD, note: "... source ..."}``.
    """
    data = _read_yaml(path)
    workdays: list[date] = []
    days_off: list[date] = []
    notes: dict[date, str] = {}
    for year, sections in (data.get("years") or {}).items():
        for key, bucket in (("workdays", workdays), ("days_off", days_off)):
            for i, entry in enumerate((sections or {}).get(key) or []):
                where = f"{path}: years.{year}.{key}[{i}]"
                if not isinstance(entry, dict):
                    raise ValueError(f"{where}: expected {{date, note}}")
                d = _as_date(entry.get("date"), where)
                if d.year != int(year):
                    raise ValueError(f"{where}: {d} is not in {year}")
                note = entry.get("note")
                if not isinstance(note, str) or not note.strip():
                    raise ValueError(f"{where}: a 'note' citing the source is required")
                bucket.append(d)
                notes[d] = note.strip()
    return WorkingCalendar(
        workdays,
        days_off,
        timezone=str(data.get("timezone") or DEFAULT_TIMEZONE),
        country=str(data.get("country") or "VN"),
        notes=notes,
    )


def due_dates(
    route_cfg: RouteDeadline,
    calendar: WorkingCalendar,
    submitted_at: datetime,
    *,
    extensions: int = 0,
) -> tuple[datetime, datetime]:
    """(acknowledge_due, answer_due) for a petition submitted at ``submitted_at``.

    Both clocks run from submission. ``extensions`` adds that many extension
    periods to the answer period (at most ``route_cfg.max_extensions``).
    """
    if not 0 <= extensions <= route_cfg.max_extensions:
        raise ValueError(f"route {route_cfg.route!r} allows at most {route_cfg.max_extensions} extensions")
    ack = calendar.add_days(submitted_at, route_cfg.acknowledge_days, route_cfg.acknowledge_unit)
    days = route_cfg.answer_days + extensions * route_cfg.extension_days
    answer = calendar.add_days(submitted_at, days, route_cfg.answer_unit)
    return ack, answer


def progress(
    submitted_at: datetime,
    due: datetime,
    now: datetime,
    calendar: WorkingCalendar,
) -> float:
    """Fraction of the answer period elapsed at ``now`` (0.0 at the start, 1.0 at ``due``).

    Only time on working days counts, and the period starts at the beginning of
    the first working day after submission, so weekends and holidays do not eat
    into it. Past ``due`` the value exceeds 1.0 (useful for escalation); before
    the period starts it is 0.0.
    """
    start = calendar.start_of_day(calendar.next_working_day(calendar.local_date(submitted_at)))
    total = calendar.working_seconds_between(start, due)
    if total <= 0:
        return 1.0 if now >= due else 0.0
    return calendar.working_seconds_between(start, now) / total
