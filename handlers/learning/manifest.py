"""The learning feature's manifest: lessons, quizzes, weekly campaigns, ``loalang campaign``, its
part of /mydata and /forget, and its statistics."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import N_
from handlers.framework import Context, Figure, StatsScope
from handlers.framework.manifest import Manifest
from handlers.learning import cli, commands, flows, jobs, notify, registry  # noqa: F401  (they register)
from storage.learning import queries, services


async def export(ctx: Context) -> list[str]:
    """/mydata: lessons read, questions answered, and the opt-out."""
    assert ctx.person.id is not None
    done = await queries.progress_of(ctx.session, ctx.person.id)
    lines = []
    if done:
        answered = sum(1 for p in done.values() if p.answered_at is not None)
        lines.append(ctx._("Lessons read: {read}; questions answered: {answered}.", read=len(done), answered=answered))
    if await queries.is_opted_out(ctx.session, ctx.person.id):
        lines.append(ctx._("You asked not to receive lessons (/resume to receive them again)."))
    return lines


async def erase(ctx: Context) -> None:
    """/forget: progress, answers and the opt-out."""
    assert ctx.person.id is not None
    await services.erase_person(ctx.session, ctx.person.id)


async def stats(session: AsyncSession, scope: StatsScope) -> list[Figure]:
    """Lessons shown, quiz answers and the share answered correctly, residents opted out."""
    c = await queries.period_counts(session, scope.unit_ids, scope.start, scope.end)
    return [
        Figure(
            "learning.lessons_shown",
            N_("Lessons read"),
            c.shown,
            N_("Lessons residents of these units opened with /learn or received from a campaign in the period."),
        ),
        Figure(
            "learning.quiz_answers",
            N_("Quiz answers"),
            c.answered,
            N_("Lesson questions residents answered in the period (the latest answer per lesson counts)."),
        ),
        Figure(
            "learning.quiz_correct_rate",
            N_("Share of quiz answers that are correct"),
            c.correct / c.answered if c.answered else None,
            N_("Correct answers divided by answers (none when nobody answered)."),
        ),
        Figure(
            "learning.opted_out",
            N_("Residents who stopped the lessons"),
            c.opted_out,
            N_("Residents who sent /stop and have not resumed by the end of the period."),
        ),
    ]


MANIFEST = Manifest(
    name="learning",
    registry=registry,
    jobs=jobs.JOBS,
    cli=cli.COMMANDS,
    export=export,
    erase=erase,
    stats=stats,
    catalog="learning",
    migration_branch="learning",
)
