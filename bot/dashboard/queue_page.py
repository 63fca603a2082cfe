"""The queue page (``GET /admin/queue``): petitions of the actor's units with filters (status,
route, category, village, overdue, assigned to me), search by code or words, earliest due first,
keyset pages and a bounded count; bulk assignment (``POST /admin/queue/assign``) through the same
service as the chat's "Assign", petition by petition (a changed one is reported, not forced)."""

from __future__ import annotations

from aiohttp import web

from bot.core.errors import DomainError, PermissionDenied
from bot.core.i18n import Translator
from bot.core.roles import CASE_READERS, HANDLERS
from bot.dashboard.core import db, redirect, refuse, render, require_staff, state
from bot.dashboard.filters import choices, parse_after, parse_filter, query_of
from bot.dashboard.rows import rows_of
from storage import petitions
from storage.petitions.worklist import COUNT_CAP, colleagues, count_queue, work_queue

routes = web.RouteTableDef()
PAGE_SIZE = 25


@routes.get("/admin/queue")
async def queue(request: web.Request) -> web.StreamResponse:
    actor = await require_staff(request)
    if not actor.has(*CASE_READERS):
        raise PermissionDenied()
    services = state(request).services
    cfg = petitions.config_for(services)
    now = services.now()
    f = parse_filter(request.query, actor, cfg)
    async with db(request) as s:
        page = await work_queue(
            s, actor.grants, f, now=now, after=parse_after(request), page_size=PAGE_SIZE, code_prefix=cfg.code_prefix
        )
        total = await count_queue(s, actor.grants, f, now=now, code_prefix=cfg.code_prefix)
        rows = await rows_of(s, cfg, page.items, now=now, locale=actor.locale, tz=services.tz)
        opts = await choices(s, actor, cfg)
        unit_ids = [g.unit_id for g in actor.grants if g.unit_id is not None and g.role in HANDLERS]
        people = await colleagues(s, unit_ids) if actor.has(*HANDLERS) else []
    next_link = None
    if page.next_after is not None:
        due, last = page.next_after
        next_link = "/admin/queue?" + query_of(f, after=f"{due.isoformat()}_{last}")
    t = Translator(actor.locale)
    flash = None
    if "assigned" in request.query:
        done, failed = request.query.get("assigned", "0"), request.query.get("failed", "0")
        flash = t("{done} petitions assigned.", done=done)
        if failed not in ("", "0"):
            flash += " " + t("{failed} could not be assigned: they changed or you may not act on them.", failed=failed)
    return render(
        request,
        "queue.html",
        actor,
        f=f,
        rows=rows,
        total=total,
        capped=total > COUNT_CAP,
        cap=COUNT_CAP,
        opts=opts,
        next_link=next_link,
        first_link="/admin/queue?" + query_of(f) if request.query.get("after") else None,
        export_link="/admin/queue.csv?" + query_of(f),
        can_assign=actor.has(*HANDLERS) and bool(people),
        people=people,
        back="/admin/queue?" + query_of(f),
        flash=flash,
    )


@routes.post("/admin/queue/assign")
async def bulk_assign(request: web.Request) -> web.StreamResponse:
    actor = await require_staff(request)
    form = await request.post()
    assignee = str(form.get("assignee") or "")
    back = str(form.get("back") or "/admin/queue")
    if not back.startswith("/admin/queue") or "//" in back:
        back = "/admin/queue"
    picked = [str(v) for v in form.getall("pick", [])][:100]
    services = state(request).services
    cfg = petitions.config_for(services)
    done = failed = 0
    if assignee.isdigit():
        for item in picked:
            case_id, _, version = item.partition(":")
            if not case_id.isdigit() or not version.isdigit():
                failed += 1
                continue
            refused = False
            async with db(request) as s:
                try:
                    await petitions.assign(
                        s,
                        cfg,
                        int(case_id),
                        actor.person,
                        actor.grants,
                        assignee_id=int(assignee),
                        now=services.now(),
                        version=int(version),
                    )
                    await s.commit()
                    done += 1
                except DomainError as err:  # changed since the page was shown, not allowed, not found
                    await s.rollback()
                    refused = isinstance(err, PermissionDenied)
                    failed += 1
            if refused:
                await refuse(request, actor, case_id=int(case_id), attempted="assign")
    services.wake_outbox()
    sep = "&" if "?" in back else "?"
    return redirect(f"{back}{sep}assigned={done}&failed={failed}")
