"""Notices and campaigns (``GET /admin/reports``): each notice's and campaign's delivery report —
queued, sent, failed, unreachable, waiting, seen — per channel and per village of the recipients
(``/admin/reports/notice/<id>``, ``/admin/reports/campaign/<id>``), and the quiz results per
village. For the staff who address residents (village heads, officials, unit heads, the area's
administrator), each for the units they may send to; anyone else gets the same 404 as for nothing."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound, PermissionDenied
from bot.core.i18n import gettext
from bot.core.roles import NOTICE_SENDERS
from bot.dashboard.core import Actor, db, render, require_staff, state
from bot.dashboard.figures import number
from bot.dashboard.labels import fmt_time
from bot.dashboard.stats_page import unit_names
from storage.learning import queries as learning
from storage.learning.models import Campaign
from storage.learning.permissions import quiz_results_scope
from storage.notices.permissions import can_send_notice_to
from storage.notices.reports import DELIVERY_STATES, Delivery, delivery, managed_notices, notice_delivery

routes = web.RouteTableDef()

CHANNELS = {"telegram": "Telegram", "zalo": "Zalo", "web": "Web chat"}


async def _campaigns(session: AsyncSession, actor: Actor) -> list[Campaign]:
    out = []
    for c in await learning.all_campaigns(session):
        for uid in c.unit_ids:
            if await can_send_notice_to(session, actor.grants, uid):
                out.append(c)
                break
    return out


def _rows(table: dict[Any, dict[str, int]], names: dict[Any, str], seen: dict[Any, int] | None) -> list[dict[str, Any]]:
    rows = []
    for key, counts in sorted(table.items(), key=lambda kv: names.get(kv[0], str(kv[0]))):
        rows.append(
            {
                "name": names.get(key, str(key)),
                "counts": [counts.get(s, 0) for s in DELIVERY_STATES],
                "seen": None if seen is None else seen.get(key, 0),
            }
        )
    return rows


async def _require(request: web.Request) -> Actor:
    actor = await require_staff(request)
    if not actor.has(*NOTICE_SENDERS):
        raise PermissionDenied()
    return actor


@routes.get("/admin/reports")
async def reports(request: web.Request) -> web.StreamResponse:
    actor = await _require(request)
    services = state(request).services
    async with db(request) as s:
        notices = await managed_notices(s, actor.grants)
        summary = [(n, (await delivery(s, "notice", n.id or 0)).total()) for n in notices]
        campaigns = await _campaigns(s, actor)
        camp = [(c, (await delivery(s, "campaign", c.id or 0)).total()) for c in campaigns]
        scope = await quiz_results_scope(s, actor.grants)
        quiz = await learning.village_stats(s, scope)
        names = await unit_names(s, {q.unit_id for q in quiz if q.unit_id})
    loc = actor.locale
    none = gettext(loc, "no village")
    return render(
        request,
        "reports/reports.html",
        actor,
        states=DELIVERY_STATES,
        notices=[(n, fmt_time(n.sent_at or n.send_at, services.tz, loc), t) for n, t in summary],
        campaigns=camp,
        quiz=[
            (
                names.get(q.unit_id, none) if q.unit_id else none,
                q.residents,
                q.answered,
                q.correct,
                f"{number(100 * q.correct / q.answered, loc)} %" if q.answered else "—",
            )
            for q in quiz
        ],
    )


async def _detail(request: web.Request, kind: str) -> web.StreamResponse:
    actor = await _require(request)
    raw = request.match_info["id"]
    if not raw.isdigit():
        raise NotFound()
    async with db(request) as s:
        if kind == "notice":
            notice, report = await notice_delivery(s, actor.grants, int(raw))
            title = notice.text[:80]
        else:
            camp = [c for c in await _campaigns(s, actor) if c.id == int(raw)]
            if not camp:
                raise NotFound()
            report, title = await delivery(s, "campaign", int(raw)), camp[0].name
        names: dict[Any, str] = await unit_names(s, {v for v in report.by_village if v})
    return _render_detail(request, actor, kind, title, report, names)


def _render_detail(
    request: web.Request, actor: Actor, kind: str, title: str, report: Delivery, names: dict[Any, str]
) -> web.StreamResponse:
    names[None] = gettext(actor.locale, "no village")
    seen = report.seen_by_village if kind == "notice" else None
    return render(
        request,
        "reports/delivery.html",
        actor,
        kind=kind,
        title=title,
        states=DELIVERY_STATES,
        total=report.total(),
        by_channel=_rows(report.by_channel, dict(CHANNELS), None),
        by_village=_rows(report.by_village, names, seen),
        with_seen=seen is not None,
    )


@routes.get("/admin/reports/notice/{id}")
async def notice_report(request: web.Request) -> web.StreamResponse:
    return await _detail(request, "notice")


@routes.get("/admin/reports/campaign/{id}")
async def campaign_report(request: web.Request) -> web.StreamResponse:
    return await _detail(request, "campaign")
