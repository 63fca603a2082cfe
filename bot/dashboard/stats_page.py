"""The statistics page (``GET /admin/stats?unit=&from=YYYY-MM&to=YYYY-MM``): a unit's petition
figures for a period of whole months — received, acknowledged and answered on time, median working
days to answer, overdue now, reopened, mean rating with its count — by kind, field, village and
month (a bar chart that is also a table) and the units ranked for the whole area's administrator.
Every other feature's figures are in the yearly assessment (``assessment_page``), which iterates
``APP.statistics``; this page stays on the petitions so it answers fast.

Charts are SVG drawn here from attributes (no script, no inline style: the strict CSP holds), inside
the table they illustrate, so a screen reader reads the numbers and the page prints as it shows.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import PermissionDenied
from bot.core.i18n import Translator, gettext
from bot.core.roles import CASE_READERS
from bot.dashboard.core import db, render, require_staff, state
from bot.dashboard.figures import MIN_ANSWERED, line, lines, number, ranked
from bot.dashboard.labels import ROUTE_LABELS, label
from bot.dashboard.periods import parse_period, pick_scope, presets, scopes_of
from storage import petitions
from storage.petitions.breakdown import Breakdown, breakdown
from storage.units.models import Unit

routes = web.RouteTableDef()


async def unit_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(sorted(ids))))
    return {i: n for i, n in rows if i is not None}


def view(b: Breakdown, names: dict[int, str], cfg: Any, locale: str) -> dict[str, Any]:
    t = Translator(locale)
    none = t("no village")
    by_route = lines(((r, label(ROUTE_LABELS, r, locale), v) for r, v in sorted(b.by_route.items())), locale)
    cats = {c.id: c.label(locale) for c in cfg.categories}
    by_category = lines(((c, cats.get(c, c), v) for c, v in sorted(b.by_category.items())), locale)
    villages = sorted(b.by_village.items(), key=lambda kv: (kv[0] is None, names.get(kv[0] or 0, "")))
    by_village = lines(((str(k or ""), names.get(k, none) if k else none, v) for k, v in villages), locale)
    by_month = lines(((m, f"{m[5:]}/{m[:4]}", b.by_month[m]) for m in b.months), locale)
    units = lines(((str(u), names.get(u, str(u)), v) for u, v in b.by_unit.items()), locale)
    top, unranked = ranked(units)
    return {
        "total": line("", "", b.total, locale),
        "median": number(b.median_days_to_answer, locale) if not b.total.small else None,
        "by_route": by_route,
        "by_category": by_category,
        "by_village": by_village,
        "by_month": by_month,
        "ranked": top,
        "unranked": unranked,
    }


@routes.get("/admin/stats")
async def stats(request: web.Request) -> web.StreamResponse:
    actor = await require_staff(request)
    if not actor.has(*CASE_READERS):
        raise PermissionDenied()
    services = state(request).services
    cfg = petitions.config_for(services)
    now = services.now()
    period = parse_period(request.query, cfg.calendar, now)
    async with db(request) as s:
        options = await scopes_of(s, actor.grants, services.deployment)
        scope = await pick_scope(s, options, request.query.get("unit"))
        b = await breakdown(s, cfg.calendar, scope.unit_ids, period.start, period.end, at=now)
        names = await unit_names(s, set(b.by_unit) | {v for v in b.by_village if v})
    loc = actor.locale
    where = scope.unit.name if scope.unit is not None else gettext(loc, "the whole area")
    return render(
        request,
        "stats/stats.html",
        actor,
        where=where,
        period=period,
        options=[("all" if u is None else str(u.id), u.name if u else gettext(loc, "the whole area")) for u in options],
        chosen="all" if scope.unit is None else scope.key,
        presets=presets(cfg.calendar, now),
        many_units=len(b.by_unit) > 1,
        min_answered=MIN_ANSWERED,
        **view(b, names, cfg, loc),
    )
