"""/meetings for residents (the village's upcoming and past meetings, their household's answer, the
minutes) and the "will come / cannot come" buttons; /meeting for village heads and ward staff
(announce one, ``list``, ``N`` for who will come, the minutes button and the decision's tally)."""

from __future__ import annotations

from bot.core.errors import NotFound
from bot.core.i18n import N_, Translator
from bot.core.messages import Button
from bot.core.roles import OVERSIGHT
from handlers.framework import WORK_SECTION, Context
from handlers.meetings import notify, registry
from handlers.meetings.flows import village_options
from storage import units
from storage.decisions.models import Decision
from storage.households import queries as households
from storage.meetings import queries, services
from storage.meetings.models import Meeting
from storage.meetings.permissions import MEETING_CALLERS, require_manager

ANSWER_LABEL = {"yes": N_("will come"), "no": N_("cannot come")}

registry.keyword("meetings", "hop thon", "cuoc hop", "lich hop", "meetings")
registry.help_section(N_("Village decisions"), "meetings", order=40)
registry.help_section(WORK_SECTION, "meeting", order=43)


def _id(arg: str) -> int:
    if not arg.isdigit():
        raise NotFound()
    return int(arg)


# --- residents -------------------------------------------------------------------------------------


@registry.command("meetings", description=N_("Meetings of your village"), needs_consent=True, order=41)
async def meetings_cmd(ctx: Context) -> None:
    assert ctx.person.id is not None
    arg = ctx.incoming.args.strip()
    if arg.isdigit() and ctx.has_role(*MEETING_CALLERS, *OVERSIGHT):
        await _show(ctx, int(arg))  # the Inspection Board reads a meeting here (``/meeting`` announces)
        return
    hh = await households.household_of(ctx.session, ctx.person.id)
    village_id = hh.village_id if hh is not None else ctx.person.village_id
    if village_id is None:
        ctx.say(ctx._("Tell me your village first (/profile), then I can show its meetings."))
        return
    rows = await queries.of_village(ctx.session, village_id, ctx.now)
    if not rows:
        ctx.say(ctx._("No meeting of your village is announced."))
    is_rep = False
    if hh is not None and hh.id is not None:
        rep = await households.current_representative(ctx.session, hh.id)
        is_rep = rep is not None and rep.person_id == ctx.person.id
    t = Translator(ctx.locale)
    village = await units.get(ctx.session, village_id)
    for m in rows:
        upcoming = m.starts_at > ctx.now
        lines = notify.details(t, m, village.name if village else "")
        if hh is not None and hh.id is not None:
            ans = await queries.household_answer(ctx.session, m.id or 0, hh.id)
            lines.append(
                ctx._("Your household: {answer}", answer=ctx._(ANSWER_LABEL[ans]))
                if ans
                else ctx._("Your household has not answered.")
            )
        if not upcoming:
            lines.append(ctx._("Minutes: below.") if m.minutes_at else ctx._("The minutes are not published yet."))
        buttons = notify.answer_buttons(t, m) if upcoming and is_rep else ()
        ctx.say("\n".join(lines), buttons)
        if not upcoming and m.minutes_at:
            ctx.replies.append(notify.minutes(t, m, village.name if village else ""))
    if hh is None:
        ctx.say(ctx._(services.NoHousehold.msgid))


@registry.action(notify.ANSWER)
async def _answer(ctx: Context, arg: str) -> None:
    mid, _, value = arg.partition(":")
    try:
        out = await services.answer(ctx.session, _id(mid), ctx.person, value, channel=ctx.incoming.channel, now=ctx.now)
    except services.MeetingStarted:
        m = await ctx.session.get(Meeting, int(mid))
        assert m is not None
        ctx.say(ctx._(services.MeetingStarted.msgid, when=notify.when(m.starts_at, ctx.services.tz)))
        return
    when = notify.when(out.meeting.starts_at, ctx.services.tz)
    if out.answer == "yes":
        msg = N_("Thank you. Your household will come to the meeting at {when}. You can change it until the start.")
    else:
        msg = N_("Thank you. Your household cannot come to the meeting at {when}. You can change it until the start.")
    # the buttons again: changing one's mind is one tap
    ctx.say(
        (ctx._("Changed.") + " " if out.changed else "") + ctx._(msg, when=when),
        notify.answer_buttons(Translator(ctx.locale), out.meeting),
    )


# --- village heads and ward staff ------------------------------------------------------------------


@registry.command(
    "meeting",
    description=N_("Announce a village meeting, see who will come, publish the minutes"),
    roles=MEETING_CALLERS,
    needs_consent=True,
    order=43,
)
async def meeting_cmd(ctx: Context) -> None:
    arg = ctx.incoming.args.strip().lower()
    if arg in ("list", "ds"):
        await _list(ctx)
    elif arg.isdigit():
        await _show(ctx, int(arg))
    else:
        await ctx.goto("meeting", "village", fresh=True)


async def _list(ctx: Context) -> None:
    ids = [u.id for u in await village_options(ctx) if u.id is not None]
    rows = await queries.by_caller(ctx.session, ids)
    if not rows:
        ctx.say(ctx._("No meetings yet. Send /meeting to announce one."))
        return
    for m in rows:
        ctx.say(
            ctx._(
                "No. {id} · {when} · {agenda}",
                id=m.id,
                when=notify.when(m.starts_at, ctx.services.tz),
                agenda=m.agenda[:60],
            ),
            [[Button(ctx._("Open"), f"msh:{m.id}")]],
        )


async def _show(ctx: Context, meeting_id: int) -> None:
    m = await require_manager(ctx.session, ctx.roles, meeting_id, read_only=True)
    assert m.id is not None
    t = Translator(ctx.locale)
    village = await units.get(ctx.session, m.village_id)
    c = await queries.answer_counts(ctx.session, m)
    lines = [ctx._("No. {id}", id=m.id), *notify.details(t, m, village.name if village else ""), ""]
    lines.append(
        ctx._(
            "Households: {yes} will come, {no} cannot come, {none} have not answered (of {total}).",
            yes=c.coming,
            no=c.not_coming,
            none=c.unanswered,
            total=c.households,
        )
    )
    buttons: list[Button] = []
    try:
        await require_manager(ctx.session, ctx.roles, meeting_id)
        manager = True
    except NotFound:
        manager = False
    started = ctx.now >= m.starts_at
    if m.decision_id is not None:
        d = await ctx.session.get(Decision, m.decision_id)
        if d is not None:
            lines.append(ctx._("Decides: no. {id} · {q}", id=d.id, q=d.question[:80]))
            if manager and started and d.status == "open":
                buttons.append(Button(ctx._("Enter the tally"), f"dtl:{d.id}"))
    linkable = manager and m.decision_id is None and m.status != "cancelled"
    if linkable and await services.linkable_decisions(ctx.session, m.village_id):
        buttons.append(Button(ctx._("Choose the matter it decides"), f"mld:{m.id}"))
    if m.status == "cancelled":
        lines.append(ctx._("This meeting is cancelled."))
    elif m.minutes_at:
        lines.append(ctx._("The minutes are published."))
    elif manager and not started:
        buttons.append(Button(ctx._("Cancel the meeting"), f"mcx:{m.id}"))
    elif manager and started:
        buttons.append(Button(ctx._("Publish the minutes"), f"mmn:{m.id}"))
    ctx.say("\n".join(lines), [buttons] if buttons else [])
    if m.minutes_at:
        ctx.replies.append(notify.minutes(t, m, village.name if village else ""))


@registry.action("msh")
async def _show_action(ctx: Context, arg: str) -> None:
    await _show(ctx, _id(arg))


@registry.action("mmn")
async def _minutes_action(ctx: Context, arg: str) -> None:
    m = await require_manager(ctx.session, ctx.roles, _id(arg))
    if ctx.now < m.starts_at:
        raise services.NotHeldYet()
    await ctx.goto("meeting_minutes", "body", fresh=True)
    ctx.flow_data("meeting_minutes")["id"] = m.id


@registry.action("mcx")
async def _cancel_ask(ctx: Context, arg: str) -> None:
    m = await require_manager(ctx.session, ctx.roles, _id(arg))
    ctx.say(
        ctx._(
            "Cancel meeting no. {id} at {when}? Every household that was told will be told it is cancelled.",
            id=m.id,
            when=notify.when(m.starts_at, ctx.services.tz),
        ),
        [[Button(ctx._("Yes, cancel it"), f"mcy:{m.id}")]],
    )


@registry.action("mcy")
async def _cancel(ctx: Context, arg: str) -> None:
    m = await services.cancel(ctx.session, _id(arg), ctx.person, ctx.roles, now=ctx.now)
    ctx.say(ctx._("Meeting no. {id} is cancelled and the households are told.", id=m.id))


@registry.action("mld")
async def _link_ask(ctx: Context, arg: str) -> None:
    m = await require_manager(ctx.session, ctx.roles, _id(arg))
    rows = await services.linkable_decisions(ctx.session, m.village_id)
    ctx.say(
        ctx._("Which matter does meeting no. {id} decide? Its tally will be entered for this meeting.", id=m.id),
        [[Button(f"{d.id}. {d.question[:60]}", f"mlk:{m.id}:{d.id}")] for d in rows],
    )


@registry.action("mlk")
async def _link(ctx: Context, arg: str) -> None:
    mid, _, did = arg.partition(":")
    m = await services.link_decision(ctx.session, _id(mid), _id(did), ctx.person, ctx.roles)
    ctx.say(ctx._("Meeting no. {id} decides matter no. {d}.", id=m.id, d=m.decision_id))
