"""The learning feature's figures (``MANIFEST.stats``) from real progress, answers and opt-outs."""

from __future__ import annotations

from datetime import timedelta

from bot.core.i18n import gettext
from handlers.framework import StatsScope
from handlers.learning.manifest import MANIFEST
from storage.db import utcnow
from storage.learning import services
from storage.learning.lessons import LIBRARY
from storage.learning.models import LessonProgress

COURSE = LIBRARY.ordered("vi")


async def test_learning_figures_for_a_ward_and_the_whole_area(world, session_factory):
    now = utcnow()
    ids = world.ids
    async with session_factory() as s:
        # ward A: 4 lessons shown, 3 answers of which 2 correct, one opt-out
        await services.mark_shown(s, ids["resident"], COURSE[0].id)
        await services.answer(s, ids["resident"], COURSE[1], COURSE[1].quiz.answer)
        await services.answer(s, ids["neighbour"], COURSE[0], COURSE[0].quiz.answer)
        wrong = (COURSE[0].quiz.answer + 1) % len(COURSE[0].quiz.options)
        await services.answer(s, ids["resident_a2"], COURSE[0], wrong)
        await services.opt_out(s, ids["resident_en"])
        # ward B: one answer, correct; one opt-out
        await services.answer(s, ids["resident_b"], COURSE[0], COURSE[0].quiz.answer)
        await services.opt_out(s, ids["resident_b"])
        # long ago: outside the period
        s.add(LessonProgress(person_id=ids["neighbour"], lesson_id=COURSE[5].id, shown_at=now - timedelta(days=40)))
        await s.commit()
        period = (now - timedelta(days=1), now + timedelta(days=1))
        ward_a = StatsScope((world.ward_a, world.village_a1, world.village_a2), *period)
        figures = {f.key: f.value for f in await MANIFEST.stats(s, ward_a)}
        assert figures == {
            "learning.lessons_shown": 4,
            "learning.quiz_answers": 3,
            "learning.quiz_correct_rate": 2 / 3,
            "learning.opted_out": 1,
        }
        figures = {f.key: f.value for f in await MANIFEST.stats(s, StatsScope(None, *period))}
        assert figures == {
            "learning.lessons_shown": 5,
            "learning.quiz_answers": 4,
            "learning.quiz_correct_rate": 3 / 4,
            "learning.opted_out": 2,
        }
        earlier = StatsScope(None, now - timedelta(days=50), now - timedelta(days=30))
        figures = {f.key: f.value for f in await MANIFEST.stats(s, earlier)}
        assert figures == {
            "learning.lessons_shown": 1,
            "learning.quiz_answers": 0,
            "learning.quiz_correct_rate": None,
            "learning.opted_out": 0,
        }


async def test_learning_figures_are_explained_in_vietnamese(world, session_factory):
    async with session_factory() as s:
        figures = await MANIFEST.stats(s, StatsScope(None, utcnow() - timedelta(days=1), utcnow()))
    assert [gettext("vi", f.label) for f in figures] == [
        "Số lượt đọc bài học",
        "Số câu trả lời",
        "Tỷ lệ trả lời đúng",
        "Số người dân đã ngừng nhận bài học",
    ]
    assert all(f.explain and gettext("vi", f.explain) != f.explain for f in figures)
