"""Officials' side of petitions: the queue (``queue``) and the case actions (``actions``).

This module holds what both use, and what /status uses too: rendering one case as plain text for a
given viewer (staff see the whole history and the deadline clock; residents see the public history)
and the buttons of the actions that viewer may take. Every user-supplied fragment goes into plain
text; channels escape it.
"""

from __future__ import annotations

from typing import Any

from bot.core.messages import Button
from bot.core.roles import CASE_READERS
from handlers.framework import Context
from handlers.petitions.buttons import resident_data, staff_data
from handlers.petitions.labels import (
    ACTION_LABELS,
    ACTOR_NAMES,
    EVENT_LABELS,
    OUTCOME_LABELS,
    ROUTE_LABELS,
    STATUS_LABELS,
)
from storage import petitions, units
from storage.people.models import Person
from storage.petitions.rules import RESIDENT_ACTIONS, CaseAction


def is_staff(ctx: Context) -> bool:
    return ctx.has_role(*CASE_READERS)


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
            lines.append(
                ctx._("Answer by: {date} (clock paused: waiting for the resident)", date=fmt_date(ctx, case.answer_due))
            )
        elif case.answer_due < now:
            late = cfg.calendar.working_days_between(case.answer_due, now)
            lines.append(
                ctx._(
                    "Answer by: {date} — OVERDUE ({n} working days late)", date=fmt_date(ctx, case.answer_due), n=late
                )
            )
        else:
            left = cfg.calendar.working_days_between(now, case.answer_due)
            lines.append(
                ctx._("Answer by: {date} ({n} working days left)", date=fmt_date(ctx, case.answer_due), n=left)
            )
    return lines


async def render_case(ctx: Context, view: Any) -> str:
    """One case (a ``petitions.CaseView``) as plain text for its viewer."""
    cfg = petitions.config_for(ctx.services)
    case, staff = view.case, view.role in ("handler", "inspector")
    lines = [
        ctx._("Petition {code}", code=case.code),
        ctx._("Kind: {value}", value=route_text(ctx, case.route)),
        ctx._("Topic: {value}", value=cfg.category_label(case.category, ctx.locale)),
        ctx._("Status: {value}", value=status_text(ctx, case.status)),
        ctx._("Sent on: {date}", date=fmt_date(ctx, case.created_at)),
    ]
    place = view.village_name or await unit_name(ctx, case.ward_id)
    if place:
        lines.append(ctx._("Place: {value}", value=place))
    if case.latitude is not None and case.longitude is not None and not view.public_only:
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
    if view.description is not None:
        lines += ["", ctx._("Description:"), view.description]
    else:
        lines += ["", ctx._("Only the officials handling it read its text: its author did not agree to publish it.")]
    if view.attachments:
        lines += ["", ctx._("Files: {count}", count=len(view.attachments))]
        lines += [f"• {f.kind} {f.file_name or ''} ({max(1, f.size // 1024)} KB)" for f in view.attachments]
    if view.answer:
        lines += [
            "",
            ctx._("Answer ({outcome}):", outcome=ctx._(OUTCOME_LABELS.get(case.outcome or "", "—"))),
            view.answer,
        ]
    if case.rating and not view.public_only:
        lines.append(ctx._("Rating: {stars}/5", stars=case.rating))
    if view.events:
        lines += ["", ctx._("History:")]
        for ev in view.events[-15:]:
            label = ctx._(EVENT_LABELS[ev.action]) if ev.action in EVENT_LABELS else ev.action
            line = f"• {fmt_time(ctx, ev.at)} — {label}"
            if staff and ev.actor_role:
                line += f" ({ctx._(ACTOR_NAMES.get(ev.actor_role, ev.actor_role))})"
            if ev.text and not view.public_only:
                line += f": {ev.text}"
            lines.append(line)
    return "\n".join(lines)


def action_buttons(ctx: Context, case: Any, allowed: list[CaseAction]) -> list[list[Button]]:
    """Buttons for the actions this viewer may take; staff buttons carry the version they saw."""
    out: list[Button] = []
    for a in allowed:
        if a not in ACTION_LABELS:
            continue
        data = resident_data(a, case.code) if a in RESIDENT_ACTIONS else staff_data(a, case, case.version)
        out.append(Button(ctx._(ACTION_LABELS[a]), data))
    return [out[i : i + 2] for i in range(0, len(out), 2)]


async def show_case(ctx: Context, code_or_id: str | int) -> None:
    """Show a case to whoever may see it (NotFound otherwise, the same as for no such case)."""
    grants = list(ctx.roles)
    cfg = petitions.config_for(ctx.services)
    access = await petitions.visible_case(ctx.session, code_or_id, ctx.person, grants, prefix=cfg.code_prefix)
    view = await petitions.case_view(ctx.session, cfg, access, grants, now=ctx.now, locale=ctx.locale)
    ctx.say(await render_case(ctx, view), action_buttons(ctx, access.case, view.actions))
