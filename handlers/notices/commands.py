"""/notice for staff (write one, ``list``, ``cancel N``, ``report N``) with the report and cancel
buttons, the "Đã xem" button on every notice, and /notices for residents to catch up."""

from __future__ import annotations

from bot.core.errors import NotFound
from bot.core.i18n import N_
from bot.core.messages import Button
from bot.core.roles import NOTICE_SENDERS, STAFF
from handlers.framework import WORK_SECTION, Context
from handlers.notices import notify, registry
from handlers.notices.flows import fmt, notice_buttons
from storage.notices import queries, services
from storage.notices.models import Notice

STATUS = {"scheduled": N_("scheduled"), "sent": N_("sent"), "cancelled": N_("cancelled")}
_SUB = {
    "list": "list",
    "ds": "list",
    "danhsach": "list",
    "cancel": "cancel",
    "huy": "cancel",
    "report": "report",
    "baocao": "report",
}


@registry.command(
    "notice", description=N_("Send a notice to residents"), roles=NOTICE_SENDERS, needs_consent=True, order=30
)
async def notice_cmd(ctx: Context) -> None:
    """``/notice`` writes one; ``/notice list``, ``/notice cancel N``, ``/notice report N``."""
    word, _, rest = ctx.incoming.args.strip().partition(" ")
    sub, number = _SUB.get(word.lower()), rest.strip()
    if sub == "list":
        await _list(ctx)
    elif sub == "cancel" and number.isdigit():
        await _cancel(ctx, int(number))
    elif sub == "report" and number.isdigit():
        await _report(ctx, int(number))
    else:
        await ctx.goto("notice", "text", fresh=True)


def _excerpt(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


async def _list(ctx: Context) -> None:
    assert ctx.person.id is not None
    rows = await queries.by_author(ctx.session, ctx.person.id)
    if not rows:
        ctx.say(ctx._("You have not sent any notices yet. Send /notice to write one."))
        return
    for n in rows:
        assert n.id is not None
        ctx.say(
            ctx._("No. {id} · {status} · {when}", id=n.id, status=ctx._(STATUS[n.status]), when=fmt(ctx, n.send_at))
            + "\n"
            + _excerpt(n.text),
            [notice_buttons(ctx, n.id, n.status)],
        )


async def _cancel(ctx: Context, notice_id: int) -> None:
    await services.cancel(ctx.session, notice_id, ctx.person, ctx.roles, now=ctx.now)
    ctx.say(ctx._("Notice no. {id} is cancelled. Nobody will receive it.", id=notice_id))


async def _report(ctx: Context, notice_id: int) -> None:
    r = await queries.report(ctx.session, notice_id, ctx.roles)
    lines = [
        ctx._("Delivery report for notice no. {id} ({status}):", id=r.notice_id, status=ctx._(STATUS[r.status])),
        ctx._("Residents: {n}", n=r.recipients),
        ctx._("Waiting to be sent: {n}", n=r.queued),
        ctx._("Delivered: {n}", n=r.sent),
        ctx._("Failed: {n}", n=r.failed),
        ctx._("Cannot be reached (blocked the bot): {n}", n=r.unreachable),
        ctx._("Held until the resident writes to us: {n}", n=r.waiting),
        ctx._("Pressed “Seen”: {n}", n=r.seen),
    ]
    ctx.say("\n".join(lines), [[Button(ctx._("Refresh"), f"ntr:{notice_id}")]])


@registry.action("ntr")
async def _report_action(ctx: Context, arg: str) -> None:
    if not arg.isdigit() or not ctx.has_role(*NOTICE_SENDERS):
        raise NotFound()
    await _report(ctx, int(arg))


@registry.action("ntc")
async def _cancel_action(ctx: Context, arg: str) -> None:
    if not arg.isdigit() or not ctx.has_role(*NOTICE_SENDERS):
        raise NotFound()
    await _cancel(ctx, int(arg))


# --- residents -----------------------------------------------------------------------------------


@registry.action(notify.SEEN_PREFIX)
async def _seen(ctx: Context, arg: str) -> None:
    if arg == "0":
        ctx.say(ctx._("This is only a preview. Residents will have this button."))
        return
    if not arg.isdigit():
        raise NotFound()
    assert ctx.person.id is not None
    await services.mark_seen(ctx.session, int(arg), ctx.person.id)
    ctx.say(ctx._("Thank you. We have noted that you read this notice."))


@registry.command("notices", description=N_("Recent notices for your area"), order=32)
async def notices_cmd(ctx: Context) -> None:
    """The latest five notices for the person's village and ward, oldest first."""
    if ctx.person.village_id is None and ctx.person.ward_id is None:
        ctx.say(ctx._("Tell us where you live first (send /start), then you will see the notices for your area."))
        return
    rows = await queries.recent_for(ctx.session, ctx.person, now=ctx.now)
    if not rows:
        ctx.say(ctx._("There are no notices for your area in the last three months."))
        return
    ctx.say(ctx._("The latest notices for your area (the newest is last):"))
    for n in reversed(rows[:5]):
        await _show(ctx, n)


async def _show(ctx: Context, n: Notice) -> None:
    assert n.id is not None
    label = await notify.audience_label(ctx.session, await queries.targets(ctx.session, n.id), ctx.locale)
    replies = notify.render(n.id, n.text, label, ctx.locale, n.attachment)
    ctx.replies.extend(notify.dated(replies, fmt(ctx, n.sent_at or n.send_at)))


registry.keyword("notices", "thong bao", "xem thong bao")
registry.menu_item(N_("Send a notice"), "notice", roles=NOTICE_SENDERS, order=16)
registry.menu_item(N_("Notices you sent"), "notice", roles=NOTICE_SENDERS, order=17, args="list")
registry.menu_item(N_("Notices"), "notices", order=32, hidden_for=STAFF, consent=True)  # received: residents
registry.help_section(WORK_SECTION, "notice", order=5)
registry.help_section(N_("Notices for your area"), "notices", order=30)
