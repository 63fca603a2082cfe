"""Every feature's dashboard sections (``APP.dashboard``, from the manifests), rendered generically:
``GET /admin/f/<slug>`` lists, ``GET /admin/f/<slug>/<id>`` shows one item. The section checks the
actor's grants row by row (role AND unit); this page refuses anyone without one of the section's
roles (403) and answers an unknown section, an unknown id or an item out of scope with the 404 page
of nothing. No feature is named here."""

from __future__ import annotations

from aiohttp import web

from bot.core.errors import NotFound, PermissionDenied
from bot.dashboard.core import Actor, db, render, require_staff, state
from handlers.features import APP
from handlers.framework.sections import DashboardSection, SectionScope

routes = web.RouteTableDef()

SECTIONS: dict[str, DashboardSection] = {s.slug: s for s in APP.dashboard}


async def _open(request: web.Request) -> tuple[Actor, DashboardSection, SectionScope]:
    actor = await require_staff(request)
    section = SECTIONS.get(request.match_info["slug"])
    if section is None:
        raise NotFound()
    if not actor.has(*section.roles):
        raise PermissionDenied()
    services = state(request).services
    return (
        actor,
        section,
        SectionScope(tuple(actor.grants), actor.locale, services.now(), services.tz, services.deployment_dir),
    )


@routes.get("/admin/f/{slug}")
async def section_list(request: web.Request) -> web.StreamResponse:
    actor, section, scope = await _open(request)
    async with db(request) as s:
        tables = await section.rows(s, scope)
    return render(request, "feature/list.html", actor, section=section, tables=tables)


@routes.get("/admin/f/{slug}/{id}")
async def section_detail(request: web.Request) -> web.StreamResponse:
    actor, section, scope = await _open(request)
    raw = request.match_info["id"]
    if section.detail is None or not raw.isdigit() or len(raw) > 12:
        raise NotFound()
    async with db(request) as s:
        item = await section.detail(s, scope, int(raw))
    return render(request, "feature/detail.html", actor, section=section, item=item)
