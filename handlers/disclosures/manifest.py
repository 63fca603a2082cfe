"""The disclosure register's manifest: the official's /disclose, the residents' /congkhai, the
Art. 13 daily reminders, the compliance CLI, its part of /mydata and /forget, and its figures for
the dashboard's yearly assessment."""

from __future__ import annotations

from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import N_
from handlers.disclosures import cli, commands, dashboard, flows, jobs, notify, registry, staff  # noqa: F401
from handlers.framework import Context, Figure, StatsScope
from handlers.framework.manifest import Manifest
from handlers.framework.sections import DashboardSection
from storage.disclosures import queries, services
from storage.disclosures.compliance import compliance
from storage.disclosures.config import load_config


async def export(ctx: Context) -> list[str]:
    """/mydata: how many disclosures the person opened."""
    assert ctx.person.id is not None
    n = await queries.opened_count(ctx.session, ctx.person.id)
    return [ctx._("Disclosures you opened: {n}.", n=n)] if n else []


async def erase(ctx: Context) -> None:
    """/forget: the person's "opened" marks and download passes."""
    assert ctx.person.id is not None
    await services.erase_person(ctx.session, ctx.person.id)


async def stats(session: AsyncSession, scope: StatsScope) -> list[Figure]:
    """Disclosures published, opened, taken down, asked about; and, with the deployment's data, the
    compliance figures of the period (kinds disclosed, yearly kinds missing, on time, full period)."""
    c = await queries.period_counts(session, scope.unit_ids, scope.start, scope.end)
    figures = [
        Figure(
            "disclosures.published",
            N_("Disclosures published"),
            c.published,
            N_("Items the ward made public in the period (Law 10/2022/QH15, Art. 11)."),
        ),
        Figure(
            "disclosures.opened",
            N_("Disclosures opened by residents"),
            c.opened,
            N_("Residents who opened one of those items in the chat (each person once per item)."),
        ),
        Figure(
            "disclosures.taken_down",
            N_("Disclosures taken down early"),
            c.taken_down,
            N_("Items taken down before the end of their posting period (who and why are recorded)."),
        ),
        Figure(
            "disclosures.questions",
            N_("Questions about disclosures"),
            c.questions,
            N_("Petitions (kiến nghị) filed with “Ask about this” on one of those items."),
        ),
    ]
    comp = None
    if scope.deployment_dir is not None:
        cfg = load_config(scope.deployment_dir)
        if cfg.kinds:
            comp = await compliance(
                session, cfg, scope.unit_ids, scope.start.date(), scope.end.date(), today=date.today()
            )
    figures += [
        Figure(
            "disclosures.kinds_disclosed",
            N_("Kinds of information disclosed"),
            comp.disclosed_kinds if comp else None,
            N_("How many of the Art. 11 kinds were disclosed at least once in the period."),
        ),
        Figure(
            "disclosures.yearly_missing",
            N_("Yearly kinds not disclosed"),
            len(comp.missing) if comp else None,
            N_("Kinds due every year (the annual plan, the budget estimate and its execution) with nothing disclosed."),
        ),
        Figure(
            "disclosures.on_time_rate",
            N_("Share of yearly kinds disclosed on time"),
            comp.share("on_time") if comp else None,
            N_("Yearly kinds first posted by their due date, out of those disclosed."),
        ),
        Figure(
            "disclosures.full_period_rate",
            N_("Share of kinds posted for the full period"),
            comp.share("full_period") if comp else None,
            N_("Kinds whose ended items all stayed posted for at least the minimum period and were not taken down."),
        ),
    ]
    return figures


MANIFEST = Manifest(
    name="disclosures",
    registry=registry,
    jobs=jobs.JOBS,
    cli=cli.COMMANDS,
    export=export,
    erase=erase,
    stats=stats,
    dashboard=(
        DashboardSection(
            "disclosures",
            N_("Public disclosures"),
            dashboard.READERS,
            dashboard.rows,
            dashboard.detail,
            N_("What was put on public record, whether it is public today, and how many residents it reached."),
        ),
    ),
    catalog="disclosures",
    migration_branch="disclosures",
)
