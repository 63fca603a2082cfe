"""The working calendar as a table the statistics triggers can read (``working_day``: for each
local date, the working days from 1 January 2010 up to it), kept in step with the deployment's
calendar (``calendar.yaml``: holidays, swapped and extra days off): when they differ, the table is
rewritten and the answers' working days (``case_answer_days``) are recounted, in one transaction.

``ensure`` is cheap after the first call of a process (one primary-key read), and commits only
when it had to write, before the caller reads anything.
"""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

from sqlalchemy import delete, insert, text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.petitions.deadlines import WorkingCalendar
from storage.petitions.models import WorkingDay

__all__ = ["FIRST_DAY", "ensure", "expected"]

FIRST_DAY = date(2010, 1, 1)
YEARS_AHEAD = 5
_MIGRATION = Path(__file__).resolve().parents[1] / "migrations" / "versions" / "0010_case_stats_indexes.py"
_synced: dict[int, tuple[str, int]] = {}


def _migration() -> ModuleType:
    """The migration that defines the recount (one definition of the SQL, not two)."""
    spec = importlib.util.spec_from_file_location("stats_rollup_0010", _MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def expected(calendar: WorkingCalendar, today: date) -> list[tuple[str, int]]:
    """(date, working days since ``FIRST_DAY``) for every day up to ``YEARS_AHEAD`` years after today."""
    out, n, d = [], 0, FIRST_DAY
    last = date(today.year + YEARS_AHEAD, 12, 31)
    while d <= last:
        if d > FIRST_DAY and calendar.is_working_day(d):
            n += 1
        out.append((d.isoformat(), n))
        d += timedelta(days=1)
    return out


async def ensure(session: AsyncSession, calendar: WorkingCalendar, today: date) -> bool:
    """Make ``working_day`` match ``calendar``; True when it had to rewrite it (and recount)."""
    mark = _synced.get(id(calendar))
    if mark is not None:
        row = await session.get(WorkingDay, mark[0])
        if row is not None and row.n == mark[1]:
            return False
    want = expected(calendar, today)
    have = {d: n for d, n in await session.exec(select(WorkingDay.day, WorkingDay.n))}
    if have != dict(want):
        await session.exec(delete(WorkingDay))
        conn = await session.connection()
        await conn.execute(insert(WorkingDay.__table__), [{"day": d, "n": n} for d, n in want])  # type: ignore[attr-defined]
        pg = conn.dialect.name == "postgresql"
        for statement in _migration().days_backfill(pg):
            await conn.execute(text(statement))
        await session.commit()
        changed = True
    else:
        changed = False
    _synced[id(calendar)] = want[-1]
    return changed
