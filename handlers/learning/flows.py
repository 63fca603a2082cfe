"""/learn (lessons on residents' rights with a one-question quiz), /stop and /resume for campaign
lessons (also the plain words "dừng", "stop", "tiếp tục"), and /quizstats for officials."""

from __future__ import annotations

from bot.core.errors import NotFound
from bot.core.i18n import N_
from bot.core.messages import Button
from handlers.framework import Context
from handlers.learning import registry
from storage import units
from storage.learning import services as campaigns
from storage.units.models import Unit

STAFF = ("village_head", "official", "unit_head", "district_admin")


@registry.command("learn", description=N_("Learn your rights, one short lesson at a time"), order=20)
async def learn(ctx: Context) -> None:
    course = campaigns.LIBRARY.ordered(ctx.locale)
    done = await campaigns.progress_of(ctx.session, ctx.person.id)  # type: ignore[arg-type]
    rows = []
    for i, lesson in enumerate(course, 1):
        mark = "✅ " if lesson.id in done and done[lesson.id].correct else ("📖 " if lesson.id in done else "")
        rows.append([Button(f"{mark}{i}. {lesson.title}"[:120], f"lsn:{lesson.id}")])
    answered = sum(1 for p in done.values() if p.answered_at is not None)
    ctx.say(ctx._("Short lessons on your rights under the Law on Grassroots Democracy. "
                  "You have answered {done} of {total} questions. Choose a lesson:", done=answered, total=len(course)),
            rows)


def _lesson(ctx: Context, lesson_id: str):  # type: ignore[no-untyped-def]
    lesson = campaigns.LIBRARY.get(lesson_id, ctx.locale)
    if lesson is None:
        raise NotFound()
    return lesson


@registry.action("lsn")
async def _show(ctx: Context, lesson_id: str) -> None:
    lesson = _lesson(ctx, lesson_id)
    await campaigns.mark_shown(ctx.session, ctx.person.id, lesson.id)  # type: ignore[arg-type]
    ctx.replies.append(campaigns.render_lesson(lesson, ctx.locale))


@registry.action("lq")
async def _quiz(ctx: Context, lesson_id: str) -> None:
    lesson = _lesson(ctx, lesson_id)
    q = lesson.quiz
    ctx.say(f"❓ {q.question}", [[Button(opt, f"la:{lesson.id}:{i}")] for i, opt in enumerate(q.options)])


@registry.action("la")
async def _answer(ctx: Context, arg: str) -> None:
    lesson_id, _, choice_s = arg.rpartition(":")
    lesson = _lesson(ctx, lesson_id)
    if not choice_s.isdigit() or int(choice_s) >= len(lesson.quiz.options):
        raise NotFound()
    right = await campaigns.answer(ctx.session, ctx.person.id, lesson, int(choice_s))  # type: ignore[arg-type]
    head = ctx._("Correct!") if right else ctx._("Not quite. The right answer is: {answer}",
                                                   answer=lesson.quiz.options[lesson.quiz.answer])
    nxt = campaigns.LIBRARY.next_after(lesson.id, ctx.locale)
    buttons = [[Button(ctx._("Next lesson"), f"lsn:{nxt.id}")]] if nxt else []
    buttons.append([Button(ctx._("All lessons"), "menu:learn")])
    tail = "" if nxt else "\n\n" + ctx._("You have reached the last lesson. Thank you for learning with us.")
    ctx.say(f"{head}\n{lesson.quiz.explanation}{tail}", buttons)


@registry.command("stop", description=N_("Stop receiving lessons (notices still come)"), order=70)
async def stop(ctx: Context) -> None:
    await campaigns.opt_out(ctx.session, ctx.person.id)  # type: ignore[arg-type]
    ctx.say(ctx._("You will not receive lessons any more. Notices from your village and ward still come. "
                  "Send /resume to receive lessons again."))


@registry.command("resume", description=N_("Receive lessons again"), order=71)
async def resume(ctx: Context) -> None:
    await campaigns.opt_in(ctx.session, ctx.person.id)  # type: ignore[arg-type]
    ctx.say(ctx._("You will receive lessons again. You can also read them any time with /learn."))


async def _scope(ctx: Context) -> list[int] | None:
    """Villages the person may see results for; None means every village."""
    ids: list[int] = []
    for g in ctx.roles:
        if g.role == "district_admin":
            return None
        if g.role in STAFF and g.unit_id is not None:
            unit = await ctx.session.get(Unit, g.unit_id)
            if unit is None:
                continue
            if g.role == "village_head":
                ids.append(unit.id)  # type: ignore[arg-type]
            else:
                ids.extend(u.id for u in await units.villages_of(ctx.session, unit.id))  # type: ignore[arg-type,misc]
    return ids


@registry.command("quizstats", description=N_("Quiz results per village"), roles=STAFF, order=40)
async def quizstats(ctx: Context) -> None:
    scope = await _scope(ctx)
    stats = [s for s in await campaigns.village_stats(ctx.session, scope) if s.unit_id is not None]
    if not stats:
        ctx.say(ctx._("No resident in your area has answered a quiz yet."))
        return
    lines = [ctx._("Quiz results per village (residents who learned · answers · correct):")]
    for s in stats:
        unit = await ctx.session.get(Unit, s.unit_id)
        name = units.display_name(unit, ctx.locale) if unit else str(s.unit_id)
        pct = round(100 * s.correct / s.answered) if s.answered else 0
        lines.append(f"• {name}: {s.residents} · {s.answered} · {s.correct} ({pct}%)")
    ctx.say("\n".join(lines))


registry.keyword("stop", "dừng", "dừng lại", "stop", "dừng nhận", "hủy đăng ký")
registry.keyword("resume", "tiep tuc", "resume", "nhan lai")
registry.keyword("learn", "học", "bài học", "tìm hiểu", "learn")
registry.menu_item(N_("Learn your rights"), "learn", order=20)


@registry.data_section
async def _my_learning(ctx: Context) -> list[str]:
    done = await campaigns.progress_of(ctx.session, ctx.person.id)  # type: ignore[arg-type]
    lines = []
    if done:
        answered = sum(1 for p in done.values() if p.answered_at is not None)
        lines.append(ctx._("Lessons read: {read}; questions answered: {answered}.", read=len(done), answered=answered))
    if await campaigns.is_opted_out(ctx.session, ctx.person.id):  # type: ignore[arg-type]
        lines.append(ctx._("You asked not to receive lessons (/resume to receive them again)."))
    return lines


@registry.erase_hook
async def _erase_learning(ctx: Context) -> None:
    from sqlalchemy import delete

    from storage.learning.models import LearningOptOut, LessonProgress
    from storage.notices.models import NoticeSeen

    pid = ctx.person.id
    for model in (LessonProgress, LearningOptOut, NoticeSeen):
        await ctx.session.exec(delete(model).where(model.person_id == pid))  # type: ignore[call-overload,attr-defined]
