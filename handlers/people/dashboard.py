"""/dashboard: a staff member asks for a one-time sign-in link to the web dashboard, sent to their
own chat (valid 10 minutes, works once). Lives in the people feature: it is about a person and
their roles, like /join. The link's secret is stored only as a hash (``storage.dashboard``)."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.roles import STAFF
from handlers.framework import WORK_SECTION, Context
from handlers.people import registry
from storage import dashboard


@registry.command("dashboard", description=N_("Sign in to the web dashboard"), roles=STAFF, order=25)
async def dashboard_link(ctx: Context) -> None:
    assert ctx.person.id is not None
    token = await dashboard.issue_login_token(ctx.session, ctx.person.id, ctx.roles, now=ctx.now)
    url = f"{ctx.services.public_base_url.rstrip('/')}/admin/login/{token}"
    ctx.say(
        ctx._(
            "Your sign-in link to the dashboard (it works once, for 10 minutes). Do not share it:\n{url}",
            url=url,
        )
    )


registry.help_section(WORK_SECTION, "dashboard", order=5)
