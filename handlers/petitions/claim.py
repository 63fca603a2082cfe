"""Following in the chat a petition another system filed (Open311): ``/status CODE`` on such a
petition asks for the phone number given when it was filed; the right one makes the resident a
follower (status pushes, the public answer), a wrong one is counted (a few tries a day). The rules
and why a follower, not the author: ``storage.apikeys.claims``.
"""

from __future__ import annotations

from bot.core.i18n import N_
from handlers.framework import Context, Input
from handlers.framework.menu import menu_buttons
from handlers.framework.steps import is_cancel
from handlers.petitions import registry
from handlers.petitions.render import show_case
from storage import apikeys, petitions

FLOW = "claim"
flow = registry.flow(FLOW, title=N_("following a petition sent through another system"))


async def offer(ctx: Context, code: str) -> bool:
    """Start the claim if ``code`` is an API-filed petition this person could follow; False otherwise
    (the caller answers as for a missing petition)."""
    cfg = petitions.config_for(ctx.services)
    case = await apikeys.claimable_case(ctx.session, code, ctx.person, prefix=cfg.code_prefix)
    if case is None or case.id is None:
        return False
    if await apikeys.tries_left(ctx.session, case, ctx.person, now=ctx.now) <= 0:
        ctx.say(ctx._(TOO_MANY))
        return True
    ctx.conv.data[FLOW] = {"case_id": case.id, "code": case.code}
    await ctx.goto(FLOW, "phone")
    return True


TOO_MANY = N_("Too many wrong phone numbers today. Please try again tomorrow, or ask the ward office to help you.")


@flow.ask("phone")
async def ask_phone(ctx: Context) -> None:
    ctx.say(
        ctx._(
            "The petition {code} was sent through another system (for example the commune portal). "
            "To follow it here, please send the phone number given when it was sent, for example 0912 345 678.",
            code=ctx.data["code"],
        ),
        [[ctx.button(ctx._("Cancel"), "cancel")]],
    )


@flow.on("phone")
async def on_phone(ctx: Context, inp: Input) -> None:
    d = ctx.data
    if is_cancel(inp):
        ctx.finish()
        ctx.say(ctx._("Cancelled. Nothing was changed."), menu_buttons(ctx))
        return
    if apikeys.phone_key(inp.text) is None:
        ctx.say(ctx._("That does not look like a phone number. Please send it like 0912 345 678."))
        return
    result = await apikeys.claim_case(ctx.session, d["case_id"], ctx.person, inp.text or "", now=ctx.now)
    if result.outcome is apikeys.ClaimOutcome.LINKED:
        ctx.finish()
        ctx.say(
            ctx._(
                "Thank you. You now follow {code}: we will tell you here when it is handled and answered.",
                code=d["code"],
            )
        )
        await show_case(ctx, d["case_id"])
        return
    if result.outcome is apikeys.ClaimOutcome.LIMITED:
        ctx.finish()
        ctx.say(ctx._(TOO_MANY), menu_buttons(ctx))
        return
    ctx.say(
        ctx._(
            "Sorry, this phone number is not the one given with {code}. You can try {left} more times today.",
            code=d["code"],
            left=result.tries_left,
        ),
        [[ctx.button(ctx._("Cancel"), "cancel")]],
    )
