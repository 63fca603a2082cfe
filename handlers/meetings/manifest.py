"""The meetings feature's manifest: /meeting and /meetings, the announcement and minutes flows, the
answer buttons, the reminders, its part of /mydata and /forget, and its statistics for the yearly
assessment (meetings held, households that confirmed they would come, minutes published)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import N_
from handlers.framework import Context, Figure, StatsScope
from handlers.framework.manifest import Manifest
from handlers.framework.sections import DashboardSection
from handlers.meetings import commands, dashboard, flows, jobs, notify, registry  # noqa: F401  (they register)
from storage.db import utcnow
from storage.meetings import queries, services


async def export(ctx: Context) -> list[str]:
    assert ctx.person.id is not None
    n = await queries.answers_by(ctx.session, ctx.person.id)
    return [ctx._("Meeting attendance you answered for your household: {n}.", n=n)] if n else []


async def erase(ctx: Context) -> None:
    assert ctx.person.id is not None
    await services.erase_person(ctx.session, ctx.person.id)


async def stats(session: AsyncSession, scope: StatsScope) -> list[Figure]:
    c = await queries.period_counts(session, scope.unit_ids, scope.start, scope.end, utcnow())
    return [
        Figure(
            "meetings.held",
            N_("Village meetings held"),
            c.held,
            N_("Meetings announced in the chat whose time came in the period."),
        ),
        Figure(
            "meetings.confirmed",
            N_("Households that confirmed attendance"),
            c.confirmed,
            N_("Over those meetings, households whose representative said they would come."),
        ),
        Figure(
            "meetings.minutes",
            N_("Meetings with published minutes"),
            c.minutes,
            N_("Of those meetings, the ones whose minutes were sent to the households."),
        ),
    ]


MANIFEST = Manifest(
    name="meetings",
    registry=registry,
    jobs=jobs.JOBS,
    export=export,
    erase=erase,
    stats=stats,
    dashboard=(
        DashboardSection(
            "meetings",
            N_("Village meetings"),
            dashboard.READERS,
            dashboard.rows,
            dashboard.detail,
            N_("Upcoming meetings with the households' answers; past ones with their minutes."),
        ),
    ),
    catalog="meetings",
    migration_branch="meetings",
)
