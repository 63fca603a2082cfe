"""Officials' actions on one petition, from any message (notifications, the queue, /status):
global buttons ``c:<action>:<code>[:<version>]`` (``buttons.py``).

The button proves nothing: a petition outside the person's scope answers exactly like an unknown
code (``OutOfScope``, audited), and each action checks its permission through the domain services;
whatever needs a text (the denouncer's identity included) is refused before the text is asked.
One-tap actions (acknowledge, start) act at once; the others ask for the text they need in the
small flow ``case_action`` (reason, reply text or a template, outcome, unit, colleague) and then
confirm. A template's blanks are asked one by one; a text with a blank left is never sent. A button
older than the petition's last change shows the fresh view and says who changed it: the person
pressing, another official, or the petition itself (the resident, the system).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlmodel import col, select

from bot.core.errors import Conflict, NotFound
from bot.core.i18n import N_
from bot.core.roles import CASE_READERS, HANDLERS
from handlers.framework import Context, Input
from handlers.framework.steps import choice_rows, is_cancel, pick_number
from handlers.petitions import registry
from handlers.petitions.buttons import STAFF_PREFIX, parse_action, parse_staff
from handlers.petitions.labels import ACTION_LABELS, EVENT_LABELS, OUTCOME_LABELS
from handlers.petitions.render import fmt_time, is_staff, render_case, show_case
from storage import petitions, units
from storage.people.models import Person, RoleGrant
from storage.petitions import permissions
from storage.petitions.config import BLANK, ReplyTemplate
from storage.petitions.errors import InvalidTransition
from storage.petitions.models import Case, CaseEvent, CaseIdentity
from storage.petitions.rules import OUTCOMES, STAFF_ACTIONS, CaseAction

A = CaseAction
FLOW = "case_action"
flow = registry.flow(FLOW, title=N_("your action on a petition"))

TEXT_PROMPTS = {
    A.REQUEST_INFO: N_("What information do you need from the resident? Type your question."),
    A.REPLY: N_(
        "Type a message to the resident, or choose a template. It only writes to the resident: the "
        "petition stays open. To give the final answer and close it, use “Answer and resolve”."
    ),
    A.RESOLVE: N_(
        "Type the final answer to the resident, or choose a template. Sending it answers and closes "
        "the petition; the resident can rate it."
    ),
    A.TRANSFER: N_("Why is it transferred? The resident is told this reason."),
    A.REJECT: N_("Why is it out of scope? The resident is told this reason."),
    A.REVEAL: N_("Why do you need the denouncer's identity? The reason is recorded (at least 10 characters)."),
    A.EXTEND: N_("Why does this case need more time? The reason is recorded."),
    A.NOTE: N_("Type the internal note (only staff see it)."),
}
DONE = {
    A.ACKNOWLEDGE: N_("Acknowledged. The resident is told."),
    A.START: N_("Marked as being handled. The resident is told."),
    A.RESUME: N_("Handling resumed."),
    A.REQUEST_INFO: N_("Question sent. The clock is paused until the resident answers."),
    A.REPLY: N_("Reply sent to the resident."),
    A.RESOLVE: N_("Answer sent. The petition is answered."),
    A.TRANSFER: N_("Transferred. The resident is told."),
    A.REJECT: N_("Declined. The resident is told the reason."),
    A.ASSIGN: N_("Assigned."),
    A.EXTEND: N_("Deadline extended."),
    A.NOTE: N_("Note saved."),
}
SERVICES: dict[CaseAction, Callable[..., Awaitable[Any]]] = {
    A.ACKNOWLEDGE: petitions.acknowledge,
    A.START: petitions.start,
    A.RESUME: petitions.resume,
    A.REQUEST_INFO: petitions.request_info,
    A.REPLY: petitions.reply,
    A.RESOLVE: petitions.resolve,
    A.TRANSFER: petitions.transfer,
    A.REJECT: petitions.reject,
    A.ASSIGN: petitions.assign,
    A.EXTEND: petitions.extend,
    A.NOTE: petitions.add_note,
}
ONE_TAP = (A.ACKNOWLEDGE, A.START, A.RESUME)
FIRST_STEP = {A.RESOLVE: "outcome", A.TRANSFER: "unit", A.ASSIGN: "assignee"}
CONFIRM_LABELS = {
    A.REPLY: N_("Confirm: send the message only (stays open)"),
    A.RESOLVE: N_("Confirm: send the final answer and close"),
}
OLD_BUTTON = N_(
    "This button is from an older message and no longer works. Please open the petition from /queue, "
    "or send /status with its tracking code."
)
CHANGED_BY_YOU = N_("You already changed this petition after that message ({what}, {time}). Here it is now:")
CHANGED_BY_STAFF = N_("Another official changed this petition after that message ({what}, {time}). Here it is now:")
CHANGED = N_("This petition has changed since that message ({what}, {time}). Here it is now:")
UNCHANGING = (A.NOTE.value, A.REVEAL.value, A.OVERDUE.value)
"""Events that leave the petition as it was: they never make a button out of date."""


async def _stale_text(ctx: Context, case_id: int) -> str:
    """Why the button is out of date: the last change, and whether the person pressing made it."""
    q = (
        select(CaseEvent)
        .where(CaseEvent.case_id == case_id, col(CaseEvent.action).not_in(UNCHANGING))
        .order_by(col(CaseEvent.at).desc(), col(CaseEvent.id).desc())
        .limit(1)
    )
    last = (await ctx.session.exec(q)).first()
    if last is None:
        return ctx._("This petition has changed since that message. Here it is now:")
    what = ctx._(EVENT_LABELS[last.action]) if last.action in EVENT_LABELS else last.action
    if last.actor_id is not None and last.actor_id == ctx.person.id:
        msgid = CHANGED_BY_YOU
    elif last.actor_id is not None and last.actor_role in CASE_READERS:
        msgid = CHANGED_BY_STAFF
    else:
        msgid = CHANGED
    return ctx._(msgid, what=what, time=fmt_time(ctx, last.at))


async def _fresh_view(ctx: Context, case_id: int) -> None:
    case = await ctx.session.get(Case, case_id)
    if case is not None:
        await ctx.session.refresh(case)
    ctx.say(await _stale_text(ctx, case_id))
    await show_case(ctx, case_id)


async def perform(ctx: Context, action: CaseAction, case_id: int, version: int | None, **kw: Any) -> bool:
    """Run one official service (it checks the permission); on a lost race show the fresh view.
    Returns True when it was done."""
    cfg = petitions.config_for(ctx.services)
    try:
        await SERVICES[action](
            ctx.session, cfg, case_id, ctx.person, list(ctx.roles), now=ctx.now, version=version, **kw
        )
    except (Conflict, InvalidTransition):
        await _fresh_view(ctx, case_id)
        return False
    ctx.say(ctx._(DONE[action]))
    return True


async def _may_start(ctx: Context, case: Case, action: CaseAction) -> None:
    """Before asking for a text: refuse now what the service would refuse at the end (the same rule)."""
    if action is A.REVEAL:
        ident = await ctx.session.get(CaseIdentity, case.id)
        if ident is None:
            raise petitions.InvalidInput(N_("This petition has no identity on file."))
        await permissions.require_reveal_identity(ctx.session, ctx.roles, ident)
    else:
        await permissions.require_handler(ctx.session, ctx.roles, case)


@registry.action(STAFF_PREFIX)
async def case_button(ctx: Context, arg: str) -> None:
    press = parse_staff(arg)
    if press is None or not is_staff(ctx):
        raise NotFound()
    if press.legacy:  # a number, whatever it is: the same answer for every old button
        ctx.say(ctx._(OLD_BUTTON))
        return
    case = (await ctx.session.exec(select(Case).where(Case.code == press.code))).first()
    if case is None:
        raise NotFound()
    assert case.id is not None
    await permissions.require_case_reader(ctx.session, ctx.roles, case)  # else OutOfScope: "not found"
    action = press.action
    if action is None or (action not in STAFF_ACTIONS and action not in (A.OPEN, A.REVEAL)):
        raise NotFound()
    if action is A.OPEN:
        await show_case(ctx, case.id)
        return
    if action in ONE_TAP:
        if await perform(ctx, action, case.id, press.version):
            await show_case(ctx, case.id)
        return
    await _may_start(ctx, case, action)
    if press.version is not None and press.version != case.version and action is not A.REVEAL:
        await _fresh_view(ctx, case.id)
        return
    ctx.conv.data[FLOW] = {"action": action.value, "case_id": case.id, "version": case.version, "code": case.code}
    await ctx.goto(FLOW, FIRST_STEP.get(action, "text"))


# --- the small flow ----------------------------------------------------------------------------
def _action(ctx: Context) -> CaseAction:
    action = parse_action(ctx.data["action"])  # an old draft may hold a short name
    if action is None:
        raise NotFound()
    return action


def _intro(ctx: Context) -> str:
    return ctx._("{action} — {code}", action=ctx._(ACTION_LABELS[_action(ctx)]), code=ctx.data["code"])


@flow.ask("outcome")
async def ask_outcome(ctx: Context) -> None:
    ctx.say(
        "\n".join([_intro(ctx), ctx._("What is the outcome?")]),
        choice_rows(ctx, [(ctx._(OUTCOME_LABELS[o]), o) for o in OUTCOMES], cancel_label=ctx._("Cancel")),
    )


@flow.on("outcome")
async def on_outcome(ctx: Context, inp: Input) -> None:
    if is_cancel(inp):
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
    choices = [(u.name, str(u.id)) for u in communes if case is None or u.id != case.unit_id]
    ctx.say(
        "\n".join([_intro(ctx), ctx._("Transfer to which unit?")]),
        choice_rows(ctx, choices, per_row=2, cancel_label=ctx._("Cancel")),
    )


@flow.on("unit")
async def on_unit(ctx: Context, inp: Input) -> None:
    unit_id = await pick_number(ctx, inp, on_cancel=_cancel)
    if unit_id is not None:
        ctx.data["to_unit_id"] = unit_id
        await ctx.goto(FLOW, "text")


async def _colleagues(ctx: Context, unit_id: int) -> list[tuple[int, str]]:
    q = (
        select(RoleGrant.person_id, Person.display_name)
        .join(Person, col(Person.id) == col(RoleGrant.person_id))
        .where(
            col(RoleGrant.unit_id) == unit_id, col(RoleGrant.role).in_(HANDLERS), col(RoleGrant.revoked_at).is_(None)
        )
    )
    seen: dict[int, str] = {}
    for pid, name in await ctx.session.exec(q):
        seen.setdefault(pid, name or f"#{pid}")
    return list(seen.items())[:20]


@flow.ask("assignee")
async def ask_assignee(ctx: Context) -> None:
    case = await ctx.session.get(Case, ctx.data["case_id"])
    people = await _colleagues(ctx, case.unit_id) if case else []
    ctx.say(
        "\n".join([_intro(ctx), ctx._("Assign to whom?")]),
        choice_rows(ctx, [(name[:40], str(pid)) for pid, name in people], cancel_label=ctx._("Cancel")),
    )


@flow.on("assignee")
async def on_assignee(ctx: Context, inp: Input) -> None:
    assignee = await pick_number(ctx, inp, on_cancel=_cancel)
    if assignee is None:
        return
    d = ctx.data
    ctx.finish()
    if await perform(ctx, A.ASSIGN, d["case_id"], d["version"], assignee_id=assignee):
        await show_case(ctx, d["case_id"])


def _templates(ctx: Context) -> list[ReplyTemplate]:
    """The templates offered in this flow (an older draft may hold bare texts)."""
    out = []
    for t in ctx.data.get("templates") or []:
        out.append(ReplyTemplate(**t) if isinstance(t, dict) else ReplyTemplate(title="", text=str(t)))
    return out


def _blanks_left(ctx: Context, text: str) -> list[str]:
    """The blanks of the offered templates still in ``text`` (a typed ``[x]`` of one's own is text)."""
    known = {b for t in _templates(ctx) for b in t.blanks}
    return [b for b in BLANK.findall(text) if b in known]


async def _to_confirm(ctx: Context) -> None:
    """A draft goes to the confirmation only once its template blanks are filled."""
    await ctx.goto(FLOW, "fill" if _blanks_left(ctx, ctx.data["draft"]) else "confirm")


@flow.ask("text")
async def ask_text(ctx: Context) -> None:
    d = ctx.data
    action = _action(ctx)
    rows = []
    if action in (A.REPLY, A.RESOLVE):
        case = await ctx.session.get(Case, d["case_id"])
        cfg = petitions.config_for(ctx.services)
        templates = cfg.answer_templates(case.category if case else "other", ctx.locale)[:6]
        d["templates"] = [{"title": t.title, "text": t.text} for t in templates]
        for i, t in enumerate(templates):
            rows.append([ctx.button(ctx._("Template {n}: {title}", n=i + 1, title=t.title), f"t{i}")])
    rows.append([ctx.button(ctx._("Cancel"), "cancel")])
    ctx.say("\n".join([_intro(ctx), ctx._(TEXT_PROMPTS[action])]), rows)


@flow.on("text")
async def on_text(ctx: Context, inp: Input) -> None:
    d = ctx.data
    if is_cancel(inp):
        await _cancel(ctx)
        return
    if inp.value and inp.value.startswith("t") and inp.value[1:].isdigit():
        templates = _templates(ctx)
        i = int(inp.value[1:])
        if i < len(templates):
            d["draft"] = templates[i].text
            await _to_confirm(ctx)
            return
    text = (inp.text or "").strip()
    if not text:
        await ctx.reask()
        return
    if _action(ctx) is A.REVEAL and len(text) < 10:
        ctx.say(ctx._("Please give a reason of at least 10 characters."))
        return
    if len(text) > 4000:
        ctx.say(
            ctx._("The text has {count} characters; the limit is {max}. Please shorten it.", count=len(text), max=4000)
        )
        return
    d["draft"] = text
    await _to_confirm(ctx)


@flow.ask("fill")
async def ask_fill(ctx: Context) -> None:
    d = ctx.data
    left = _blanks_left(ctx, d["draft"])
    ctx.say(
        "\n".join(
            [
                _intro(ctx),
                d["draft"],
                "",
                ctx._(
                    "The template has a blank to fill in: {blank}. Type what goes there ({n} left).",
                    blank=left[0],
                    n=len(left),
                ),
            ]
        ),
        [
            [ctx.button(ctx._("Write my own text"), "again")],
            [ctx.button(ctx._("Cancel"), "cancel")],
        ],
    )


@flow.on("fill")
async def on_fill(ctx: Context, inp: Input) -> None:
    d = ctx.data
    if is_cancel(inp):
        await _cancel(ctx)
        return
    if inp.value == "again":
        await ctx.goto(FLOW, "text")
        return
    value = (inp.text or "").strip()
    left = _blanks_left(ctx, d["draft"])
    if not value or not left:
        await ctx.reask()
        return
    if BLANK.fullmatch(value) and value in left:  # the blank typed back is not an answer
        await ctx.reask()
        return
    draft = d["draft"].replace(left[0], value, 1)
    if len(draft) > 4000:
        ctx.say(
            ctx._("The text has {count} characters; the limit is {max}. Please shorten it.", count=len(draft), max=4000)
        )
        return
    d["draft"] = draft
    await _to_confirm(ctx)


@flow.ask("confirm")
async def ask_confirm(ctx: Context) -> None:
    d = ctx.data
    confirm = CONFIRM_LABELS.get(_action(ctx), N_("Confirm"))
    ctx.say(
        "\n".join([_intro(ctx), ctx._("Please check. To change it, send the corrected text."), d["draft"]]),
        [
            [ctx.button(ctx._(confirm), "ok")],
            [ctx.button(ctx._("Write again"), "again"), ctx.button(ctx._("Cancel"), "cancel")],
        ],
    )


def _arguments(action: CaseAction, text: str, d: dict[str, Any]) -> dict[str, Any]:
    """What each text action's service takes besides the case."""
    if action is A.REQUEST_INFO:
        return {"question": text}
    if action is A.RESOLVE:
        return {"text": text, "outcome": d.get("outcome", "resolved")}
    if action in (A.REPLY, A.NOTE):
        return {"text": text}
    if action is A.TRANSFER:
        return {"reason": text, "to_unit_id": d["to_unit_id"]}
    return {"reason": text}


@flow.on("confirm")
async def on_confirm(ctx: Context, inp: Input) -> None:
    d = dict(ctx.data)
    if inp.kind == "text" and inp.text and not is_cancel(inp):  # an edited version replaces the draft
        await on_text(ctx, inp)
        return
    if inp.value == "again":
        await ctx.goto(FLOW, "text")
        return
    if is_cancel(inp):
        await _cancel(ctx)
        return
    if inp.value != "ok":
        await ctx.reask()
        return
    if _blanks_left(ctx, d["draft"]):  # never send a blank to the resident
        await ctx.goto(FLOW, "fill")
        return
    action = _action(ctx)
    ctx.finish()
    case_id, version, text = d["case_id"], d["version"], d["draft"]
    if action is A.REVEAL:
        cfg = petitions.config_for(ctx.services)
        ident = await petitions.reveal_identity(
            ctx.session, cfg, case_id, ctx.person, list(ctx.roles), reason=text, now=ctx.now
        )
        lines = [ctx._("Identity of the denouncer (confidential; this view is recorded):"), ident.full_name]
        lines += [x for x in (ident.phone, ident.address, ident.id_number) if x]
        ctx.say("\n".join(lines))
        return
    if await perform(ctx, action, case_id, version, **_arguments(action, text, d)) and action is not A.TRANSFER:
        await show_case(ctx, case_id)


async def _cancel(ctx: Context) -> None:
    case_id = ctx.data.get("case_id")
    ctx.finish()
    ctx.say(ctx._("Cancelled. Nothing was changed."))
    if case_id:
        await show_case(ctx, case_id)


__all__ = ["case_button", "perform", "render_case"]
