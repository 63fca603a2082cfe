"""/join CODE: take up a role (village head, official, inspector...) with a single-use invite code."""

from __future__ import annotations

from bot.core.i18n import N_
from handlers.people.commands import menu_buttons
from handlers.framework import Context
from handlers.people import registry
from handlers.people.profile import ROLE_NAMES
from storage import audit, units
from storage.people.invites import redeem


@registry.command("join", description=N_("Take up a role with an invite code"), order=85)
async def join(ctx: Context) -> None:
    code = ctx.incoming.args.strip()
    if not code:
        ctx.say(ctx._("Please send the command with your code, for example: /join ABCD-EFGH-JKLM"))
        return
    if ctx.person.consent_given is not True:
        ctx.say(ctx._("To use this, please first agree to how we handle your personal data. Send /start to read it."))
        return
    grant = await redeem(ctx.session, ctx.person, code)
    await audit.log(ctx.session, "invite.redeemed", "person", ctx.person.id, actor_id=ctx.person.id,
                    role=grant.role, unit_id=grant.unit_id)
    ctx.roles.append(grant)
    unit = await units.get(ctx.session, grant.unit_id) if grant.unit_id else None
    ctx.say(ctx._("Welcome. You are now {role} for {unit}. Send /help to see your commands.",
                  role=ctx._(ROLE_NAMES.get(grant.role, grant.role)),
                  unit=unit.name if unit else ctx._("the whole area")), menu_buttons(ctx))
