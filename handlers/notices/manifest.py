"""The notices feature's manifest: composing, scheduling and sending notices, the resident's list,
its part of /mydata and /forget, and its statistics."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import N_
from handlers.framework import Context, Figure, StatsScope
from handlers.framework.manifest import Manifest
from handlers.notices import commands, flows, jobs, notify, registry  # noqa: F401  (they register)
from storage.notices import queries, services


async def export(ctx: Context) -> list[str]:
    """/mydata: how many notices the person marked as read."""
    assert ctx.person.id is not None
    n = await queries.seen_count(ctx.session, ctx.person.id)
    return [ctx._("Notices you marked as read: {n}.", n=n)] if n else []


async def erase(ctx: Context) -> None:
    """/forget: the person's "seen" marks."""
    assert ctx.person.id is not None
    await services.erase_person(ctx.session, ctx.person.id)


async def stats(session: AsyncSession, scope: StatsScope) -> list[Figure]:
    """Notices sent to the units in the period, their messages delivered, and "seen" marks."""
    c = await queries.period_counts(session, scope.unit_ids, scope.start, scope.end)
    return [
        Figure(
            "notices.sent",
            N_("Notices sent"),
            c.sent,
            N_("Notices from the ward and village heads that went out in the period to these units."),
        ),
        Figure(
            "notices.delivered",
            N_("Notice messages delivered"),
            c.delivered,
            N_("Messages of those notices that reached a resident's chat."),
        ),
        Figure(
            "notices.seen",
            N_("Notices marked “Seen”"),
            c.seen,
            N_("Times a resident pressed “Seen” on one of those notices."),
        ),
        Figure(
            "notices.seen_rate",
            N_("Share of delivered notices marked “Seen”"),
            c.seen / c.delivered if c.delivered else None,
            N_("“Seen” marks divided by messages delivered (none when nothing was delivered)."),
        ),
    ]


MANIFEST = Manifest(
    name="notices",
    registry=registry,
    jobs=jobs.JOBS,
    export=export,
    erase=erase,
    stats=stats,
    catalog="notices",
    migration_branch="notices",
)
