"""The resident's side after sending: /mine, /status CODE, add information, withdraw, rate 1–5 with a
comment, reopen once, follow a similar case, and /public (answered petitions their authors agreed to
publish). The personal-data parts (/mydata, /forget) are in ``manifest.py``.

Resident buttons are global (``t:<action>:<case_id>``) so they work from any old message; what they
start is a small flow whose step buttons are bound to the prompt (a double tap is harmless).
"""

from __future__ import annotations

from typing import Any

from bot.core.errors import DomainError, NotFound
from bot.core.i18n import N_
from bot.core.messages import Button
from bot.core.textfold import fold
from handlers.framework import Context, Input
from handlers.framework.menu import menu_buttons
from handlers.framework.steps import command_argument, is_cancel, yes_no
from handlers.petitions import claim, registry
from handlers.petitions.buttons import RESIDENT_PREFIX, parse_stars, resident_data
from handlers.petitions.flows import receive_file
from handlers.petitions.render import fmt_date, route_text, show_case, status_text
from storage import petitions
from storage.petitions.codes import example_code
from storage.petitions.errors import AlreadyRated, InvalidTransition
from storage.petitions.files import StoredFile
from storage.petitions.rules import CaseAction

A = CaseAction
FLOW = "track"
flow = registry.flow(FLOW, title=N_("your answer about a petition"))
MINE_PAGE = 10
OLD_RESIDENT_BUTTON = N_(
    "This button is from an older message and no longer works. Send /mine to see your petitions, "
    "or /status with the tracking code."
)
STEPS = {A.ADD_INFO: "info", A.WITHDRAW: "withdraw", A.RATE: "stars", A.REOPEN: "reopen"}
"""The resident's actions that ask something first, and the step that asks it."""


# --- /mine, /status, /public -------------------------------------------------------------------
@registry.command("mine", description=N_("Your petitions and their status"), order=11)
async def mine(ctx: Context) -> None:
    await show_mine(ctx, 0)


async def show_mine(ctx: Context, page: int) -> None:
    items = await petitions.mine(ctx.session, ctx.person.id or 0, page=0, page_size=(page + 1) * MINE_PAGE + 1)
    more = len(items) > (page + 1) * MINE_PAGE
    items = items[page * MINE_PAGE : (page + 1) * MINE_PAGE]
    if not items and page == 0:
        ctx.say(ctx._("You have not sent any petition yet. Send /feedback to send one."), menu_buttons(ctx))
        return
    lines = [ctx._("Your petitions:")]
    rows = []
    for c in items:
        lines.append(
            f"• {c.code} · {route_text(ctx, c.route)} · {status_text(ctx, c.status)} · {fmt_date(ctx, c.created_at)}"
        )
        rows.append([_tb(ctx, ctx._("Open {code}", code=c.code), "open", c.code)])
    nav = []
    if page > 0:
        nav.append(_tb(ctx, ctx._("◀ Previous"), "mine", page - 1))
    if more:
        nav.append(_tb(ctx, ctx._("Next ▶"), "mine", page + 1))
    if nav:
        rows.append(nav)
    ctx.say("\n".join(lines), rows)


@registry.command("status", description=N_("Look up a petition by its tracking code"), order=12)
async def status(ctx: Context) -> None:
    example = example_code(petitions.config_for(ctx.services).code_prefix, ctx.services.local(ctx.now).year)
    code = command_argument(
        ctx, N_("Please send the command with the tracking code, for example: /status {example}"), example=example
    )
    if code is not None:
        try:
            await show_case(ctx, code[:40])
        except NotFound:
            if not await claim.offer(ctx, code[:40]):  # a petition another system filed: ask for its phone
                raise


@registry.command("public", description=N_("Answered petitions published in your ward"), order=13)
async def public(ctx: Context) -> None:
    await show_public(ctx, 0)


async def show_public(ctx: Context, page: int) -> None:
    if ctx.person.ward_id is None:
        ctx.say(ctx._("Please tell us your ward first with /start, then send /public again."))
        return
    cfg = petitions.config_for(ctx.services)
    items = await petitions.public_cases(ctx.session, ctx.person.ward_id, page=page, page_size=5)
    if not items:
        ctx.say(ctx._("No published answers yet in your ward.") if page == 0 else ctx._("No more published answers."))
        return
    blocks = [ctx._("Answered petitions in your ward (published without names):")]
    for p in items:
        blocks.append(
            "\n".join(
                [
                    f"— {route_text(ctx, p.route)} · {cfg.category_label(p.category, ctx.locale)} · "
                    f"{fmt_date(ctx, p.created_at)}",
                    p.text,
                    ctx._("Answer ({date}): {answer}", date=fmt_date(ctx, p.answered_at), answer=p.answer or ""),
                ]
            )
        )
    ctx.say("\n\n".join(blocks), [[_tb(ctx, ctx._("More"), "public", page + 1)]] if len(items) == 5 else [])


# --- resident action buttons ---------------------------------------------------------------------
def _tb(ctx: Context, label: str, action: str, arg: int | str | None) -> Button:
    return Button(label, resident_data(action, arg))


@registry.action(RESIDENT_PREFIX)
async def resident_button(ctx: Context, arg: str) -> None:
    action, _, rest = arg.partition(":")
    if action in ("mine", "public"):  # page buttons carry a page number
        if not rest.isdigit():
            raise NotFound()
        await (show_mine if action == "mine" else show_public)(ctx, int(rest))
        return
    if rest.isdigit():  # buttons sent before petitions were named by code: one answer for all of them
        ctx.say(ctx._(OLD_RESIDENT_BUTTON))
        return
    code = rest.upper()[:40]
    if action == "open":
        await show_case(ctx, code)
        return
    access = await petitions.visible_case(ctx.session, code, ctx.person, list(ctx.roles))
    case = access.case
    assert case.id is not None
    if action == A.FOLLOW:
        new = await petitions.follow(ctx.session, case.id, ctx.person, now=ctx.now)
        ctx.say(
            ctx._("You now follow {code}. We will tell you when it is answered.", code=case.code)
            if new
            else ctx._("You already follow {code}.", code=case.code)
        )
        return
    if action == A.UNFOLLOW:
        await petitions.unfollow(ctx.session, case.id, ctx.person)
        ctx.say(ctx._("You no longer follow {code}.", code=case.code))
        return
    allowed = await petitions.allowed_actions(
        ctx.session, petitions.config_for(ctx.services), access, list(ctx.roles), now=ctx.now
    )
    stars = parse_stars(action)
    if stars is not None:  # one press under the pushed answer: the stars are chosen, a comment may follow
        action = A.RATE
    if action not in STEPS:
        raise NotFound()
    if action not in allowed:
        if action == A.RATE and access.role == "author" and case.rating is not None:
            raise AlreadyRated()
        ctx.say(ctx._("That cannot be done with this petition in its current state."))
        await show_case(ctx, case.id)
        return
    ctx.conv.data[FLOW] = {"action": action, "case_id": case.id, "code": case.code, "version": case.version}
    if stars is not None:
        ctx.conv.data[FLOW]["stars"] = stars
        await ctx.goto(FLOW, "comment")
        return
    await ctx.goto(FLOW, STEPS[CaseAction(action)])


def _cancel_row(ctx: Context) -> list[Any]:
    return [ctx.button(ctx._("Cancel"), "cancel")]


async def _cancelled(ctx: Context) -> None:
    ctx.finish()
    ctx.say(ctx._("Cancelled. Nothing was changed."), menu_buttons(ctx))


# --- add information ---------------------------------------------------------------------------
@flow.ask("info")
async def ask_info(ctx: Context) -> None:
    d = ctx.data
    n = len(d.get("files", []))
    text = ctx._("Add information to {code}: type it, or send photos or documents. Then press Send.", code=d["code"])
    if n or d.get("text"):
        text += "\n" + ctx._(
            "Received so far: {chars} characters of text, {files} files.", chars=len(d.get("text", "")), files=n
        )
    ctx.say(text, [[ctx.button(ctx._("Send"), "send")], _cancel_row(ctx)])


@flow.on("info", accepts=("text", "button", "attachment"))
async def on_info(ctx: Context, inp: Input) -> None:
    d = ctx.data
    if is_cancel(inp):
        await _cancelled(ctx)
        return
    if inp.value == "send":
        if not d.get("text") and not d.get("files"):
            ctx.say(ctx._("Please type the information or send a file first."))
            return
        cfg = petitions.config_for(ctx.services)
        ctx.finish()
        try:
            await petitions.add_info(
                ctx.session,
                cfg,
                d["case_id"],
                ctx.person,
                now=ctx.now,
                text=d.get("text") or None,
                attachments=[StoredFile.from_dict(f) for f in d.get("files", [])],
            )
        except InvalidTransition as err:
            ctx.say(ctx._(err.msgid, **err.params))
            return
        ctx.say(ctx._("Thank you. The information was added to {code}.", code=d["code"]), menu_buttons(ctx))
        return
    if inp.attachments:
        files = d.setdefault("files", [])
        for att in inp.attachments:
            if len(files) >= petitions.MAX_ATTACHMENTS:
                ctx.say(ctx._("You have already added {max} files, the most allowed.", max=petitions.MAX_ATTACHMENTS))
                break
            try:
                files.append((await receive_file(ctx, att)).to_dict())
            except DomainError as err:
                ctx.say(ctx._(err.msgid, **err.params))
    if inp.text:
        joined = "\n".join(x for x in (d.get("text"), inp.text) if x)
        if len(joined) > petitions.DESCRIPTION_MAX:
            ctx.say(
                ctx._(
                    "Your text has {count} characters; the limit is {max}. Your draft is kept. Please send a "
                    "shorter version.",
                    count=len(joined),
                    max=petitions.DESCRIPTION_MAX,
                )
            )
            return
        d["text"] = joined
    await ctx.reask()


# --- withdraw ----------------------------------------------------------------------------------
@flow.ask("withdraw")
async def ask_withdraw(ctx: Context) -> None:
    ctx.say(
        ctx._("Withdraw {code}? The ward will stop handling it.", code=ctx.data["code"]),
        [[ctx.button(ctx._("Yes, withdraw"), "yes"), ctx.button(ctx._("No, keep it"), "cancel")]],
    )


@flow.on("withdraw")
async def on_withdraw(ctx: Context, inp: Input) -> None:
    d = ctx.data
    if yes_no(inp) is not True:
        await _cancelled(ctx)
        return
    ctx.finish()
    await petitions.withdraw(ctx.session, petitions.config_for(ctx.services), d["case_id"], ctx.person, now=ctx.now)
    ctx.say(ctx._("{code} is withdrawn.", code=d["code"]), menu_buttons(ctx))


# --- rate --------------------------------------------------------------------------------------
@flow.ask("stars")
async def ask_stars(ctx: Context) -> None:
    ctx.say(
        ctx._("How satisfied are you with the answer to {code}? 1 = not at all, 5 = fully.", code=ctx.data["code"]),
        [[ctx.button(str(i) + "★", str(i)) for i in range(1, 6)], _cancel_row(ctx)],
    )


@flow.on("stars")
async def on_stars(ctx: Context, inp: Input) -> None:
    value = inp.value or (inp.text or "").strip()[:1]
    if is_cancel(inp):
        await _cancelled(ctx)
        return
    if value not in ("1", "2", "3", "4", "5"):
        ctx.say(ctx._("Please choose a number from 1 to 5."))
        await ctx.reask()
        return
    ctx.data["stars"] = int(value)
    await ctx.goto(FLOW, "comment")


@flow.ask("comment")
async def ask_comment(ctx: Context) -> None:
    ctx.say(
        "\n".join(
            [
                ctx._("Rating for {code}: {stars}★.", code=ctx.data["code"], stars=ctx.data["stars"]),
                ctx._("Would you like to add a comment? Type it, or press Skip."),
            ]
        ),
        [[ctx.button(ctx._("Skip"), "skip")]],
    )


@flow.on("comment")
async def on_comment(ctx: Context, inp: Input) -> None:
    d = ctx.data
    comment = None if inp.value == "skip" or fold(inp.text or "") in ("bo qua", "skip") else (inp.text or "").strip()
    if comment and len(comment) > 1000:
        ctx.say(ctx._("Please keep the comment under {max} characters.", max=1000))
        return
    ctx.finish()
    case = await petitions.rate(
        ctx.session,
        petitions.config_for(ctx.services),
        d["case_id"],
        ctx.person,
        stars=d["stars"],
        now=ctx.now,
        comment=comment or None,
    )
    ctx.say(ctx._("Thank you for your rating."))
    assert case.id is not None
    access = await petitions.visible_case(ctx.session, case.id, ctx.person, list(ctx.roles))
    if d["stars"] <= 2 and A.REOPEN in await petitions.allowed_actions(
        ctx.session, petitions.config_for(ctx.services), access, list(ctx.roles), now=ctx.now
    ):
        ctx.say(
            ctx._("If the problem is not solved, you can reopen the petition once."),
            [[_tb(ctx, ctx._("Reopen"), A.REOPEN, case.code)]],
        )


# --- reopen ------------------------------------------------------------------------------------
@flow.ask("reopen")
async def ask_reopen(ctx: Context) -> None:
    ctx.say(
        ctx._(
            "Why is the answer to {code} not satisfactory? Your reason goes to the head of the ward. "
            "A petition can be reopened once.",
            code=ctx.data["code"],
        ),
        [_cancel_row(ctx)],
    )


@flow.on("reopen")
async def on_reopen(ctx: Context, inp: Input) -> None:
    d = ctx.data
    if is_cancel(inp):
        await _cancelled(ctx)
        return
    reason = (inp.text or "").strip()
    if len(reason) < 10:
        ctx.say(ctx._("Please give a reason of at least 10 characters."))
        return
    ctx.finish()
    await petitions.reopen(
        ctx.session, petitions.config_for(ctx.services), d["case_id"], ctx.person, reason=reason[:2000], now=ctx.now
    )
    ctx.say(ctx._("{code} is reopened and back in the queue of the ward.", code=d["code"]), menu_buttons(ctx))
