"""The petition page (``GET /admin/case/<code>``): facts, text, attachments (images inline, other
files downloadable, ``GET /admin/case/<code>/file/<id>``), the resident's rating, the timeline,
and a form for every action the viewer may take now (``POST /admin/case/<code>/act``), run by the
same services as the chat's buttons with the same version check: an official acting on a
petition somebody changed meanwhile is told so and shown it as it is now.

Visibility is the chat's: handlers and inspectors of the responsible unit see it; for anyone else
(another ward's official) it is 404, the same page as for a code that does not exist, and the
refusal is audited with the petition's unit. A denouncer's identity is "[bảo mật]" here; the head
of the unit now responsible may reveal it with a reason (audited), shown once on the answer to
that request, never in an address.
"""

from __future__ import annotations

import asyncio
import mimetypes
from typing import Any

from aiohttp import web
from sqlmodel import col, select

from bot.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from bot.core.i18n import Translator
from bot.dashboard.actions import ACTION_ORDER, DONE, perform
from bot.dashboard.core import Actor, db, redirect, refuse, render, require_staff, state
from bot.dashboard.labels import ACTION_LABELS, OUTCOME_LABELS, ROUTE_LABELS, STATUS_LABELS, fmt_date, fmt_time, label
from bot.dashboard.timeline import timeline
from storage import petitions
from storage.petitions.errors import InvalidTransition, MalformedCode
from storage.petitions.models import Case, CaseAttachment
from storage.petitions.rules import OUTCOMES, CaseAction
from storage.petitions.worklist import colleagues
from storage.units.models import COMMUNE_LEVEL, Unit

routes = web.RouteTableDef()
A = CaseAction


async def _access(request: web.Request, actor: Actor) -> petitions.CaseAccess:
    """The petition of the address if the actor reads it as staff; 404 otherwise (audited when it
    exists outside their scope)."""
    cfg = petitions.config_for(state(request).services)
    code = request.match_info["code"]
    async with db(request) as s:
        try:
            access = await petitions.visible_case(s, code, actor.person, actor.grants, prefix=cfg.code_prefix)
        except (NotFound, MalformedCode):
            access = None
        unit_id = None
        if access is None or not access.staff:
            try:
                canonical = petitions.parse_code(code, cfg.code_prefix)
            except MalformedCode:
                canonical = None
            found = (await s.exec(select(Case).where(Case.code == canonical))).first() if canonical else None
            unit_id = found.unit_id if found is not None else None
    if access is None or not access.staff:
        if unit_id is not None:
            await refuse(request, actor, unit_id=unit_id, code=code[:30], reason="out_of_scope")
        raise NotFound()
    return access


async def _page(
    request: web.Request,
    actor: Actor,
    *,
    flash: str | None = None,
    flash_kind: str = "ok",
    status: int = 200,
    identity: petitions.IdentityView | None = None,
    prefill: dict[str, str] | None = None,
) -> web.Response:
    services = state(request).services
    cfg = petitions.config_for(services)
    access = await _access(request, actor)
    now = services.now()
    tz, loc = services.tz, actor.locale
    async with db(request) as s:
        loaded = await s.get(Case, access.case.id)
        if loaded is None:
            raise NotFound()
        access = petitions.CaseAccess(loaded, access.role)
        view = await petitions.case_view(s, cfg, access, actor.grants, now=now, locale=loc)
        entries = await timeline(s, view.events, locale=loc, tz=tz)
        case = view.case
        people = await colleagues(s, [case.unit_id]) if A.ASSIGN in view.actions else []
        units: list[tuple[int, str]] = []
        if A.TRANSFER in view.actions:
            uq = (
                select(Unit.id, Unit.name)
                .where(col(Unit.kind).in_(COMMUNE_LEVEL), col(Unit.valid_to).is_(None), col(Unit.id) != case.unit_id)
                .order_by(col(Unit.name))
            )
            units = [(i, n) for i, n in await s.exec(uq) if i is not None]
    t = Translator(loc)
    templates = cfg.answer_templates(case.category, loc) if view.role == "handler" else []
    actions = [a for a in ACTION_ORDER if a in view.actions]
    return render(
        request,
        "case.html",
        actor,
        status=status,
        view=view,
        case=case,
        route=label(ROUTE_LABELS, case.route, loc),
        category=cfg.category_label(case.category, loc),
        status_label=label(STATUS_LABELS, case.status, loc),
        outcome=label(OUTCOME_LABELS, case.outcome, loc),
        received=fmt_time(case.created_at, tz, loc),
        ack_due=fmt_date(case.ack_due, tz, loc),
        answer_due=fmt_date(case.answer_due, tz, loc),
        answered=fmt_time(case.answered_at, tz, loc),
        rated=fmt_date(case.rated_at, tz, loc),
        entries=entries,
        images=[a for a in view.attachments if a.kind == "photo"],
        files=[a for a in view.attachments if a.kind != "photo"],
        actions=actions,
        action_labels={a: t(ACTION_LABELS[a]) for a in actions},
        templates=templates,
        outcomes=[(o, label(OUTCOME_LABELS, o, loc)) for o in OUTCOMES],
        people=people,
        units=units,
        identity=identity,
        prefill=prefill or {},
        read_only=view.role != "handler",
        flash=flash,
        flash_kind=flash_kind,
    )


@routes.get("/admin/case/{code}")
async def case_page(request: web.Request) -> web.StreamResponse:
    actor = await require_staff(request)
    done = request.query.get("done", "")
    flash = None
    if done in {a.value for a in DONE}:
        flash = Translator(actor.locale)(DONE[A(done)])
    prefill: dict[str, str] = {}
    tpl, target = request.query.get("template", ""), request.query.get("for", "")
    if tpl.isdigit() and target in (A.REPLY.value, A.RESOLVE.value):
        prefill = {"template": tpl, "for": target}
    return await _page(request, actor, flash=flash, prefill=prefill)


def _form_value(form: Any, name: str, limit: int = 4000) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


@routes.post("/admin/case/{code}/act")
async def act(request: web.Request) -> web.StreamResponse:
    actor = await require_staff(request)
    access = await _access(request, actor)
    form = await request.post()
    t = Translator(actor.locale)
    try:
        action = A(_form_value(form, "action", 40))
    except ValueError:
        raise NotFound() from None
    version_raw = _form_value(form, "version", 12)
    version = int(version_raw) if version_raw.isdigit() else None
    services = state(request).services
    assert access.case.id is not None
    try:
        async with db(request) as s:
            identity = await perform(
                s,
                petitions.config_for(services),
                action,
                access.case.id,
                actor,
                form,
                version=version,
                now=services.now(),
            )
            await s.commit()
    except (Conflict, InvalidTransition):
        return await _page(
            request,
            actor,
            status=409,
            flash_kind="warn",
            flash=t("Another official changed this petition while you were writing. Here it is now; nothing was sent."),
        )
    except PermissionDenied:
        await refuse(request, actor, unit_id=access.case.unit_id, code=access.case.code, attempted=action.value)
        raise
    except DomainError as err:
        if isinstance(err, NotFound):
            raise
        return await _page(request, actor, status=400, flash_kind="bad", flash=t(err.msgid, **err.params))
    services.wake_outbox()
    if identity is not None:
        return await _page(request, actor, identity=identity, flash=t(DONE[A.REVEAL]))
    return redirect(f"/admin/case/{access.case.code}?done={action.value}")


@routes.get("/admin/case/{code}/file/{file_id:\\d+}")
async def attachment(request: web.Request) -> web.StreamResponse:
    actor = await require_staff(request)
    access = await _access(request, actor)
    cfg = petitions.config_for(state(request).services)
    async with db(request) as s:
        att = await s.get(CaseAttachment, int(request.match_info["file_id"]))
    if att is None or att.case_id != access.case.id:
        raise NotFound()
    store = petitions.get_store(cfg)
    try:
        data = await asyncio.to_thread(store.get, att.storage_key)
    except (OSError, ValueError):
        raise NotFound() from None
    mime = att.mime_type or mimetypes.guess_type(att.file_name or "")[0] or "application/octet-stream"
    inline = mime in ("image/jpeg", "image/png", "image/webp", "image/gif")
    name = (att.file_name or f"{access.case.code}-{att.id}").replace('"', "")
    disposition = "inline" if inline else f"attachment; filename*=UTF-8''{_quote(name)}"
    return web.Response(
        body=data,
        content_type=mime if inline else "application/octet-stream",
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
