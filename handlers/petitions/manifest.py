"""The petitions feature's manifest: submission and tracking, the officials' queue and actions, the
pushes (``notify``: its receivers are connected when this module is imported), the reminder,
escalation, digest and auto-close jobs, ``loalang cases``, the /mydata lines, the /forget erasure and
the dashboard figures."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import N_
from handlers.framework import Context
from handlers.framework.manifest import Figure, Manifest, StatsScope
from handlers.petitions import (  # noqa: F401  (they register)
    actions,
    cli,
    commands,
    flows,
    flows_send,
    jobs,
    notify,
    queue,
    registry,
    render,
    track,
)
from handlers.petitions.render import fmt_date, route_text, status_text
from storage import petitions
from storage.petitions.deadlines import WorkingCalendar

EXPORT_LIMIT = 50
NATIONAL_CALENDAR = WorkingCalendar()
"""Holidays and Vietnam's time zone, for a scope that names no deployment folder."""


def _calendar(scope: StatsScope) -> WorkingCalendar:
    """The deployment's working calendar (its make-up days and extra days off), else the national one."""
    if scope.deployment_dir is None:
        return NATIONAL_CALENDAR
    return petitions.load_config(scope.deployment_dir).calendar


async def export(ctx: Context) -> list[str]:
    """The person's petitions (newest first) in /mydata."""
    items = await petitions.mine(ctx.session, ctx.person.id or 0, page=0, page_size=EXPORT_LIMIT)
    if not items:
        return []
    lines = [ctx._("Your petitions:")]
    lines += [
        f"• {c.code} · {route_text(ctx, c.route)} · {status_text(ctx, c.status)} · {fmt_date(ctx, c.created_at)}"
        for c in items
    ]
    return lines


async def erase(ctx: Context) -> None:
    """/forget: the person's petitions stay as public record without their identity."""
    if ctx.person.id is not None:
        await petitions.deidentify_author(ctx.session, ctx.person.id)


async def stats(session: AsyncSession, scope: StatsScope) -> list[Figure]:
    """The dashboard's petition figures for a scope and period (aggregate queries: see ``scope_stats``)."""
    s = await petitions.scope_stats(session, _calendar(scope), scope.unit_ids, scope.start, scope.end)
    return [
        Figure(
            "petitions.received",
            N_("Petitions received"),
            s.received,
            N_("Petitions of every kind residents sent in the period."),
        ),
        Figure(
            "petitions.acknowledged_on_time",
            N_("Acknowledged on time (%)"),
            s.ack_on_time_pct,
            N_(
                "Of the petitions received in the period whose acknowledge date has come, the share "
                "acknowledged by that date."
            ),
        ),
        Figure(
            "petitions.answered_on_time",
            N_("Answered on time (%)"),
            s.answered_on_time_pct,
            N_("Of the answers given in the period, the share given by the answer date."),
        ),
        Figure(
            "petitions.median_days_to_answer",
            N_("Median working days to answer"),
            s.median_days_to_answer,
            N_("Half of the answers given in the period took at most this many working days."),
        ),
        Figure(
            "petitions.overdue",
            N_("Overdue now"),
            s.overdue,
            N_(
                "Open petitions past their answer date at the end of the period, not counting those "
                "waiting for the resident."
            ),
        ),
        Figure(
            "petitions.reopened",
            N_("Reopened (%)"),
            s.reopened_pct,
            N_("Of the petitions received in the period and answered, the share the resident reopened."),
        ),
        Figure(
            "petitions.rating_mean",
            N_("Mean rating (1–5)"),
            s.mean_rating,
            N_("The mean of the ratings residents gave to answers in the period."),
        ),
        Figure(
            "petitions.rating_count", N_("Ratings"), s.ratings, N_("How many answers residents rated in the period.")
        ),
    ]


MANIFEST = Manifest(
    name="petitions",
    registry=registry,
    jobs=jobs.JOBS,
    cli=cli.COMMANDS,
    export=export,
    erase=erase,
    stats=stats,
    catalog="petitions",
    migration_branch="cases",
)
