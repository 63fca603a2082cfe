"""/join CODE: take up a role (village head, official, inspector...) with a single-use invite code."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.roles import ROLE_NAMES
from handlers.framework import Context, Fallback, run_fallback
from handlers.framework.menu import menu_buttons
from handlers.framework.steps import command_argument
from handlers.people import registry
from storage import units
from storage.people.invites import redeem
from storage.people.permissions import can_redeem_invite


@registry.command("join", description=N_("Take up a role with an invite code"), order=85)
async def join(ctx: Context) -> None:
    code = command_argument(ctx, N_("Please send the command with your code, for example: /join ABCD-EFGH-JKLM"))
    if code is None:
        return
    if not can_redeem_invite(ctx.person):
        await run_fallback(ctx, Fallback.NEEDS_CONSENT)
        return
    grant = await redeem(ctx.session, ctx.person, code)
    ctx.roles.append(grant)
    unit = await units.get(ctx.session, grant.unit_id) if grant.unit_id else None
    ctx.say(
        ctx._(
            "Welcome. You are now {role} for {unit}. Send /help to see your commands.",
            role=ctx._(ROLE_NAMES.get(grant.role, grant.role)),
            unit=unit.name if unit else ctx._("the whole area"),
        ),
        menu_buttons(ctx),
    )
