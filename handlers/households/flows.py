"""/household in the chat: declare a household (head's name, number of people, "I am an adult
member and represent it") or join one with the code its representative shares ("are you 18 or
older?"); choose whom to hand the representation over to; leave the household."""

from __future__ import annotations

from bot.core.i18n import N_
from handlers.framework import Context, Input
from handlers.framework.steps import CANCEL, choice_rows, is_cancel, yes_no, yes_no_buttons
from handlers.households import registry
from storage.households import queries, services

flow = registry.flow("household", title=N_("your household declaration"))
handover = registry.flow("household_handover")
leave = registry.flow("household_leave")


async def _cancelled(ctx: Context) -> None:
    ctx.finish()
    ctx.say(ctx._("All right, nothing was changed."))


@flow.ask("start")
async def _ask_start(ctx: Context) -> None:
    ctx.say(
        ctx._(
            "You are not in a household yet. Votes in the village are cast per household, by its representative. "
            "Declare your household, or join it with the code its representative gives you."
        ),
        choice_rows(
            ctx,
            [(ctx._("Declare my household"), "declare"), (ctx._("Join with a code"), "join")],
            cancel_label=ctx._("Cancel"),
        ),
    )


@flow.on("start")
async def _on_start(ctx: Context, inp: Input) -> None:
    if is_cancel(inp):
        await _cancelled(ctx)
    elif inp.value == "declare":
        if ctx.person.village_id is None:
            ctx.finish()
            ctx.say(ctx._(services.NoVillage.msgid))
            return
        await ctx.goto("household", "head")
    elif inp.value == "join":
        await ctx.goto("household", "code")
    else:
        await ctx.reask()


@flow.ask("head")
async def _ask_head(ctx: Context) -> None:
    ctx.say(ctx._("What is the full name of the head of the household (chủ hộ)?"))


@flow.on("head")
async def _on_head(ctx: Context, inp: Input) -> None:
    name = " ".join((inp.text or "").split())
    if len(name) < 2:
        await ctx.reask()
        return
    ctx.data["head"] = name[:200]
    await ctx.goto("household", "size")


@flow.ask("size")
async def _ask_size(ctx: Context) -> None:
    ctx.say(ctx._("How many people live in the household? Send a number."))


@flow.on("size")
async def _on_size(ctx: Context, inp: Input) -> None:
    text = (inp.text or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= services.MAX_SIZE:
        ctx.say(ctx._("Please send a number from 1 to {n}.", n=services.MAX_SIZE))
        return
    ctx.data["size"] = int(text)
    await ctx.goto("household", "confirm")


@flow.ask("confirm")
async def _ask_confirm(ctx: Context) -> None:
    ctx.say(
        ctx._(
            "Head of household: {head}\nPeople: {size}\n\nYou will represent the household and vote for it. "
            "Are you an adult member of this household?",
            head=ctx.data["head"],
            size=ctx.data["size"],
        ),
        yes_no_buttons(ctx, ctx._("Yes, send the declaration"), ctx._("Cancel")),
    )


@flow.on("confirm")
async def _on_confirm(ctx: Context, inp: Input) -> None:
    answer = yes_no(inp)
    if answer is None:
        await ctx.reask()
        return
    if not answer:
        await _cancelled(ctx)
        return
    head, size = ctx.data["head"], ctx.data["size"]
    ctx.finish()
    hh = await services.declare(ctx.session, ctx.person, head_name=head, size=size, now=ctx.now)
    ctx.say(
        ctx._(
            "Thank you. The village head will confirm your household. Members can join it with the code {code} "
            "(send /household, then “Join with a code”).",
            code=hh.code,
        )
    )


@flow.ask("code")
async def _ask_code(ctx: Context) -> None:
    ctx.say(ctx._("Send the household code (for example HG-7K2M9Q)."))


@flow.on("code")
async def _on_code(ctx: Context, inp: Input) -> None:
    if is_cancel(inp):
        await _cancelled(ctx)
        return
    ctx.data["code"] = (inp.text or "")[:40]
    await ctx.goto("household", "adult")


@flow.ask("adult")
async def _ask_adult(ctx: Context) -> None:
    ctx.say(ctx._("Are you 18 or older?"), yes_no_buttons(ctx, ctx._("Yes"), ctx._("No")))


@flow.on("adult")
async def _on_adult(ctx: Context, inp: Input) -> None:
    adult = yes_no(inp)
    if adult is None:
        await ctx.reask()
        return
    code = ctx.data.get("code", "")
    ctx.finish()
    hh = await services.join(ctx.session, ctx.person, code, adult=adult, now=ctx.now)
    assert ctx.person.id is not None and hh.id is not None
    rep = await queries.current_representative(ctx.session, hh.id)
    if rep is not None and rep.person_id == ctx.person.id:
        ctx.say(ctx._("You joined household {head} and you represent it.", head=hh.head_name))
    else:
        ctx.say(ctx._("You joined household {head}.", head=hh.head_name))


# --- handover and leaving ------------------------------------------------------------------------


@handover.ask("pick")
async def _ask_pick(ctx: Context) -> None:
    assert ctx.person.id is not None
    m = await queries.membership(ctx.session, ctx.person.id)
    others = [
        (p.display_name or "—", str(p.id))
        for mm, p in (await queries.members(ctx.session, m.household_id) if m else [])
        if mm.adult and p.id != ctx.person.id
    ]
    if not others:
        ctx.finish()
        ctx.say(
            ctx._("No other adult member has joined your household yet. Share your household code with them first.")
        )
        return
    ctx.say(
        ctx._("Who should represent the household from now on? The village head will confirm."),
        choice_rows(ctx, others, cancel_label=ctx._("Cancel")),
    )


@handover.on("pick")
async def _on_pick(ctx: Context, inp: Input) -> None:
    if is_cancel(inp):
        await _cancelled(ctx)
        return
    if not (inp.value or "").isdigit():
        await ctx.reask()
        return
    ctx.finish()
    await services.request_handover(ctx.session, ctx.person, int(inp.value or 0), now=ctx.now)
    ctx.say(ctx._("Sent to the village head. Until they confirm, you still represent the household."))


@leave.ask("confirm")
async def _ask_leave(ctx: Context) -> None:
    ctx.say(
        ctx._("Leave your household? You will no longer receive its ballots."),
        yes_no_buttons(ctx, ctx._("Leave"), ctx._("Cancel")),
    )


@leave.on("confirm")
async def _on_leave(ctx: Context, inp: Input) -> None:
    answer = yes_no(inp)
    if answer is None or inp.value == CANCEL:
        await _cancelled(ctx)
        return
    ctx.finish()
    if answer:
        assert ctx.person.id is not None
        await services.leave(ctx.session, ctx.person.id, "left", now=ctx.now)
        ctx.say(ctx._("You have left the household."))
    else:
        ctx.say(ctx._("All right, nothing was changed."))
