"""The yearly assessment (Resolution 18/NQ-HĐND, item 2c: the yearly review of each unit's practice
of grassroots democracy, a basis for assessing the unit and its officials): ``GET
/admin/assessment?year=2026`` — one table for the year with a row per ward: every figure every
feature registers (``APP.statistics``: petitions, residents, notices, lessons, and later features
as they come), what each figure means, printable on A4 and as CSV (``/admin/assessment.csv``,
UTF-8 with BOM so Excel shows Vietnamese). A ward with fewer than 5 answered petitions shows
counts instead of the petitions' shares, medians and means.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import PermissionDenied
from bot.core.i18n import gettext
from bot.core.roles import CASE_READERS
from bot.dashboard.core import Actor, db, render, require_staff, state
from bot.dashboard.figures import Line, line, number
from bot.dashboard.periods import make_period, scopes_of
from handlers.features import APP
from handlers.framework.manifest import Figure, StatsScope
from storage import petitions, units
from storage.petitions.breakdown import tally

routes = web.RouteTableDef()

# Petition figures that are shares, medians or means: counts only for a ward with few answers.
_SHARES = {
    "petitions.acknowledged_on_time": "ack_on_time",
    "petitions.answered_on_time": "on_time",
    "petitions.reopened": "reopened",
    "petitions.rating_mean": None,
    "petitions.median_days_to_answer": None,
}


@dataclass(frozen=True)
class WardRow:
    name: str
    code: str
    cells: list[str]
    raw: list[int | float | None]
    small: bool


def _cell(f: Figure, petition_line: Line, locale: str) -> tuple[str, int | float | None]:
    if petition_line.small and f.key in _SHARES:
        attr = _SHARES[f.key]
        return (getattr(petition_line, attr) if attr else "—"), None
    if isinstance(f.value, float) and (f.key.endswith("_rate")):
        return f"{number(100 * f.value, locale)} %", round(100 * f.value, 1)
    if isinstance(f.value, float) and f.key.endswith(("_on_time", ".reopened")):
        return f"{number(f.value, locale)} %", f.value
    return number(f.value, locale, 2 if f.key.endswith("rating_mean") else 1), f.value


async def assessment_rows(
    session: AsyncSession, services: Any, actor: Actor, year: int
) -> tuple[list[Figure], list[WardRow]]:
    """The figures (for the header and their meaning) and one row per ward the actor may see,
    with the whole area last for its administrator."""
    cfg = petitions.config_for(services)
    period = make_period(cfg.calendar, f"{year:04d}-01", f"{year:04d}-12")
    now = services.now()
    end = period.end  # whole months: the petitions' figures come from the rollup (overdue is "now")
    options = await scopes_of(session, actor.grants, services.deployment)
    wards = [u for u in options if u is not None]
    if None in options:
        wards.append(None)  # type: ignore[arg-type]
    figures: list[Figure] = []
    rows: list[WardRow] = []
    for w in wards:
        ids = None if w is None else tuple(await units.descendant_ids(session, w.id or 0))
        figs = await APP.statistics(session, StatsScope(ids, period.start, end, services.deployment_dir))
        t, _ = await tally(session, cfg.calendar, ids, period.start, period.end, at=now)
        pl = line("", "", t, actor.locale)
        figures = figures or figs
        cells = [_cell(f, pl, actor.locale) for f in figs]
        name = w.name if w is not None else gettext(actor.locale, "The whole area")
        rows.append(WardRow(name, w.code if w else "", [c for c, _ in cells], [r for _, r in cells], t.small))
    return figures, rows


def _year(request: web.Request, now_year: int) -> int:
    raw = request.query.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= now_year else now_year


async def _load(request: web.Request) -> tuple[Actor, int, list[Figure], list[WardRow]]:
    actor = await require_staff(request)
    if not actor.has(*CASE_READERS):
        raise PermissionDenied()
    services = state(request).services
    now_year = services.local(services.now()).year
    year = _year(request, now_year)
    async with db(request) as s:
        figures, rows = await assessment_rows(s, services, actor, year)
    return actor, year, figures, rows


@routes.get("/admin/assessment")
async def assessment(request: web.Request) -> web.StreamResponse:
    actor, year, figures, rows = await _load(request)
    services = state(request).services
    now_year = services.local(services.now()).year
    loc = actor.locale
    return render(
        request,
        "assessment/assessment.html",
        actor,
        year=year,
        years=list(range(now_year, now_year - 4, -1)),
        heads=[gettext(loc, f.label) for f in figures],
        meanings=[(gettext(loc, f.label), gettext(loc, f.explain) if f.explain else "") for f in figures],
        rows=rows,
        any_small=any(r.small for r in rows),
    )


@routes.get("/admin/assessment.csv")
async def assessment_csv(request: web.Request) -> web.StreamResponse:
    actor, year, figures, rows = await _load(request)
    loc = actor.locale
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(
        [gettext(loc, "Unit"), gettext(loc, "Code"), gettext(loc, "Fewer than 5 answers")]
        + [gettext(loc, f.label) for f in figures]
    )
    for r in rows:
        out.writerow([r.name, r.code, "x" if r.small else ""] + ["" if v is None else v for v in r.raw])
    body = "\ufeff" + buf.getvalue()
    return web.Response(
        body=body.encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="danh-gia-{year}.csv"'},
    )
