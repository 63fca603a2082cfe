"""The households feature's manifest: /household and /households, the import command, the pushes
(``notify``, connected at import), its part of /mydata and /forget, and its statistics."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import N_
from handlers.framework import Context, Figure, StatsScope
from handlers.framework.manifest import Manifest
from handlers.households import cli, commands, flows, jobs, notify, registry  # noqa: F401  (they register)
from storage.households import queries, services
from storage.households.models import Household


async def export(ctx: Context) -> list[str]:
    """/mydata: the person's household and whether they represent it."""
    assert ctx.person.id is not None
    m = await queries.membership(ctx.session, ctx.person.id)
    if m is None:
        return []
    hh = await ctx.session.get(Household, m.household_id)
    rep = await queries.current_representative(ctx.session, m.household_id)
    lines = [
        ctx._(
            "Household: {head} (since {when})",
            head=hh.head_name if hh else "",
            when=ctx.services.local(m.joined_at).strftime("%d/%m/%Y"),
        )
    ]
    if rep is not None and rep.person_id == ctx.person.id:
        lines.append(ctx._("You represent your household."))
    return lines


async def erase(ctx: Context) -> None:
    """/forget: the person leaves their household (the history says "erased", the household stays)."""
    assert ctx.person.id is not None
    await services.leave(ctx.session, ctx.person.id, "erased", now=ctx.now)


async def stats(session: AsyncSession, scope: StatsScope) -> list[Figure]:
    c = await queries.counts(session, scope.unit_ids, scope.start, scope.end)
    return [
        Figure(
            "households.confirmed",
            N_("Households confirmed"),
            c.confirmed,
            N_("Households of these villages confirmed by the village head (now)."),
        ),
        Figure(
            "households.confirmed_in_period",
            N_("Households confirmed in the period"),
            c.confirmed_in_period,
            N_("Confirmed by the village head or imported in the period."),
        ),
        Figure(
            "households.with_representative",
            N_("Households with a representative in the chat"),
            c.with_representative,
            N_("Confirmed households whose representative uses Loa Làng: they receive the ballots."),
        ),
    ]


MANIFEST = Manifest(
    name="households",
    registry=registry,
    jobs=jobs.JOBS,
    cli=cli.COMMANDS,
    export=export,
    erase=erase,
    stats=stats,
    catalog="households",
    migration_branch="households",
)
