"""/consult in the chat: an official publishes a draft (title, plain summary, the document if any,
whom it concerns, how many days for comments, a summary to confirm); a resident comments (text, a
file or a voice message); an official replies to a comment or publishes the closing summary."""

from __future__ import annotations

from datetime import timedelta

from bot.core.i18n import N_
from bot.core.roles import HANDLERS
from handlers.consultations import registry
from handlers.framework import Context, Input
from handlers.framework.steps import pick_unit, unit_rows, yes_no, yes_no_buttons
from storage import units
from storage.consultations import services
from storage.people.permissions import granted_units
from storage.units.models import Unit

publish = registry.flow("consult", title=N_("your draft for comment"))
comment = registry.flow("consult_comment", title=N_("your comment"))
reply = registry.flow("consult_reply")
summary = registry.flow("consult_summary")


def _att(inp: Input, kinds: tuple[str, ...]) -> dict[str, object] | None:
    a = next((a for a in inp.attachments if a.kind in kinds), None)
    return None if a is None else {"kind": a.kind, "ref": a.ref, "file_name": a.file_name, "mime_type": a.mime_type}


async def _stop(ctx: Context) -> None:
    ctx.finish()
    ctx.say(ctx._("All right, nothing was sent."))


async def scope_options(ctx: Context) -> list[Unit]:
    """The wards the official works for, each followed by its villages."""
    return await granted_units(ctx.session, ctx.roles, HANDLERS)


@publish.ask("title")
async def _ask_title(ctx: Context) -> None:
    ctx.say(ctx._("The title of the draft residents are asked to comment on? Send /cancel to stop."))


@publish.on("title")
async def _on_title(ctx: Context, inp: Input) -> None:
    text = (inp.text or "").strip()
    if len(text) < 5:
        await ctx.reask()
        return
    ctx.data["title"] = text[:300]
    await ctx.goto("consult", "summary")


@publish.ask("summary")
async def _ask_summary(ctx: Context) -> None:
    ctx.say(ctx._("Explain the draft in plain words: what changes, for whom. You may attach the document here."))


@publish.on("summary", accepts=("text", "attachment"))
async def _on_summary(ctx: Context, inp: Input) -> None:
    att = _att(inp, ("document", "photo"))
    text = (inp.text or "").strip()
    if att is not None:
        ctx.data["att"] = att
    if len(text) < 5:
        if att is None:
            await ctx.reask()
        else:
            ctx.say(ctx._("The document is kept. Now write the plain summary."))
        return
    ctx.data["summary"] = text[:3000]
    await ctx.goto("consult", "scope")


@publish.ask("scope")
async def _ask_scope(ctx: Context) -> None:
    opts = await scope_options(ctx)
    ctx.say(
        ctx._("Whom does it concern?"),
        unit_rows(ctx, opts),
    )


@publish.on("scope")
async def _on_scope(ctx: Context, inp: Input) -> None:
    picked = await pick_unit(ctx, inp, await scope_options(ctx), on_cancel=_stop)
    if picked is None:
        return
    ctx.data["unit"] = picked
    await ctx.goto("consult", "days")


@publish.ask("days")
async def _ask_days(ctx: Context) -> None:
    ctx.say(ctx._("How many days are comments taken? Send a number (for example 15)."))


@publish.on("days")
async def _on_days(ctx: Context, inp: Input) -> None:
    text = (inp.text or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= 90:
        ctx.say(ctx._("Please send a number of days from 1 to 90."))
        return
    ctx.data["days"] = int(text)
    await ctx.goto("consult", "confirm")


@publish.ask("confirm")
async def _ask_confirm(ctx: Context) -> None:
    d = ctx.data
    unit = await units.get(ctx.session, d["unit"])
    ctx.say(
        ctx._(
            "Publish for comment?\n{title}\n\n{summary}\n\nResidents of {unit}, for {days} days.",
            title=d["title"],
            summary=d["summary"],
            unit=unit.name if unit else "",
            days=d["days"],
        ),
        yes_no_buttons(ctx, ctx._("Publish for comment"), ctx._("Cancel")),
    )


@publish.on("confirm")
async def _on_confirm(ctx: Context, inp: Input) -> None:
    answer = yes_no(inp)
    if answer is None:
        await ctx.reask()
        return
    if not answer:
        await _stop(ctx)
        return
    d = dict(ctx.data)
    ctx.finish()
    c = await services.publish(
        ctx.session,
        ctx.person,
        ctx.roles,
        [d["unit"]],
        title=d["title"],
        summary=d["summary"],
        attachment=d.get("att"),
        closes_at=ctx.now + timedelta(days=d["days"]),
        now=ctx.now,
    )
    ctx.say(
        ctx._(
            "Draft no. {id} is published to {n} residents. /consult {id} shows the comments.", id=c.id, n=c.recipients
        )
    )


@comment.ask("text")
async def _ask_comment(ctx: Context) -> None:
    ctx.say(ctx._("Write your comment, or send a file or a voice message. Send /cancel to stop."))


@comment.on("text", accepts=("text", "attachment"))
async def _on_comment(ctx: Context, inp: Input) -> None:
    cid = ctx.data["id"]
    att = _att(inp, ("document", "photo", "voice", "audio"))
    ctx.finish()
    await services.comment(ctx.session, cid, ctx.person, text=inp.text or "", attachment=att, now=ctx.now)
    ctx.say(ctx._("Thank you, your comment is received. You may comment again before the end."))


@reply.ask("text")
async def _ask_reply(ctx: Context) -> None:
    ctx.say(ctx._("Write your reply to this comment."))


@reply.on("text")
async def _on_reply(ctx: Context, inp: Input) -> None:
    text = (inp.text or "").strip()
    if len(text) < 2:
        await ctx.reask()
        return
    cid = ctx.data["id"]
    ctx.finish()
    await services.reply(ctx.session, cid, ctx.person, ctx.roles, text, now=ctx.now)
    ctx.say(ctx._("Your reply is sent to the resident."))


@summary.ask("text")
async def _ask_sum(ctx: Context) -> None:
    ctx.say(ctx._("Write what was taken in from the comments, and why the rest was not (tiếp thu, giải trình)."))


@summary.on("text")
async def _on_sum(ctx: Context, inp: Input) -> None:
    text = (inp.text or "").strip()
    if len(text) < 5:
        await ctx.reask()
        return
    cid = ctx.data["id"]
    ctx.finish()
    await services.publish_summary(ctx.session, cid, ctx.person, ctx.roles, text, now=ctx.now)
    ctx.say(ctx._("The summary is published and sent to everyone who commented."))
