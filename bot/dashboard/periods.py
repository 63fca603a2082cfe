"""Periods and scopes of the statistics pages: whole local months (``?from=2026-01&to=2026-06``,
the current year so far by default, a few presets), and the units a staff member may look at
(their units and, for the whole area's administrator, every commune and the whole area)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from multidict import MultiMapping
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound
from bot.core.i18n import N_
from bot.core.roles import CASE_READERS, Role
from storage import units
from storage.people.models import RoleGrant
from storage.petitions.breakdown import month_bounds
from storage.petitions.deadlines import WorkingCalendar
from storage.units.models import Unit

__all__ = ["MAX_MONTHS", "Period", "Scope", "parse_period", "presets", "scopes_of"]

MAX_MONTHS = 36
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    """Local months ``first``..``last`` (inclusive), as ``[start, end)``."""

    first: str
    last: str
    start: datetime
    end: datetime

    @property
    def months(self) -> int:
        (y1, m1), (y2, m2) = ((int(p) for p in x.split("-")) for x in (self.first, self.last))
        return (y2 - y1) * 12 + m2 - m1 + 1

    def label(self) -> str:
        def show(m: str) -> str:
            y, mm = m.split("-")
            return f"{mm}/{y}"

        return show(self.first) if self.first == self.last else f"{show(self.first)} – {show(self.last)}"


def _month(value: str | None) -> str | None:
    m = _MONTH.match(value or "")
    if m is None or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
        return None
    return value


def _shift(month: str, by: int) -> str:
    y, m = (int(p) for p in month.split("-"))
    n = y * 12 + (m - 1) + by
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def make_period(calendar: WorkingCalendar, first: str, last: str) -> Period:
    start, end = month_bounds(calendar, first, last)
    return Period(first, last, start, end)


def parse_period(q: MultiMapping[str], calendar: WorkingCalendar, now: datetime) -> Period:
    """``?from=&to=`` (months); anything missing or wrong falls back to this year so far."""
    local = now.astimezone(calendar.tz)
    this = f"{local.year:04d}-{local.month:02d}"
    first = _month(q.get("from")) or f"{local.year:04d}-01"
    last = _month(q.get("to")) or this
    if last < first:
        first, last = last, first
    if make_period(calendar, first, last).months > MAX_MONTHS:
        first = _shift(last, -(MAX_MONTHS - 1))
    return make_period(calendar, first, last)


def presets(calendar: WorkingCalendar, now: datetime) -> list[tuple[str, str, str]]:
    """(message id, from, to) of the periods offered as links."""
    local = now.astimezone(calendar.tz)
    this = f"{local.year:04d}-{local.month:02d}"
    return [
        (N_("This month"), this, this),
        (N_("Last month"), _shift(this, -1), _shift(this, -1)),
        (N_("This year"), f"{local.year:04d}-01", this),
        (N_("Last year"), f"{local.year - 1:04d}-01", f"{local.year - 1:04d}-12"),
        (N_("Last 12 months"), _shift(this, -11), this),
    ]


@dataclass(frozen=True)
class Scope:
    """A unit the actor may look at (None: the whole area) and the ids it covers."""

    unit: Unit | None
    unit_ids: tuple[int, ...] | None

    @property
    def key(self) -> str:
        return "" if self.unit is None else str(self.unit.id)


async def scopes_of(session: AsyncSession, grants: Sequence[RoleGrant], deployment: str) -> list[Unit | None]:
    """The units offered in the unit choice: the actor's units of the case readers' roles, and for
    an area administrator the whole area (None) and every commune."""
    out: list[Unit | None] = []
    for g in grants:
        role, unit_id = g.role, g.unit_id
        if role == Role.DISTRICT_ADMIN:
            out = [None, *await units.current_communes(session, deployment)]
            break
        if role in CASE_READERS and unit_id is not None:
            unit = await session.get(Unit, unit_id)
            if unit is not None and all(u is None or u.id != unit.id for u in out):
                out.append(unit)
    return out


async def pick_scope(session: AsyncSession, options: list[Unit | None], wanted: str | None) -> Scope:
    """The scope ``?unit=`` names among ``options`` (the first by default); ``NotFound`` for a unit
    the actor may not look at — the same answer as for a unit that does not exist."""
    if not options:
        raise NotFound()
    chosen: Unit | None
    if wanted:
        matches = [u for u in options if (u is None and wanted == "all") or (u is not None and str(u.id) == wanted)]
        if not matches:
            raise NotFound()
        chosen = matches[0]
    else:
        chosen = options[0]
    if chosen is None or chosen.id is None:
        return Scope(None, None)
    return Scope(chosen, tuple(await units.descendant_ids(session, chosen.id)))
