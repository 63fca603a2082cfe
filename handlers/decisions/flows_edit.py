"""Correcting a decision in the chat before the first household votes: the question or the
closing time, through ``services.edit`` (audited with before and after)."""

from __future__ import annotations

from handlers.decisions import labels, registry
from handlers.decisions.flows import closing_time
from handlers.framework import Context, Input
from handlers.framework.steps import choice_rows, is_cancel
from storage.decisions import services

edit = registry.flow("decide_edit")


@edit.ask("what")
async def _ask_what(ctx: Context) -> None:
    ctx.say(
        ctx._("What do you want to correct? It can be changed only until the first household votes."),
        choice_rows(
            ctx,
            [(ctx._("The question"), "question"), (ctx._("The closing time"), "closes")],
            cancel_label=ctx._("Cancel"),
        ),
    )


@edit.on("what")
async def _on_what(ctx: Context, inp: Input) -> None:
    if is_cancel(inp):
        ctx.finish()
        ctx.say(ctx._("All right, nothing was changed."))
        return
    if inp.value not in ("question", "closes"):
        await ctx.reask()
        return
    await ctx.goto("decide_edit", inp.value)


@edit.ask("question")
async def _ask_new_question(ctx: Context) -> None:
    ctx.say(ctx._("Write the corrected question, in one sentence. Send /cancel to stop."))


@edit.on("question")
async def _on_new_question(ctx: Context, inp: Input) -> None:
    text = (inp.text or "").strip()
    if len(text) < 5:
        await ctx.reask()
        return
    await _corrected(ctx, question=text)


@edit.ask("closes")
async def _ask_new_closes(ctx: Context) -> None:
    ctx.say(ctx._("When does the vote close now? Write the time and date, for example 20:00 20/12."))


@edit.on("closes")
async def _on_new_closes(ctx: Context, inp: Input) -> None:
    local = closing_time(ctx, inp)
    if local is not None:
        await _corrected(ctx, closes_at=local)


async def _corrected(ctx: Context, **change: object) -> None:
    did = ctx.data["id"]
    ctx.finish()
    d = await services.edit(ctx.session, did, ctx.person, ctx.roles, now=ctx.now, **change)  # type: ignore[arg-type]
    ctx.say(
        ctx._(
            "Decision no. {id} is corrected: {q} Closes at {when}.",
            id=d.id,
            q=d.question,
            when=labels.when(d.closes_at, ctx.services.tz),
        )
    )
