"""/votes for residents (the open votes of their household, the vote they cast, who votes for the
household, results) and the ballot buttons; /decide for village heads and officials (open one,
``list``, ``N`` for its turnout and result, with tally, minutes, roll and cancel buttons)."""

from __future__ import annotations

from bot.core.errors import NotFound
from bot.core.i18n import N_, Translator
from bot.core.messages import Button
from bot.core.roles import STAFF
from handlers.decisions import labels, notify, registry
from handlers.decisions.flows import unit_options
from handlers.framework import WORK_SECTION, Context
from storage import units
from storage.decisions import queries, services
from storage.decisions.models import Decision
from storage.decisions.permissions import DECISION_OPENERS, can_read, require_manager
from storage.households import queries as households
from storage.people.models import Person

STATUS = {
    "scheduled": N_("not open yet"),
    "open": N_("open"),
    "closed": N_("closed"),
    "cancelled": N_("cancelled"),
}

registry.keyword("votes", "bieu quyet", "bo phieu", "votes", "lay y kien")
registry.menu_item(N_("Village votes"), "votes", order=40, hidden_for=STAFF, consent=True)
registry.menu_item(N_("Village decisions"), "decide", roles=DECISION_OPENERS, order=42)
registry.help_section(N_("Village decisions"), "votes", order=40)
registry.help_section(WORK_SECTION, "decide", order=42)


def _when(ctx: Context, d: Decision) -> str:
    return labels.when(d.closes_at, ctx.services.tz)


SECRET_RECORDED = N_(
    "Your household's vote is recorded. It is a secret ballot: the choice is not kept in this chat. "
    "/votes shows it until {when}."
)
SECRET_VOTED = N_("Your household has voted (secret ballot: /votes shows the choice until the close).")


@registry.command(
    "votes", description=N_("Votes of your village and your household's vote"), needs_consent=True, order=39
)
async def votes_cmd(ctx: Context) -> None:
    assert ctx.person.id is not None
    m = await households.membership(ctx.session, ctx.person.id)
    if m is None:
        ctx.say(ctx._(services.NoHousehold.msgid))
        return
    rep = await households.current_representative(ctx.session, m.household_id)
    is_rep = rep is not None and rep.person_id == ctx.person.id
    rows = await queries.for_household(ctx.session, m.household_id)
    if not rows:
        ctx.say(ctx._("There is no vote for your household right now."))
        return
    t = Translator(ctx.locale)
    for d in rows:
        assert d.id is not None
        lines = [f"🗳 {d.question}"]
        choice = await queries.own_choice(ctx.session, d, m.household_id)
        voted = await queries.has_voted(ctx.session, d.id, m.household_id)
        if d.status == "open":
            lines.append(ctx._("Closes at {when}.", when=_when(ctx, d)))
            kept = list(lines)  # a secret ballot's choice is shown, never stored with the chat
            if choice is not None:
                lines.append(ctx._("Your household's vote: {option}", option=labels.option_label(t, d, choice)))
                kept.append(ctx._(SECRET_VOTED))
            else:
                lines.append(ctx._("Your household has not voted yet."))
                kept.append(lines[-1])
            if not is_rep:
                who = await ctx.session.get(Person, rep.person_id) if rep else None
                lines.append(ctx._(services.NotRepresentative.msgid, name=(who.display_name if who else None) or "—"))
                kept.append(lines[-1])
            ctx.say(
                "\n".join(lines),
                list(list(r) for r in notify.ballot(t, d, "").buttons) if is_rep else [],
                stored_text="\n".join(kept) if d.secret and choice is not None else None,
            )
        else:
            if d.secret:
                lines.append(
                    ctx._("Your household voted (secret ballot: the choice is not kept).")
                    if voted
                    else ctx._("Your household did not vote.")
                )
            elif choice is not None:
                lines.append(ctx._("Your household's vote: {option}", option=labels.option_label(t, d, choice)))
            lines += labels.result_lines(t, d)
            ctx.say("\n".join(lines))


@registry.action(notify.VOTE)
async def _vote(ctx: Context, arg: str) -> None:
    did, _, opt = arg.partition(":")
    if not did.isdigit() or not opt.isdigit():
        raise NotFound()
    try:
        out = await services.vote(
            ctx.session, int(did), ctx.person, int(opt), channel=ctx.incoming.channel, now=ctx.now
        )
    except services.VoteClosed:
        d = await ctx.session.get(Decision, int(did))
        assert d is not None
        ctx.say(ctx._(services.VoteClosed.msgid, when=_when(ctx, d)))
        return
    t = Translator(ctx.locale)
    label = labels.option_label(t, out.decision, out.option)
    when = _when(ctx, out.decision)
    # A secret ballot's choice is shown to the voter now and kept in no chat history or stored event.
    stored = ctx._(SECRET_RECORDED, when=when) if out.decision.secret else None
    if out.changed:
        msgid = N_("Your household's vote is changed to: {option}. You can change it until {when}.")
    else:
        msgid = N_("Thank you. Your household's vote: {option}. You can change it until {when}.")
    ctx.say(ctx._(msgid, option=label, when=when), stored_text=stored)


# --- village heads and officials -----------------------------------------------------------------


@registry.command(
    "decide",
    description=N_("Put a matter to the village's households"),
    roles=DECISION_OPENERS,
    needs_consent=True,
    order=42,
)
async def decide_cmd(ctx: Context) -> None:
    arg = ctx.incoming.args.strip().lower()
    if arg in ("list", "ds"):
        await _list(ctx)
    elif arg.isdigit():
        await _show(ctx, int(arg))
    else:
        await ctx.goto("decide", "unit", fresh=True)


async def _list(ctx: Context) -> None:
    ids = [u.id for u in await unit_options(ctx) if u.id is not None]
    rows = await queries.by_unit(ctx.session, ids)
    if not rows:
        ctx.say(ctx._("No decisions yet. Send /decide to open one."))
        return
    for d in rows:
        ctx.say(
            ctx._(
                "No. {id} · {status} · {q}", id=d.id, status=ctx._(STATUS.get(d.status, d.status)), q=d.question[:80]
            ),
            [[Button(ctx._("Open"), f"dsh:{d.id}")]],
        )


async def _show(ctx: Context, decision_id: int) -> None:
    d = await ctx.session.get(Decision, decision_id)
    if d is None or not await can_read(ctx.session, ctx.roles, d):
        raise NotFound()
    assert d.id is not None
    t = Translator(ctx.locale)
    unit = await units.get(ctx.session, d.unit_id)
    lines = [
        ctx._(
            "No. {id} · {status} · {unit}",
            id=d.id,
            status=ctx._(STATUS.get(d.status, d.status)),
            unit=unit.name if unit else "",
        ),
        d.question,
        ctx._("Method: {m}", m=ctx._(labels.METHODS[d.method]))
        + " · "
        + (ctx._("Secret ballot") if d.secret else ctx._("Open ballot")),
    ]
    buttons: list[Button] = []
    manager = await _manages(ctx, d)
    if d.status == "open":
        n = await queries.turnout_count(ctx.session, d.id)
        lines.append(
            ctx._(
                "Households voted so far: {n} of {eligible}. Closes at {when}.",
                n=n,
                eligible=d.eligible,
                when=_when(ctx, d),
            )
        )
        if d.method == "meeting" and manager:
            buttons.append(Button(ctx._("Enter the tally"), f"dtl:{d.id}"))
        if n == 0 and manager:
            buttons.append(Button(ctx._("Correct this decision"), f"ded:{d.id}"))
            buttons.append(Button(ctx._("Cancel this decision"), f"dcx:{d.id}"))
    elif d.status == "closed":
        lines += labels.result_lines(t, d)
        if d.report_due_at is not None:
            lines.append(
                ctx._("Report sent to the commune.")
                if d.reported_at
                else ctx._("Report to the commune due by {when}.", when=labels.when(d.report_due_at, ctx.services.tz))
            )
        if manager:
            buttons.append(Button(ctx._("Attach the minutes"), f"dmn:{d.id}"))
    if not d.secret and d.status in ("open", "closed") and d.method != "meeting":
        buttons.append(Button(ctx._("Who voted what"), f"drl:{d.id}"))
    ctx.say("\n".join(lines), [buttons] if buttons else [])


async def _manages(ctx: Context, d: Decision) -> bool:
    assert d.id is not None
    try:
        await require_manager(ctx.session, ctx.roles, d.id)
    except NotFound:
        return False
    return True


def _id(arg: str) -> int:
    if not arg.isdigit():
        raise NotFound()
    return int(arg)


@registry.action("dsh")
async def _show_action(ctx: Context, arg: str) -> None:
    await _show(ctx, _id(arg))


@registry.action("dtl")
async def _tally_action(ctx: Context, arg: str) -> None:
    d = await require_manager(ctx.session, ctx.roles, _id(arg))
    await ctx.goto("decide_tally", "present", fresh=True)
    ctx.flow_data("decide_tally")["id"] = d.id


@registry.action("dmn")
async def _minutes_action(ctx: Context, arg: str) -> None:
    d = await require_manager(ctx.session, ctx.roles, _id(arg))
    await ctx.goto("decide_minutes", "file", fresh=True)
    ctx.flow_data("decide_minutes")["id"] = d.id


@registry.action("ded")
async def _edit_action(ctx: Context, arg: str) -> None:
    d = await require_manager(ctx.session, ctx.roles, _id(arg))
    assert d.id is not None
    if await queries.turnout_count(ctx.session, d.id) > 0:
        raise services.AlreadyVoted()
    await ctx.goto("decide_edit", "what", fresh=True)
    ctx.flow_data("decide_edit")["id"] = d.id


@registry.action("dcx")
async def _cancel_action(ctx: Context, arg: str) -> None:
    d = await services.cancel(ctx.session, _id(arg), ctx.person, ctx.roles, now=ctx.now)
    ctx.say(ctx._("Decision no. {id} is cancelled.", id=d.id))


@registry.action("drl")
async def _roll_action(ctx: Context, arg: str) -> None:
    did = _id(arg)
    rows = await queries.open_roll(ctx.session, ctx.roles, did)
    d = await ctx.session.get(Decision, did)
    assert d is not None
    t = Translator(ctx.locale)
    if not rows:
        ctx.say(ctx._("No household has voted yet."))
        return
    lines = [f"{(n + ' · ') if n else ''}{h}: {labels.option_label(t, d, o)}" for h, n, o in rows]
    ctx.say(ctx._("Open ballot, who voted what:") + "\n" + "\n".join(lines[:200]))
