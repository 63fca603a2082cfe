"""/consult: residents see the drafts open for their comment; officials publish one, list theirs, and
with ``/consult N`` see the comments grouped by village, with reply and summary buttons."""

from __future__ import annotations

from bot.core.errors import NotFound
from bot.core.i18n import N_, Translator
from bot.core.messages import Button
from bot.core.roles import HANDLERS, OVERSIGHT
from handlers.consultations import notify, registry
from handlers.framework import Context
from storage import units
from storage.consultations import queries
from storage.consultations.permissions import require_manager
from storage.people.models import Person

registry.keyword("consult", "gop y du thao", "du thao", "lay y kien du thao", "consult")
registry.help_section(N_("Village decisions"), "consult", order=40)


@registry.command("consult", description=N_("Drafts open for your comments"), needs_consent=True, order=41)
async def consult_cmd(ctx: Context) -> None:
    arg = ctx.incoming.args.strip().lower()
    staff = ctx.has_role(*HANDLERS, *OVERSIGHT)
    if staff and arg.isdigit():
        await _show(ctx, int(arg))
    elif staff and arg in ("list", "ds"):
        await _list_action(ctx, "0")
    elif ctx.has_role(*HANDLERS) and arg in ("new", "moi"):
        await ctx.goto("consult", "title", fresh=True)
    elif ctx.has_role(*HANDLERS) and arg == "":
        ctx.say(
            ctx._("Put a draft to residents for comment, or see the comments on yours (/consult N)."),
            [[Button(ctx._("Publish a draft"), "cnew:0"), Button(ctx._("My drafts"), "clist:0")]],
        )
    else:
        await _resident_list(ctx)


async def _resident_list(ctx: Context) -> None:
    rows = await queries.open_for(ctx.session, ctx.person, ctx.now)
    if not rows:
        ctx.say(ctx._("No draft is open for comments in your area right now."))
        return
    t = Translator(ctx.locale)
    for c in rows:
        ctx.replies.append(notify.render(t, c))


@registry.action("cnew")
async def _new_action(ctx: Context, arg: str) -> None:
    if not ctx.has_role(*HANDLERS):
        raise NotFound()
    await ctx.goto("consult", "title", fresh=True)


@registry.action("clist")
async def _list_action(ctx: Context, arg: str) -> None:
    assert ctx.person.id is not None
    rows = await queries.by_author(ctx.session, ctx.person.id)
    if not rows:
        ctx.say(ctx._("You have not published any draft yet."))
    for c in rows:
        ctx.say(f"No. {c.id} · {c.title}", [[Button(ctx._("Comments"), f"cshow:{c.id}")]])


@registry.action(notify.COMMENT)
async def _comment(ctx: Context, arg: str) -> None:
    if not arg.isdigit():
        raise NotFound()
    await ctx.goto("consult_comment", "text", fresh=True)
    ctx.flow_data("consult_comment")["id"] = int(arg)


async def _show(ctx: Context, cid: int) -> None:
    c = await require_manager(ctx.session, ctx.roles, cid, read_only=True)
    groups = await queries.comments_by_village(ctx.session, cid)
    total = sum(len(v) for v in groups.values())
    ctx.say(ctx._("“{title}”: {n} comments ({status}).", title=c.title, n=total, status=c.status))
    manager = ctx.has_role(*HANDLERS)
    for village_id, comments in groups.items():
        u = await units.get(ctx.session, village_id) if village_id else None
        ctx.say(f"— {u.name if u else ctx._('No village given')} ({len(comments)})")
        for cm in comments[:20]:
            who = await ctx.session.get(Person, cm.person_id)
            body = cm.text or ctx._("(a file or a voice message)")
            line = f"{(who.display_name if who else None) or '—'}: {body}"
            if cm.reply:
                line += "\n↳ " + cm.reply
            buttons = [[Button(ctx._("Reply"), f"crep:{cm.id}")]] if manager and not cm.reply else []
            ctx.say(line, buttons)
    if manager and c.status == "closed":
        ctx.say(ctx._("The comment period has ended."), [[Button(ctx._("Publish the summary"), f"csum:{cid}")]])


@registry.action("cshow")
async def _show_action(ctx: Context, arg: str) -> None:
    if not arg.isdigit():
        raise NotFound()
    await _show(ctx, int(arg))


@registry.action("crep")
async def _reply_action(ctx: Context, arg: str) -> None:
    if not arg.isdigit() or not ctx.has_role(*HANDLERS):
        raise NotFound()
    await ctx.goto("consult_reply", "text", fresh=True)
    ctx.flow_data("consult_reply")["id"] = int(arg)


@registry.action("csum")
async def _summary_action(ctx: Context, arg: str) -> None:
    if not arg.isdigit():
        raise NotFound()
    await require_manager(ctx.session, ctx.roles, int(arg))
    await ctx.goto("consult_summary", "text", fresh=True)
    ctx.flow_data("consult_summary")["id"] = int(arg)
