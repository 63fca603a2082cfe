"""Tests for storage.petitions.deadlines: working days, per-route due dates, pauses, progress, config files."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest

from storage.petitions import deadlines
from storage.petitions.deadlines import (
    RouteDeadline,
    WorkingCalendar,
    due_dates,
    load_calendar,
    load_case_windows,
    load_deadlines,
    progress,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DEPLOYMENT = Path(__file__).resolve().parents[2] / "bot" / "deployments" / "kim_bang"
ROUTES = {"gop_y", "kien_nghi", "phan_anh", "khieu_nai", "to_cao"}


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def eod(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=VN)


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar()


# -- working days ---------------------------------------------------------------


def test_weekends_are_not_working_days(cal: WorkingCalendar) -> None:
    assert cal.is_working_day(date(2026, 3, 6))  # Friday
    assert not cal.is_working_day(date(2026, 3, 7))  # Saturday
    assert not cal.is_working_day(date(2026, 3, 8))  # Sunday
    assert cal.is_working_day(date(2026, 3, 9))  # Monday


def test_five_working_days_from_friday_afternoon(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(at(2026, 3, 6, 15, 30), 5) == eod(2026, 3, 13)
    assert cal.add_working_days(at(2026, 3, 6, 15, 30), 1) == eod(2026, 3, 9)


def test_due_moment_is_end_of_day_in_vietnam(cal: WorkingCalendar) -> None:
    due = cal.add_working_days(at(2026, 3, 2), 1)
    assert due.utcoffset() == timedelta(hours=7)
    assert (due.hour, due.minute, due.second) == (23, 59, 59)


def test_date_is_taken_in_local_time(cal: WorkingCalendar) -> None:
    # Thursday 18:00 UTC is already Friday 01:00 in Vietnam.
    thursday_utc = datetime(2026, 3, 5, 18, 0, tzinfo=UTC)
    assert cal.add_working_days(thursday_utc, 1) == eod(2026, 3, 9)


def test_naive_datetimes_are_rejected(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError):
        cal.add_working_days(datetime(2026, 3, 2, 9, 0), 1)


def test_package_knows_tet_2026_and_national_day() -> None:
    vn = holidays.country_holidays("VN", years=2026)
    assert date(2026, 2, 17) in vn  # Tết: first day of the lunar year
    assert {date(2026, 2, d) for d in range(16, 21)} <= set(vn)
    assert date(2026, 9, 2) in vn and date(2026, 9, 1) in vn


def test_tet_2026_and_national_day_are_skipped(cal: WorkingCalendar) -> None:
    for d in range(16, 21):
        assert not cal.is_working_day(date(2026, 2, d))
    assert not cal.is_working_day(date(2026, 9, 2))
    assert not cal.is_working_day(date(2025, 9, 2))
    # Friday 13 Feb 2026, next working day is Monday 23 Feb after Tết.
    assert cal.add_working_days(at(2026, 2, 13, 14), 1) == eod(2026, 2, 23)
    # Friday 28 Aug 2026: Mon 31 Aug (swap day), 1 and 2 Sep are off.
    assert cal.add_working_days(at(2026, 8, 28), 1) == eod(2026, 9, 3)


def test_make_up_saturday_counts() -> None:
    plain = WorkingCalendar()
    swapped = WorkingCalendar(workdays=[date(2026, 10, 10)])
    assert not plain.is_working_day(date(2026, 10, 10))
    assert swapped.is_working_day(date(2026, 10, 10))
    assert plain.add_working_days(at(2026, 10, 9), 1) == eod(2026, 10, 12)
    assert swapped.add_working_days(at(2026, 10, 9), 1) == eod(2026, 10, 10)


def test_extra_day_off_is_skipped() -> None:
    cal = WorkingCalendar(days_off=[date(2026, 10, 12)])
    assert not cal.is_working_day(date(2026, 10, 12))
    assert cal.add_working_days(at(2026, 10, 9), 1) == eod(2026, 10, 13)


def test_override_listed_both_ways_is_rejected() -> None:
    with pytest.raises(ValueError):
        WorkingCalendar(workdays=[date(2026, 10, 10)], days_off=[date(2026, 10, 10)])


def test_working_days_between_inverts_add(cal: WorkingCalendar) -> None:
    start = at(2026, 2, 10, 16)
    for n in (0, 1, 4, 10, 25):
        assert cal.working_days_between(start, cal.add_working_days(start, n)) == n
    # 9 Feb (Mon) to 27 Feb (Fri) 2026: 14 weekdays after the 9th, minus 5 Tết days.
    assert cal.working_days_between(at(2026, 2, 9), at(2026, 2, 27)) == 9
    assert cal.working_days_between(at(2026, 2, 27), at(2026, 2, 9)) == -9


def test_holiday_years_are_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = holidays.country_holidays

    def counting(country: str, years: int) -> holidays.HolidayBase:
        calls.append(years)
        return real(country, years=years)

    monkeypatch.setattr(deadlines.holidays, "country_holidays", counting)
    cal = WorkingCalendar()
    for _ in range(50):
        cal.add_working_days(at(2026, 3, 2), 60)
    assert calls == [2026]


# -- calendar-day routes and due dates --------------------------------------------


def test_calendar_days_roll_forward_off_a_weekend(cal: WorkingCalendar) -> None:
    assert cal.add_calendar_days(at(2026, 3, 2), 10) == eod(2026, 3, 12)
    # 4 Mar + 10 days = Saturday 14 Mar: runs to the end of Monday 16 Mar.
    assert cal.add_calendar_days(at(2026, 3, 4), 10) == eod(2026, 3, 16)
    assert cal.add_calendar_days(at(2026, 3, 4), 10, roll_forward=False) == eod(2026, 3, 14)


def test_due_dates_for_working_day_route(cal: WorkingCalendar) -> None:
    route = RouteDeadline("phan_anh", 5, "working", 10, "working", "test", True)
    ack, answer = due_dates(route, cal, at(2026, 3, 6, 15))
    assert ack == eod(2026, 3, 13)
    assert answer == eod(2026, 3, 20)


def test_due_dates_for_complaint_in_calendar_days(cal: WorkingCalendar) -> None:
    routes = load_deadlines(DEPLOYMENT / "deadlines.yaml")
    ack, answer = due_dates(routes["khieu_nai"], cal, at(2026, 3, 2))
    assert ack == eod(2026, 3, 12)
    assert answer == eod(2026, 4, 1)
    _, complex_answer = due_dates(routes["khieu_nai"], cal, at(2026, 3, 2), extensions=1)
    assert complex_answer == eod(2026, 4, 16)  # 45 days
    with pytest.raises(ValueError):
        due_dates(routes["khieu_nai"], cal, at(2026, 3, 2), extensions=2)


def test_due_dates_for_denunciation(cal: WorkingCalendar) -> None:
    routes = load_deadlines(DEPLOYMENT / "deadlines.yaml")
    ack, answer = due_dates(routes["to_cao"], cal, at(2026, 3, 2))
    assert ack == eod(2026, 3, 11)  # 7 working days
    assert answer == eod(2026, 4, 1)  # 30 calendar days
    _, very_complex = due_dates(routes["to_cao"], cal, at(2026, 3, 2), extensions=2)
    assert very_complex == eod(2026, 6, 1)  # 90 days = Sun 31 May, rolls to Monday


# -- pauses -----------------------------------------------------------------------


def test_pause_shifts_due_by_working_days_spent_paused(cal: WorkingCalendar) -> None:
    due = cal.add_working_days(at(2026, 3, 2), 10)
    assert due == eod(2026, 3, 16)
    # Paused Tuesday, resumed Friday: Wed, Thu, Fri are lost.
    assert cal.extend_for_pause(due, at(2026, 3, 3, 10), at(2026, 3, 6, 9)) == eod(2026, 3, 19)
    # Paused and resumed on the same day: nothing lost.
    assert cal.extend_for_pause(due, at(2026, 3, 3, 10), at(2026, 3, 3, 16)) == due
    # Paused over a weekend only costs the Monday.
    assert cal.extend_for_pause(due, at(2026, 3, 6, 10), at(2026, 3, 9, 9)) == eod(2026, 3, 17)


def test_pause_across_tet_only_counts_working_days(cal: WorkingCalendar) -> None:
    due = eod(2026, 2, 24)
    # 12 Feb to 23 Feb 2026: 13 Feb and 23 Feb are the only working days.
    assert cal.extend_for_pause(due, at(2026, 2, 12), at(2026, 2, 23)) == eod(2026, 2, 26)


def test_pause_in_calendar_days(cal: WorkingCalendar) -> None:
    due = eod(2026, 4, 1)
    assert cal.extend_for_pause(due, at(2026, 3, 3), at(2026, 3, 8), unit="calendar") == eod(2026, 4, 6)


def test_pause_rejects_resume_before_pause(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError):
        cal.extend_for_pause(eod(2026, 3, 16), at(2026, 3, 5), at(2026, 3, 4))


# -- progress ---------------------------------------------------------------------


def test_progress_fractions_skip_weekends(cal: WorkingCalendar) -> None:
    submitted = at(2026, 3, 6, 15)  # Friday afternoon
    due = cal.add_working_days(submitted, 5)  # Friday 13 Mar
    assert progress(submitted, due, at(2026, 3, 7, 12), cal) == 0.0  # weekend
    assert progress(submitted, due, at(2026, 3, 9, 0), cal) == 0.0
    assert progress(submitted, due, at(2026, 3, 10, 0), cal) == pytest.approx(0.2, abs=1e-4)
    assert progress(submitted, due, at(2026, 3, 11, 12), cal) == pytest.approx(0.5, abs=1e-4)
    assert progress(submitted, due, at(2026, 3, 13, 0), cal) == pytest.approx(0.8, abs=1e-4)
    assert progress(submitted, due, due, cal) == pytest.approx(1.0)
    # Overdue: the weekend after does not count, the next Monday does.
    assert progress(submitted, due, at(2026, 3, 15, 12), cal) == pytest.approx(1.0, abs=1e-4)
    assert progress(submitted, due, at(2026, 3, 16, 12), cal) > 1.05


def test_progress_stands_still_during_tet(cal: WorkingCalendar) -> None:
    submitted = at(2026, 2, 11, 10)  # Wednesday before Tết
    due = cal.add_working_days(submitted, 5)
    assert due == eod(2026, 2, 25)
    before = progress(submitted, due, at(2026, 2, 14), cal)
    after = progress(submitted, due, at(2026, 2, 22, 23), cal)
    assert before == pytest.approx(0.4, abs=1e-4)  # 12 and 13 Feb elapsed
    assert after == before


# -- configuration files ----------------------------------------------------------


def test_deadlines_yaml_loads_with_sources() -> None:
    routes = load_deadlines(DEPLOYMENT / "deadlines.yaml")
    assert set(routes) == ROUTES
    for name, route in routes.items():
        assert route.route == name
        assert route.source.strip()
        assert route.acknowledge_unit in ("working", "calendar")
        assert route.answer_unit in ("working", "calendar")
    for name in ("gop_y", "kien_nghi", "phan_anh"):
        r = routes[name]
        assert (r.acknowledge_days, r.acknowledge_unit, r.answer_days, r.answer_unit) == (
            5,
            "working",
            10,
            "working",
        )
        assert r.verify
    k = routes["khieu_nai"]
    assert (k.acknowledge_days, k.answer_days, k.answer_days + k.extension_days) == (10, 30, 45)
    t = routes["to_cao"]
    assert (t.acknowledge_days, t.acknowledge_unit, t.answer_days) == (7, "working", 30)
    assert (t.extension_days, t.max_extensions) == (30, 2)


def test_case_windows_load() -> None:
    windows = load_case_windows(DEPLOYMENT / "deadlines.yaml")
    assert windows.auto_close_after_days == 7
    assert windows.reopen_window_days == 30
    assert windows.source.strip()


def test_calendar_yaml_loads_with_notes() -> None:
    cal = load_calendar(DEPLOYMENT / "calendar.yaml")
    assert str(cal.tz) == "Asia/Ho_Chi_Minh"
    assert cal.notes and all(note.strip() for note in cal.notes.values())
    assert cal.is_working_day(date(2025, 4, 26))  # make-up Saturday
    assert not cal.is_working_day(date(2025, 5, 2))  # bridge day


def test_route_without_source_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "deadlines.yaml"
    path.write_text(
        "routes:\n  gop_y:\n    acknowledge: {days: 5, unit: working}\n    answer: {days: 10, unit: working}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="source"):
        load_deadlines(path)


def test_calendar_entry_without_note_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text("years:\n  2026:\n    workdays:\n      - date: 2026-10-10\n", encoding="utf-8")
    with pytest.raises(ValueError, match="note"):
        load_calendar(path)


def test_calendar_file_overrides_apply(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text(
        "years:\n  2026:\n"
        "    workdays:\n      - {date: 2026-10-10, note: 'test dispatch'}\n"
        "    days_off:\n      - {date: 2026-10-12, note: 'test dispatch'}\n",
        encoding="utf-8",
    )
    cal = load_calendar(path)
    assert cal.add_working_days(at(2026, 10, 9), 2) == eod(2026, 10, 13)
