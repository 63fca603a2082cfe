"""The consultations feature's manifest: /consult, the comment, reply and summary flows, the close of
comment periods, its part of /mydata and /forget, and its statistics."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import N_
from handlers.consultations import commands, dashboard, flows, jobs, notify, registry  # noqa: F401  (they register)
from handlers.framework import Context, Figure, StatsScope
from handlers.framework.manifest import Manifest
from handlers.framework.sections import DashboardSection
from storage.consultations import queries, services


async def export(ctx: Context) -> list[str]:
    assert ctx.person.id is not None
    n = await queries.comment_count(ctx.session, ctx.person.id)
    return [ctx._("Comments you made on drafts: {n}.", n=n)] if n else []


async def erase(ctx: Context) -> None:
    assert ctx.person.id is not None
    await services.erase_person(ctx.session, ctx.person.id)


async def stats(session: AsyncSession, scope: StatsScope) -> list[Figure]:
    c = await queries.period_counts(session, scope.unit_ids, scope.start, scope.end)
    return [
        Figure(
            "consultations.published",
            N_("Drafts put to residents for comment"),
            c.published,
            N_("Published in the period to these units."),
        ),
        Figure(
            "consultations.comments",
            N_("Comments on drafts"),
            c.comments,
            N_("Comments residents sent on those drafts."),
        ),
        Figure(
            "consultations.summarised",
            N_("Drafts with a published summary"),
            c.summarised,
            N_("Of those drafts, the ones whose summary of what was taken in was published."),
        ),
    ]


MANIFEST = Manifest(
    name="consultations",
    registry=registry,
    jobs=jobs.JOBS,
    export=export,
    erase=erase,
    stats=stats,
    dashboard=(
        DashboardSection(
            "consultations",
            N_("Drafts for comment"),
            dashboard.READERS,
            dashboard.rows,
            dashboard.detail,
            N_("Drafts put to residents for comment, and their comments grouped by village."),
        ),
    ),
    catalog="consultations",
    migration_branch="consultations",
)
