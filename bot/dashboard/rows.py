"""A page of petitions made ready for a table or a CSV file: names of units, villages and
assignees in one query per page, labels in the actor's language, due dates and days overdue in the
deployment's calendar. Only fields every reader of the queue may see: no author, no identity."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dashboard.labels import ROUTE_LABELS, STATUS_LABELS, fmt_date, label
from storage.people.models import Person
from storage.petitions.config import CasesConfig
from storage.petitions.models import Case
from storage.units.models import Unit

__all__ = ["Row", "rows_of"]


@dataclass(frozen=True)
class Row:
    id: int
    code: str
    version: int
    route: str
    category: str
    unit: str
    village: str
    status: str
    status_key: str
    received: str
    acknowledged: str
    answered: str
    closed: str
    due: str
    days_overdue: int
    due_soon: bool
    rating: int | None
    assignee: str
    paused: bool


async def _unit_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    q = select(Unit.id, Unit.name).where(col(Unit.id).in_(ids))
    return {i: n for i, n in await session.exec(q) if i is not None}


async def _person_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    q = select(Person.id, Person.display_name).where(col(Person.id).in_(ids))
    return {i: n or "" for i, n in await session.exec(q) if i is not None}


async def rows_of(
    session: AsyncSession,
    cfg: CasesConfig,
    cases: Iterable[Case],
    *,
    now: datetime,
    locale: str,
    tz: ZoneInfo,
    date_locale: str | None = None,
) -> list[Row]:
    """``date_locale``: how dates are written ("en": ISO, for files), the labels' locale by default."""
    cases = list(cases)
    dl = date_locale or locale
    units = await _unit_names(session, {c.unit_id for c in cases} | {c.village_id for c in cases if c.village_id})
    people = await _person_names(session, {c.assignee_id for c in cases if c.assignee_id})
    out = []
    for c in cases:
        assert c.id is not None
        running = c.is_open and c.paused_at is None
        # Calendar days past the answer date, a started day counting as one (what a resident would count).
        overdue_days = -(-(now - c.answer_due) // timedelta(days=1)) if running and now > c.answer_due else 0
        out.append(
            Row(
                id=c.id,
                code=c.code,
                version=c.version,
                route=label(ROUTE_LABELS, c.route, locale),
                category=cfg.category_label(c.category, locale),
                unit=units.get(c.unit_id, ""),
                village=units.get(c.village_id, "") if c.village_id else "",
                status=label(STATUS_LABELS, c.status, locale),
                status_key=c.status,
                received=fmt_date(c.created_at, tz, dl),
                acknowledged=fmt_date(c.acknowledged_at, tz, dl),
                answered=fmt_date(c.answered_at, tz, dl),
                closed=fmt_date(c.closed_at, tz, dl),
                due=fmt_date(c.answer_due, tz, dl),
                days_overdue=overdue_days,
                due_soon=running and not overdue_days and (c.answer_due - now).days < 3,
                rating=c.rating,
                assignee=people.get(c.assignee_id, "") if c.assignee_id else "",
                paused=c.paused_at is not None,
            )
        )
    return out
