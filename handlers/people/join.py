"""/join CODE: take up a role (village head, official, inspector...) with a single-use invite code.

Somebody new may send the code first (``/join CODE``, or ``/start CODE`` from a Telegram deep link
``https://t.me/<bot>?start=<code>``). The code is checked at once, the invite is kept (by id, never
the code) in the onboarding draft, and it is redeemed when onboarding ends: nobody sends it twice.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.errors import DomainError
from bot.core.i18n import N_
from bot.core.roles import ROLE_NAMES
from handlers.framework import Context, run_command
from handlers.framework.menu import menu_buttons
from handlers.framework.steps import command_argument
from handlers.people import registry
from storage import units
from storage.people.invites import find, redeem, redeem_kept
from storage.people.models import RoleGrant
from storage.people.permissions import can_redeem_invite

ONBOARDING = "onboarding"
KEPT = "invite"  # key of the kept invite's id in the onboarding draft


@registry.command("join", description=N_("Take up a role with an invite code"), order=85)
async def join(ctx: Context) -> None:
    code = command_argument(ctx, N_("Please send the command with your code, for example: /join ABCD-EFGH-JKLM"))
    if code is not None:
        await take_invite(ctx, code)


async def take_invite(ctx: Context, code: str) -> None:
    """Redeem ``code`` now, or, for somebody who has not agreed to the privacy notice yet, check it,
    keep it and onboard them first (``/start`` runs the onboarding)."""
    if can_redeem_invite(ctx.person):
        await welcome(ctx, await redeem(ctx.session, ctx.person, code))
        return
    invite = await find(ctx.session, code)
    ctx.flow_data(ONBOARDING)[KEPT] = invite.id
    ctx.say(ctx._("Thank you. I keep your invite code and will use it as soon as your profile is set up."))
    ctx.incoming = replace(ctx.incoming, args="")
    await run_command(ctx, "start")


def drop_kept_invite(ctx: Context) -> bool:
    """Forget the kept invite (consent declined); whether there was one."""
    return bool(ctx.flow_data(ONBOARDING).pop(KEPT, None))


async def use_kept_invite(ctx: Context) -> RoleGrant | None:
    """At the end of onboarding: redeem the kept invite. A code used or expired meanwhile is said,
    and the onboarding itself is kept."""
    invite_id = ctx.flow_data(ONBOARDING).pop(KEPT, None)
    if not invite_id:
        return None
    try:
        grant = await redeem_kept(ctx.session, ctx.person, int(invite_id))  # refuses before any change
    except DomainError as err:
        ctx.say(ctx._(err.msgid, **err.params))
        return None
    return grant


async def welcome(ctx: Context, grant: RoleGrant) -> None:
    """Say which role the person now holds, with the menu of that role."""
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
