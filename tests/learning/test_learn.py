"""/learn, the quiz, progress, /stop and "dừng", /resume, and quiz results per village."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.dispatch import Dispatcher
from storage.learning import services as campaigns
from storage.learning.models import LessonProgress
from tests.harness import Chat
from tests.world import make_services
from tests.world import make_people, make_staff, unit_id


@pytest.fixture
async def world(session_factory):
    services = await make_services(session_factory)
    d = Dispatcher(services)
    ward = await unit_id(session_factory, "13384")
    v1 = await unit_id(session_factory, "13384-T04")
    people = await make_people(session_factory, 2, channel="test", start=100, village_id=v1, ward_id=ward)
    await make_staff(session_factory, "901", "official", ward)
    return {"d": d, "people": people, "v1": v1}


async def test_learn_lesson_quiz_and_progress(world, session_factory):
    chat = Chat(world["d"], "100")
    await chat.say("/learn")
    assert "0/13" in chat.text and len(chat.buttons()) == 13
    await chat.press("1.")
    assert "Bài 1/13" in chat.text and "Căn cứ:" in chat.text and "**" not in chat.text
    await chat.press("Trả lời câu hỏi")
    lesson = campaigns.LIBRARY.ordered("vi")[0]
    assert lesson.quiz.question in chat.text
    wrong = next(o for i, o in enumerate(lesson.quiz.options) if i != lesson.quiz.answer)
    await chat.press(wrong[:20])
    assert "Chưa đúng" in chat.text and lesson.quiz.explanation in chat.text
    await chat._send(button=f"la:{lesson.id}:{lesson.quiz.answer}")
    assert "Đúng rồi" in chat.text
    await chat.press("Bài tiếp theo")
    assert "Bài 2/13" in chat.text
    await chat.say("/learn")
    assert "1/13" in chat.text and chat.buttons()[0].startswith("✅")
    async with session_factory() as s:
        rows = list(await s.exec(select(LessonProgress).where(LessonProgress.person_id == world["people"][0])))
        assert {r.lesson_id for r in rows} == {lesson.id, campaigns.LIBRARY.ordered("vi")[1].id}


async def test_stop_and_resume_by_command_and_plain_words(world, session_factory):
    chat = Chat(world["d"], "100")
    await chat.say("dừng")
    assert "không nhận bài học nữa" in chat.text and "vẫn được gửi" in chat.text
    async with session_factory() as s:
        assert await campaigns.is_opted_out(s, world["people"][0])
    await chat.say("tiep tuc")
    assert "nhận lại bài học" in chat.text
    async with session_factory() as s:
        assert not await campaigns.is_opted_out(s, world["people"][0])
    await chat.say("/stop")
    async with session_factory() as s:
        assert await campaigns.is_opted_out(s, world["people"][0])
    await chat.say("/resume")
    async with session_factory() as s:
        assert not await campaigns.is_opted_out(s, world["people"][0])


async def test_quiz_results_per_village_for_officials(world, session_factory):
    lesson = campaigns.LIBRARY.ordered("vi")[0]
    a, b = Chat(world["d"], "100"), Chat(world["d"], "101")
    await a._send(button=f"la:{lesson.id}:{lesson.quiz.answer}")
    await b._send(button=f"la:{lesson.id}:{(lesson.quiz.answer + 1) % len(lesson.quiz.options)}")
    off = Chat(world["d"], "901")
    await off.say("/quizstats")
    assert "Thôn Ngọc Sơn: 2 · 2 · 1 (50%)" in off.text
    await a.say("/quizstats")
    assert "dành cho cán bộ" in a.text
