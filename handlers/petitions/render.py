"""Officials' side of petitions: the queue (``queue``) and the case actions (``actions``).

This module holds what both use, and what /status uses too: rendering one case as plain text for a
given viewer (staff see the whole history and the deadline clock; residents see the public history)
and the buttons of the actions that viewer may take. Every user-supplied fragment goes into plain
text; channels escape it.
"""

from __future__ import annotations

from typing import Any

from bot.core.i18n import N_
from bot.core.messages import Button
from handlers.framework import Context
from handlers.people.profile import ROLE_NAMES
from storage import units
from storage import petitions
from storage.petitions.rules import BUTTON_PREFIX, OUTCOME_LABELS, ROUTE_LABELS, STATUS_LABELS
from storage.people.models import Person
from storage.people.permissions import OVERSIGHT_ROLES, STAFF_ROLES

QUEUE_ROLES = ("official", "unit_head", "district_admin", "inspector")
RESIDENT_PREFIX = "t"  # global buttons of the resident's own actions: "t:<action>:<case_id>"

STAFF_ACTION_LABELS = {
    "ack": N_("Acknowledge"),
    "start": N_("Start handling"),
    "resume": N_("Resume handling"),
    "info": N_("Ask for more information"),
    "reply": N_("Reply"),
    "resolve": N_("Answer and resolve"),
    "transfer": N_("Transfer"),
    "reject": N_("Reject as out of scope"),
    "assign": N_("Assign"),
    "reveal": N_("Reveal identity"),
    "extend": N_("Extend the deadline"),
    "note": N_("Internal note"),
}
RESIDENT_ACTION_LABELS = {
    "add_info": N_("Add information"),
    "withdraw": N_("Withdraw"),
    "rate": N_("Rate the answer"),
    "reopen": N_("Reopen"),
    "follow": N_("Follow"),
    "unfollow": N_("Stop following"),
}
EVENT_LABELS = {
    "submitted": N_("petition sent"),
    "acknowledge": N_("petition acknowledged"),
    "start": N_("handling started"),
    "request_info": N_("more information asked"),
    "resume": N_("handling resumed"),
    "reply": N_("reply from the ward"),
    "resolve": N_("petition answered"),
    "transfer": N_("petition transferred"),
    "reject": N_("petition declined"),
    "assign": N_("assigned to an official"),
    "extend": N_("deadline extended"),
    "note": N_("internal note"),
    "withdraw": N_("petition withdrawn"),
    "add_info": N_("information added"),
    "rate": N_("answer rated"),
    "reopen": N_("petition reopened"),
    "close": N_("petition closed"),
    "escalate": N_("escalated to the head of the unit"),
    "overdue": N_("deadline passed"),
    "follow": N_("another resident follows it"),
    "reveal": N_("identity revealed by the head of the unit"),
}


ACTOR_NAMES = {**ROLE_NAMES, "system": N_("automatic")}


def is_staff(ctx: Context) -> bool:
    return ctx.has_role(*STAFF_ROLES, *OVERSIGHT_ROLES)


def fmt_date(ctx: Context, dt: Any) -> str:
    return ctx.services.local(dt).strftime("%d/%m/%Y") if dt else ""


def fmt_time(ctx: Context, dt: Any) -> str:
    return ctx.services.local(dt).strftime("%d/%m/%Y %H:%M") if dt else ""


def status_text(ctx: Context, status: str) -> str:
    return ctx._(STATUS_LABELS.get(status, status))


def route_text(ctx: Context, route: str) -> str:
    return ctx._(ROUTE_LABELS.get(route, route))


async def unit_name(ctx: Context, unit_id: int | None) -> str:
    if not unit_id:
        return ""
    u = await units.get(ctx.session, unit_id)
    return u.name if u else ""


def deadline_lines(ctx: Context, case: Any) -> list[str]:
    """The deadline clock: due dates, days left or overdue, paused while waiting for the resident."""
    cfg = petitions.config_for(ctx.services)
    now = ctx.now
    lines = []
    if case.acknowledged_at is None and case.is_open:
        lines.append(ctx._("Acknowledge by: {date}", date=fmt_date(ctx, case.ack_due)))
    if case.is_open:
        if case.paused_at is not None:
            lines.append(ctx._("Answer by: {date} (clock paused: waiting for the resident)",
                               date=fmt_date(ctx, case.answer_due)))
        elif case.answer_due < now:
            late = cfg.calendar.working_days_between(case.answer_due, now)
            lines.append(ctx._("Answer by: {date} — OVERDUE ({n} working days late)",
                               date=fmt_date(ctx, case.answer_due), n=late))
        else:
            left = cfg.calendar.working_days_between(now, case.answer_due)
            lines.append(ctx._("Answer by: {date} ({n} working days left)", date=fmt_date(ctx, case.answer_due),
                               n=left))
    return lines


async def render_case(ctx: Context, view: Any) -> str:
    """One case (a ``petitions.CaseView``) as plain text for its viewer."""
    cfg = petitions.config_for(ctx.services)
    case, staff = view.case, view.role in ("handler", "inspector")
    lines = [ctx._("Petition {code}", code=case.code),
             ctx._("Kind: {value}", value=route_text(ctx, case.route)),
             ctx._("Topic: {value}", value=cfg.category_label(case.category, ctx.locale)),
             ctx._("Status: {value}", value=status_text(ctx, case.status)),
             ctx._("Sent on: {date}", date=fmt_date(ctx, case.created_at))]
    place = view.village_name or await unit_name(ctx, case.ward_id)
    if place:
        lines.append(ctx._("Place: {value}", value=place))
    if case.latitude is not None and case.longitude is not None:
        lines.append(ctx._("Location: {lat}, {lon}", lat=f"{case.latitude:.5f}", lon=f"{case.longitude:.5f}"))
    if staff:
        lines.append(ctx._("From: {value}", value=view.author_label))
        if view.identity and view.identity.get("phone"):
            lines.append(ctx._("Phone: {phone}", phone=view.identity["phone"]))
        lines.append(ctx._("Responsible unit: {value}", value=view.unit_name))
        if case.assignee_id:
            p = await ctx.session.get(Person, case.assignee_id)
            lines.append(ctx._("Assigned to: {value}", value=(p.display_name if p else "") or str(case.assignee_id)))
    lines += deadline_lines(ctx, case)
    lines += ["", ctx._("Description:"), case.description]
    if view.attachments:
        lines += ["", ctx._("Files: {count}", count=len(view.attachments))]
        lines += [f"• {f.kind} {f.file_name or ''} ({max(1, f.size // 1024)} KB)" for f in view.attachments]
    if case.answer_text:
        lines += ["", ctx._("Answer ({outcome}):", outcome=ctx._(OUTCOME_LABELS.get(case.outcome or "", "—"))),
                  case.answer_text]
    if case.rating:
        lines.append(ctx._("Rating: {stars}/5", stars=case.rating))
    if view.events:
        lines += ["", ctx._("History:")]
        for ev in view.events[-15:]:
            label = ctx._(EVENT_LABELS[ev.action]) if ev.action in EVENT_LABELS else ev.action
            line = f"• {fmt_time(ctx, ev.at)} — {label}"
            if staff and ev.actor_role:
                line += f" ({ctx._(ACTOR_NAMES.get(ev.actor_role, ev.actor_role))})"
            if ev.text:
                line += f": {ev.text}"
            lines.append(line)
    return "\n".join(lines)


def action_buttons(ctx: Context, case: Any, allowed: list[str]) -> list[list[Button]]:
    """Buttons for the actions this viewer may take; staff buttons carry the version they saw."""
    out: list[Button] = []
    for a in allowed:
        if a in STAFF_ACTION_LABELS:
            data = f"{BUTTON_PREFIX}:{a}:{case.id}:{case.version}"
            out.append(Button(ctx._(STAFF_ACTION_LABELS[a]), data))
        elif a in RESIDENT_ACTION_LABELS:
            out.append(Button(ctx._(RESIDENT_ACTION_LABELS[a]), f"{RESIDENT_PREFIX}:{a}:{case.id}"))
    return [out[i:i + 2] for i in range(0, len(out), 2)]


async def show_case(ctx: Context, code_or_id: str | int) -> None:
    """Show a case to whoever may see it (NotFound otherwise, the same as for no such case)."""
    grants = list(ctx.roles)
    cfg = petitions.config_for(ctx.services)
    access = await petitions.visible_case(ctx.session, code_or_id, ctx.person, grants, prefix=cfg.code_prefix)
    view = await petitions.case_view(ctx.session, cfg, access, grants, now=ctx.now, locale=ctx.locale)
    ctx.say(await render_case(ctx, view), action_buttons(ctx, access.case, view.actions))
