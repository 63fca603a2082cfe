"""The decisions feature's manifest: /decide, /votes and the ballot buttons, the scheduled open,
reminders, close and report reminders, its part of /mydata and /forget, and its statistics for the
yearly assessment (decisions, turnout, passed, reports on time)."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import N_
from handlers.decisions import commands, dashboard, flows, flows_edit, jobs, notify, registry  # noqa: F401  (they register)
from handlers.framework import Context, Figure, StatsScope
from handlers.framework.manifest import Manifest
from handlers.framework.sections import DashboardSection
from storage.decisions import queries
from storage.decisions.models import DecisionTurnout


async def export(ctx: Context) -> list[str]:
    """/mydata: how many votes the person cast for their household (never what)."""
    assert ctx.person.id is not None
    n = (
        await ctx.session.exec(
            select(func.count()).select_from(DecisionTurnout).where(DecisionTurnout.person_id == ctx.person.id)
        )
    ).one()
    return [ctx._("Votes you cast for your household: {n}.", n=int(n))] if n else []


async def erase(ctx: Context) -> None:
    """/forget: the household's turnout stays (it voted), but no longer says who cast it."""
    assert ctx.person.id is not None
    await ctx.session.exec(
        update(DecisionTurnout).where(col(DecisionTurnout.person_id) == ctx.person.id).values(person_id=None)
    )


async def stats(session: AsyncSession, scope: StatsScope) -> list[Figure]:
    c = await queries.period_counts(session, scope.unit_ids, scope.start, scope.end)
    return [
        Figure(
            "decisions.closed",
            N_("Village decisions"),
            c.closed,
            N_("Decisions closed in the period (votes and meetings)."),
        ),
        Figure(
            "decisions.passed",
            N_("Decisions passed"),
            c.passed,
            N_("Of those, the ones that met the quorum and the pass rule."),
        ),
        Figure(
            "decisions.turnout",
            N_("Household turnout"),
            c.voted / c.eligible if c.eligible else None,
            N_(
                "Households that voted (or were present) divided by the households entitled to, "
                "over all those decisions."
            ),
        ),
        Figure(
            "decisions.reported_on_time",
            N_("Reports to the commune on time"),
            c.reported_on_time,
            N_("Decisions whose minutes reached the commune within the working days the law gives."),
        ),
    ]


MANIFEST = Manifest(
    name="decisions",
    registry=registry,
    jobs=jobs.JOBS,
    export=export,
    erase=erase,
    stats=stats,
    dashboard=(
        DashboardSection(
            "decisions",
            N_("Village votes"),
            dashboard.READERS,
            dashboard.rows,
            dashboard.detail,
            N_("Open votes with the households' turnout against the quorum; closed ones with their result."),
        ),
    ),
    catalog="decisions",
    migration_branch="decisions",
)
