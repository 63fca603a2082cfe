"""/learn: the course (with the person's marks), a lesson, its one-question quiz and the answer
with the next lesson."""

from __future__ import annotations

from bot.core.errors import NotFound
from bot.core.i18n import N_
from bot.core.messages import Button
from handlers.framework import Context
from handlers.learning import notify, registry
from storage.learning import queries, services
from storage.learning.lessons import LIBRARY, Lesson


@registry.command("learn", description=N_("Learn your rights, one short lesson at a time"), order=20)
async def learn(ctx: Context) -> None:
    """Every lesson as a button, marked in words (emoji may show as boxes): answered correctly, or read."""
    assert ctx.person.id is not None
    course = LIBRARY.ordered(ctx.locale)
    done = await queries.progress_of(ctx.session, ctx.person.id)
    rows = []
    for i, lesson in enumerate(course, 1):
        state = done.get(lesson.id)
        mark = "" if state is None else f" ({ctx._('answered correctly') if state.correct else ctx._('read')})"
        rows.append([Button(f"{i}. {lesson.title}"[: 120 - len(mark)] + mark, f"lsn:{lesson.id}")])
    answered = sum(1 for p in done.values() if p.answered_at is not None)
    ctx.say(
        ctx._(
            "Short lessons on your rights under the Law on Grassroots Democracy. "
            "You have answered {done} of {total} questions. Choose a lesson:",
            done=answered,
            total=len(course),
        ),
        rows,
    )


def _lesson(ctx: Context, lesson_id: str) -> Lesson:
    lesson = LIBRARY.get(lesson_id, ctx.locale)
    if lesson is None:
        raise NotFound()
    return lesson


@registry.action("lsn")
async def _show(ctx: Context, lesson_id: str) -> None:
    assert ctx.person.id is not None
    lesson = _lesson(ctx, lesson_id)
    await services.mark_shown(ctx.session, ctx.person.id, lesson.id)
    ctx.replies.append(notify.render_lesson(lesson, ctx.locale))


@registry.action("lq")
async def _quiz(ctx: Context, lesson_id: str) -> None:
    lesson = _lesson(ctx, lesson_id)
    q = lesson.quiz
    ctx.say(f"❓ {q.question}", [[Button(opt, f"la:{lesson.id}:{i}")] for i, opt in enumerate(q.options)])


@registry.action("la")
async def _answer(ctx: Context, arg: str) -> None:
    assert ctx.person.id is not None
    lesson_id, _, choice_s = arg.rpartition(":")
    lesson = _lesson(ctx, lesson_id)
    if not choice_s.isdigit() or int(choice_s) >= len(lesson.quiz.options):
        raise NotFound()
    right = await services.answer(ctx.session, ctx.person.id, lesson, int(choice_s))
    head = (
        ctx._("Correct!")
        if right
        else ctx._("Not quite. The right answer is: {answer}", answer=lesson.quiz.options[lesson.quiz.answer])
    )
    nxt = LIBRARY.next_after(lesson.id, ctx.locale)
    buttons = [[Button(ctx._("Next lesson"), f"lsn:{nxt.id}")]] if nxt else []
    buttons.append([Button(ctx._("All lessons"), "menu:learn")])
    tail = "" if nxt else "\n\n" + ctx._("You have reached the last lesson. Thank you for learning with us.")
    ctx.say(f"{head}\n{lesson.quiz.explanation}{tail}", buttons)


registry.keyword("learn", "học", "bài học", "tìm hiểu", "learn")
registry.menu_item(N_("Learn your rights"), "learn", order=20)
