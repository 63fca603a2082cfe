"""Officials' actions on one petition, from any message (notifications, the queue, /status):
global buttons ``c:<action>:<case_id>[:<version>]``.

Each action checks permission through the domain services (the button proves nothing). One-tap
actions (acknowledge, start) act at once; the others ask for the text they need in the small flow
``case_action`` (reason, reply text or a template, outcome, unit, colleague) and then confirm.
Two officials at once: the loser gets "someone else changed it" and the fresh view.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from bot.core.errors import Conflict, NotFound, PermissionDenied
from bot.core.i18n import N_
from handlers.framework import Context, Input
from handlers.petitions import registry
from handlers.petitions.render import STAFF_ACTION_LABELS, is_staff, render_case, show_case
from storage import units
from storage import petitions
from storage.petitions.errors import InvalidTransition
from storage.petitions.rules import BUTTON_PREFIX, OUTCOME_LABELS, OUTCOMES
from storage.people.models import Person, RoleGrant
from storage.petitions.models import Case
from storage.people.permissions import STAFF_ROLES, require

FLOW = "case_action"
flow = registry.flow(FLOW, title=N_("your action on a petition"))

TEXT_PROMPTS = {
    "info": N_("What information do you need from the resident? Type your question."),
    "reply": N_("Type your reply to the resident, or choose a template."),
    "resolve": N_("Type the final answer to the resident, or choose a template."),
    "transfer": N_("Why is it transferred? The resident is told this reason."),
    "reject": N_("Why is it out of scope? The resident is told this reason."),
    "reveal": N_("Why do you need the denouncer's identity? The reason is recorded (at least 10 characters)."),
    "extend": N_("Why does this case need more time? The reason is recorded."),
    "note": N_("Type the internal note (only staff see it)."),
}
DONE = {
    "ack": N_("Acknowledged. The resident is told."),
    "start": N_("Marked as being handled. The resident is told."),
    "resume": N_("Handling resumed."),
    "info": N_("Question sent. The clock is paused until the resident answers."),
    "reply": N_("Reply sent to the resident."),
    "resolve": N_("Answer sent. The petition is answered."),
    "transfer": N_("Transferred. The resident is told."),
    "reject": N_("Declined. The resident is told the reason."),
    "assign": N_("Assigned."),
    "extend": N_("Deadline extended."),
    "note": N_("Note saved."),
}


async def _load_for_staff(ctx: Context, case_id: int) -> Case:
    """The case, if this person's grants cover it; refusals are audited by the dispatcher."""
    if not is_staff(ctx):
        raise NotFound()
    case = await ctx.session.get(Case, case_id)
    if case is None:
        raise NotFound()
    await require(ctx.session, ctx.roles, case.unit_id, (*STAFF_ROLES, "inspector"))
    return case


async def _fresh_view(ctx: Context, case_id: int, msgid: str) -> None:
    case = await ctx.session.get(Case, case_id)
    if case is not None:
        await ctx.session.refresh(case)
    ctx.say(ctx._(msgid))
    await show_case(ctx, case_id)


async def perform(ctx: Context, action: str, case_id: int, version: int | None, **kw: Any) -> bool:
    """Run one official service; on a lost race show the fresh view. Returns True when it was done."""
    cfg = petitions.config_for(ctx.services)
    grants = list(ctx.roles)
    fn = {"ack": petitions.acknowledge, "start": petitions.start, "resume": petitions.resume, "info": petitions.request_info,
          "reply": petitions.reply, "resolve": petitions.resolve, "transfer": petitions.transfer, "reject": petitions.reject, "assign": petitions.assign,
          "extend": petitions.extend, "note": petitions.add_note}[action]
    try:
        await fn(ctx.session, cfg, case_id, ctx.person, grants, now=ctx.now, version=version, **kw)
    except (Conflict, InvalidTransition):
        await _fresh_view(ctx, case_id, N_("Someone else changed this petition a moment ago. Here it is now:"))
        return False
    ctx.say(ctx._(DONE[action]))
    return True


@registry.action(BUTTON_PREFIX)
async def case_button(ctx: Context, arg: str) -> None:
    parts = arg.split(":")
    if len(parts) < 2 or not parts[1].isdigit():
        raise NotFound()
    action, case_id = parts[0], int(parts[1])
    version = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
    case = await _load_for_staff(ctx, case_id)
    if action == "open":
        await show_case(ctx, case_id)
        return
    if action not in STAFF_ACTION_LABELS:
        raise NotFound()
    if action in ("ack", "start", "resume"):
        if await perform(ctx, action, case_id, version):
            await show_case(ctx, case_id)
        return
    if action != "reveal":
        await require(ctx.session, ctx.roles, case.unit_id, STAFF_ROLES, case.category)
    elif not ctx.has_role("unit_head"):
        raise PermissionDenied()
    if version is not None and version != case.version:
        await _fresh_view(ctx, case_id, N_("Someone else changed this petition a moment ago. Here it is now:"))
        return
    ctx.conv.data[FLOW] = {"action": action, "case_id": case_id, "version": case.version, "code": case.code}
    first = {"resolve": "outcome", "transfer": "unit", "assign": "assignee"}.get(action, "text")
    await ctx.goto(FLOW, first)


# --- the small flow ----------------------------------------------------------------------------
def _intro(ctx: Context) -> str:
    d = ctx.data
    return ctx._("{action} — {code}", action=ctx._(STAFF_ACTION_LABELS[d["action"]]), code=d["code"])


@flow.ask("outcome")
async def ask_outcome(ctx: Context) -> None:
    ctx.say("\n".join([_intro(ctx), ctx._("What is the outcome?")]),
            [[ctx.button(ctx._(OUTCOME_LABELS[o]), o)] for o in OUTCOMES] + [[ctx.button(ctx._("Cancel"), "cancel")]])


@flow.on("outcome")
async def on_outcome(ctx: Context, inp: Input) -> None:
    if inp.value == "cancel":
        await _cancel(ctx)
        return
    if inp.value not in OUTCOMES:
        await ctx.reask()
        return
    ctx.data["outcome"] = inp.value
    await ctx.goto(FLOW, "text")


@flow.ask("unit")
async def ask_unit(ctx: Context) -> None:
    case = await ctx.session.get(Case, ctx.data["case_id"])
    communes = await units.current_communes(ctx.session, ctx.services.deployment)
    buttons = [ctx.button(u.name, str(u.id)) for u in communes if case is None or u.id != case.unit_id]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)] + [[ctx.button(ctx._("Cancel"), "cancel")]]
    ctx.say("\n".join([_intro(ctx), ctx._("Transfer to which unit?")]), rows)


@flow.on("unit")
async def on_unit(ctx: Context, inp: Input) -> None:
    if inp.value == "cancel":
        await _cancel(ctx)
        return
    if not (inp.value and inp.value.isdigit()):
        await ctx.reask()
        return
    ctx.data["to_unit_id"] = int(inp.value)
    await ctx.goto(FLOW, "text")


async def _colleagues(ctx: Context, unit_id: int) -> list[tuple[int, str]]:
    q = (select(RoleGrant.person_id, Person.display_name).join(Person, col(Person.id) == col(RoleGrant.person_id))
         .where(col(RoleGrant.unit_id) == unit_id, col(RoleGrant.role).in_(STAFF_ROLES),
                col(RoleGrant.revoked_at).is_(None)))
    seen: dict[int, str] = {}
    for pid, name in await ctx.session.exec(q):  # type: ignore[call-overload]
        seen.setdefault(pid, name or f"#{pid}")
    return list(seen.items())[:20]


@flow.ask("assignee")
async def ask_assignee(ctx: Context) -> None:
    case = await ctx.session.get(Case, ctx.data["case_id"])
    people = await _colleagues(ctx, case.unit_id) if case else []
    rows = [[ctx.button(name[:40], str(pid))] for pid, name in people] + [[ctx.button(ctx._("Cancel"), "cancel")]]
    ctx.say("\n".join([_intro(ctx), ctx._("Assign to whom?")]), rows)


@flow.on("assignee")
async def on_assignee(ctx: Context, inp: Input) -> None:
    if inp.value == "cancel":
        await _cancel(ctx)
        return
    if not (inp.value and inp.value.isdigit()):
        await ctx.reask()
        return
    d = ctx.data
    ctx.finish()
    if await perform(ctx, "assign", d["case_id"], d["version"], assignee_id=int(inp.value)):
        await show_case(ctx, d["case_id"])


@flow.ask("text")
async def ask_text(ctx: Context) -> None:
    d = ctx.data
    rows = []
    if d["action"] in ("reply", "resolve"):
        case = await ctx.session.get(Case, d["case_id"])
        templates = petitions.config_for(ctx.services).reply_templates(case.category if case else "other", ctx.locale)
        d["templates"] = templates[:6]
        for i, t in enumerate(templates[:6]):
            rows.append([ctx.button(ctx._("Template {n}: {start}", n=i + 1, start=t[:30]), f"t{i}")])
    rows.append([ctx.button(ctx._("Cancel"), "cancel")])
    ctx.say("\n".join([_intro(ctx), ctx._(TEXT_PROMPTS[d["action"]])]), rows)


@flow.on("text")
async def on_text(ctx: Context, inp: Input) -> None:
    d = ctx.data
    if inp.value == "cancel":
        await _cancel(ctx)
        return
    if inp.value and inp.value.startswith("t") and inp.value[1:].isdigit():
        templates = d.get("templates") or []
        i = int(inp.value[1:])
        if i < len(templates):
            d["draft"] = templates[i]
            await ctx.goto(FLOW, "confirm")
            return
    text = (inp.text or "").strip()
    if not text:
        await ctx.reask()
        return
    if d["action"] == "reveal" and len(text) < 10:
        ctx.say(ctx._("Please give a reason of at least 10 characters."))
        return
    if len(text) > 4000:
        ctx.say(ctx._("The text has {count} characters; the limit is {max}. Please shorten it.",
                      count=len(text), max=4000))
        return
    d["draft"] = text
    await ctx.goto(FLOW, "confirm")


@flow.ask("confirm")
async def ask_confirm(ctx: Context) -> None:
    d = ctx.data
    ctx.say("\n".join([_intro(ctx), ctx._("Please check. To change it, send the corrected text."), d["draft"]]),
            [[ctx.button(ctx._("Confirm"), "ok"), ctx.button(ctx._("Write again"), "again")],
             [ctx.button(ctx._("Cancel"), "cancel")]])


@flow.on("confirm")
async def on_confirm(ctx: Context, inp: Input) -> None:
    d = dict(ctx.data)
    if inp.kind == "text" and inp.text:  # an edited version of the template or text replaces the draft
        await on_text(ctx, inp)
        return
    if inp.value == "again":
        await ctx.goto(FLOW, "text")
        return
    if inp.value == "cancel":
        await _cancel(ctx)
        return
    if inp.value != "ok":
        await ctx.reask()
        return
    ctx.finish()
    action, case_id, version, text = d["action"], d["case_id"], d["version"], d["draft"]
    if action == "reveal":
        cfg = petitions.config_for(ctx.services)
        ident = await petitions.reveal_identity(ctx.session, cfg, case_id, ctx.person, list(ctx.roles), reason=text,
                                            now=ctx.now)
        lines = [ctx._("Identity of the denouncer (confidential; this view is recorded):"), ident.full_name]
        lines += [x for x in (ident.phone, ident.address, ident.id_number) if x]
        ctx.say("\n".join(lines))
        return
    kw: dict[str, Any] = {}
    if action == "info":
        kw["question"] = text
    elif action in ("reply", "resolve", "note"):
        kw["text"] = text
        if action == "resolve":
            kw["outcome"] = d.get("outcome", "resolved")
    else:
        kw["reason"] = text
        if action == "transfer":
            kw["to_unit_id"] = d["to_unit_id"]
    if await perform(ctx, action, case_id, version, **kw) and action != "transfer":
        await show_case(ctx, case_id)


async def _cancel(ctx: Context) -> None:
    case_id = ctx.data.get("case_id")
    ctx.finish()
    ctx.say(ctx._("Cancelled. Nothing was changed."))
    if case_id:
        await show_case(ctx, case_id)


__all__ = ["case_button", "perform", "render_case"]
