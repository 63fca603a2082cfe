"""/learn, the quiz, progress, /stop and "dừng", /resume, quiz results per village, and the
learning part of /mydata and /forget.

World (``tests/world.py``): village A1 has ``resident``, ``resident_en`` and ``neighbour``.
"""

from __future__ import annotations

from sqlmodel import select

from storage.learning import queries
from storage.learning.lessons import LIBRARY
from storage.learning.models import LearningOptOut, LessonProgress

COURSE = LIBRARY.ordered("vi")


async def test_learn_lesson_quiz_and_progress(world, session_factory):
    chat = world.chat("resident")
    await chat.say("/learn")
    assert "0/13" in chat.text and len(chat.buttons()) == 13
    await chat.press("1.")
    assert chat.text.startswith(f"📘 Bài 1/13: {COURSE[0].title}\n\n")
    assert "Căn cứ:" in chat.text and "**" not in chat.text
    assert chat.buttons() == ["Trả lời câu hỏi"] and chat.last[0].locale == "vi"
    await chat.press("Trả lời câu hỏi")
    lesson = COURSE[0]
    assert chat.text == f"❓ {lesson.quiz.question}"
    wrong = next(o for i, o in enumerate(lesson.quiz.options) if i != lesson.quiz.answer)
    await chat.press(wrong[:20])
    assert chat.text.startswith("Chưa đúng") and lesson.quiz.explanation in chat.text
    await chat._send(button=f"la:{lesson.id}:{lesson.quiz.answer}")
    assert chat.text.startswith("Đúng rồi!")
    assert chat.buttons() == ["Bài tiếp theo", "Tất cả các bài"]
    await chat.press("Bài tiếp theo")
    assert "Bài 2/13" in chat.text
    await chat.say("/learn")
    assert (
        "1/13" in chat.text and chat.buttons()[0].startswith("1. ") and chat.buttons()[0].endswith(" (đã trả lời đúng)")
    )
    assert chat.buttons()[1].startswith("2. ") and chat.buttons()[1].endswith(" (đã đọc)")
    assert "(đã " not in chat.buttons()[2]
    async with session_factory() as s:
        rows = list(await s.exec(select(LessonProgress).where(LessonProgress.person_id == world.ids["resident"])))
        assert {r.lesson_id for r in rows} == {lesson.id, COURSE[1].id}


async def test_lessons_in_english_for_an_english_reader(world):
    chat = world.chat("resident_en", language_code="en")
    await chat._send(button=f"lsn:{COURSE[0].id}")
    en = LIBRARY.get(COURSE[0].id, "en")
    assert en is not None and chat.text.startswith(f"📘 Lesson 1/13: {en.title}")
    assert chat.last[0].locale == "en" and chat.buttons() == ["Answer the question"]


async def test_stop_and_resume_by_command_and_plain_words(world, session_factory):
    chat = world.chat("resident")
    pid = world.ids["resident"]
    await chat.say("dừng")
    assert "không nhận bài học nữa" in chat.text and "vẫn được gửi" in chat.text
    async with session_factory() as s:
        assert await queries.is_opted_out(s, pid)
    await chat.say("tiep tuc")
    assert "nhận lại bài học" in chat.text
    async with session_factory() as s:
        assert not await queries.is_opted_out(s, pid)
    await chat.say("/stop")
    async with session_factory() as s:
        assert await queries.is_opted_out(s, pid)
    await chat.say("/resume")
    async with session_factory() as s:
        assert not await queries.is_opted_out(s, pid)


async def test_quiz_results_per_village_for_staff(world):
    lesson = COURSE[0]
    a, b = world.chat("resident"), world.chat("neighbour")
    await a._send(button=f"la:{lesson.id}:{lesson.quiz.answer}")
    await b._send(button=f"la:{lesson.id}:{(lesson.quiz.answer + 1) % len(lesson.quiz.options)}")
    expected = [
        "Kết quả theo thôn, tổ dân phố (số người học · số câu trả lời · số câu đúng):",
        "• Thôn Ngọc Sơn: 2 · 2 · 1 (50%)",
    ]
    for key in ("official_a", "village_head", "admin"):
        staff = world.chat(key)
        await staff.say("/quizstats")
        assert staff.text.splitlines() == expected, key
    other_ward = world.chat("official_b")
    await other_ward.say("/quizstats")
    assert other_ward.text == "Chưa có người dân nào trong địa bàn trả lời câu hỏi."
    await a.say("/quizstats")
    assert "dành cho cán bộ" in a.text


async def test_mydata_and_forget(world, session_factory):
    chat = world.chat("resident")
    await chat.say("/mydata")
    assert "Số bài đã đọc" not in chat.text
    await chat._send(button=f"lsn:{COURSE[0].id}")
    await chat._send(button=f"la:{COURSE[1].id}:0")
    await chat.say("/stop")
    await chat.say("/mydata")
    lines = chat.text.splitlines()
    assert "Số bài đã đọc: 2; số câu hỏi đã trả lời: 1." in lines
    assert "Ông/bà đã chọn không nhận bài học (gửi /resume để nhận lại)." in lines
    await chat.say("/forget")
    await chat.press("Có, xóa")
    async with session_factory() as s:
        assert list(await s.exec(select(LessonProgress))) == []
        assert list(await s.exec(select(LearningOptOut))) == []
