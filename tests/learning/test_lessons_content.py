"""Checks the legal-awareness lessons in ``locales/*/lessons`` and the loader in ``storage.learning.lessons``."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from storage.learning.lessons import (
    DEFAULT_ROOT,
    MAX_OPTION_CHARS,
    Lesson,
    LessonFormatError,
    LessonLibrary,
    load_lessons,
    parse_lesson,
)

LOCALES = ("vi", "en")
MIN_WORDS, MAX_WORDS = 120, 250
# Every topic the course must cover (one lesson each).
REQUIRED_IDS = {
    "rights-motto",
    "disclosure",
    "discuss-decide",
    "comment-before-decision",
    "feedback",
    "complaint",
    "denunciation",
    "inspection-board",
    "investment-board",
    "village-convention",
    "online-vote",
    "personal-data",
    "resolution-18",
}
# Article numbers that the domain fact sheet vouches for; anything else may be invented.
ALLOWED_ARTICLES = {1, 5, 11, 12, 13, 15, 18, 25, 26, 27, 28, 36, 37, 38, 41, 42, 47}
_VI_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ") | {c for c in "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"}
_ARTICLES_RE = re.compile(r"(?:Điều|Articles?)\s+(\d+(?:\s*(?:,|and)\s*\d+)*)")


def _lessons(locale: str) -> list[Lesson]:
    return load_lessons(DEFAULT_ROOT, locale)


def _all() -> list[Lesson]:
    return [lesson for locale in LOCALES for lesson in _lessons(locale)]


def _vi_share(text: str) -> float:
    words = text.split()
    return sum(any(c.lower() in _VI_LETTERS for c in w) for w in words) / max(len(words), 1)


# --- the content ---------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_each_locale_has_the_full_course(locale: str) -> None:
    lessons = _lessons(locale)
    assert len(lessons) >= 12
    assert {lesson.id for lesson in lessons} >= REQUIRED_IDS
    assert [lesson.order for lesson in lessons] == sorted(lesson.order for lesson in lessons)


def test_vi_and_en_match_lesson_for_lesson() -> None:
    vi = {lesson.id: lesson for lesson in _lessons("vi")}
    en = {lesson.id: lesson for lesson in _lessons("en")}
    assert vi.keys() == en.keys()
    for lesson_id, v in vi.items():
        e = en[lesson_id]
        assert v.order == e.order, lesson_id
        # Same buttons in the same place, so a stored answer means the same in both languages.
        assert len(v.quiz.options) == len(e.quiz.options), lesson_id
        assert v.quiz.answer == e.quiz.answer, lesson_id


def test_files_are_named_after_order_and_id() -> None:
    for locale in LOCALES:
        for path in sorted((DEFAULT_ROOT / locale / "lessons").glob("*.md")):
            lesson = parse_lesson(path, locale)
            assert path.name == f"{lesson.order:02d}-{lesson.id}.md"


@pytest.mark.parametrize("lesson", _all(), ids=lambda x: f"{x.locale}-{x.id}")
def test_lesson_is_complete_and_chat_sized(lesson: Lesson) -> None:
    assert lesson.source and lesson.title
    quiz = lesson.quiz
    assert len(quiz.options) >= 2
    assert 0 <= quiz.answer < len(quiz.options)
    assert len(set(quiz.options)) == len(quiz.options)
    assert all(len(option) <= MAX_OPTION_CHARS for option in quiz.options)
    assert quiz.question and quiz.explanation
    words = len(lesson.body.split())
    assert MIN_WORDS <= words <= MAX_WORDS, f"{words} words"


@pytest.mark.parametrize("lesson", _all(), ids=lambda x: f"{x.locale}-{x.id}")
def test_body_uses_only_simple_markdown(lesson: Lesson) -> None:
    body = lesson.body
    assert "<" not in body and ">" not in body
    assert "http" not in body and "](" not in body
    for line in body.splitlines():
        stripped = line.strip()
        assert not stripped.startswith("#"), line
        assert "|" not in stripped, line
        assert not stripped.startswith(("* ", "+ ", "1. ")), f"use '-' lists: {line}"
    assert body.count("**") % 2 == 0, "unbalanced bold"
    # Composed form: Zalo and Telegram search and render decomposed accents badly.
    quiz = lesson.quiz
    texts = [lesson.title, body, quiz.question, *quiz.options, quiz.explanation]
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)


@pytest.mark.parametrize("lesson", _lessons("vi"), ids=lambda x: x.id)
def test_vietnamese_lessons_are_really_vietnamese(lesson: Lesson) -> None:
    assert _vi_share(lesson.body) > 0.4
    assert _vi_share(lesson.title) > 0.3
    assert _vi_share(lesson.quiz.question) > 0.3
    assert _vi_share(lesson.quiz.explanation) > 0.3


@pytest.mark.parametrize("lesson", _lessons("en"), ids=lambda x: x.id)
def test_english_lessons_are_english(lesson: Lesson) -> None:
    # Vietnamese glossary words in brackets are fine; a pasted Vietnamese body is not.
    assert _vi_share(lesson.body) < 0.15


def test_quiz_answers_are_not_always_in_the_same_place() -> None:
    assert len({lesson.quiz.answer for lesson in _lessons("vi")}) >= 2


def test_only_vouched_article_numbers_are_cited() -> None:
    for lesson in _all():
        for text in (lesson.source, lesson.body, lesson.quiz.explanation):
            for group in _ARTICLES_RE.findall(text):
                numbers = {int(n) for n in re.findall(r"\d+", group)}
                assert numbers <= ALLOWED_ARTICLES, f"{lesson.locale}/{lesson.id}: {numbers}"


def test_glossary_terms_are_used() -> None:
    text = " ".join(lesson.body for lesson in _lessons("vi")).lower()
    for term in (
        "góp ý",
        "kiến nghị",
        "phản ánh",
        "khiếu nại",
        "tố cáo",
        "ban thanh tra nhân dân",
        "hương ước",
        "trưởng thôn",
        "ubnd",
        "đại diện hộ",
        "mã tra cứu",
    ):
        assert term in text, term


def test_legal_points_that_matter_are_stated() -> None:
    vi = {lesson.id: lesson.body for lesson in _lessons("vi")}
    assert "3 ngày liên tục" in vi["disclosure"]
    assert "trên 50%" in vi["discuss-decide"] and "xác nhận" in vi["discuss-decide"]
    assert "thường" in vi["feedback"] and "bot sẽ báo ngày hẹn" in vi["feedback"]
    assert "30 ngày" in vi["complaint"] and "45 ngày" in vi["complaint"]
    assert "giữ bí mật" in vi["denunciation"]
    assert "công việc tự quản khác" in vi["online-vote"]
    assert "/mydata" in vi["personal-data"] and "/forget" in vi["personal-data"]
    assert "18/NQ-HĐND" in vi["resolution-18"]


# --- the loader ----------------------------------------------------------------------------

GOOD = """---
id: {id}
order: {order}
title: "Title {id}"
source: "Some law"
quiz:
  question: "Q?"
  options: ["a", "b", "c"]
  answer: {answer}
  explanation: "Because."
---
Body of {id}.
"""


def _write(root: Path, locale: str, name: str, text: str) -> Path:
    folder = root / locale / "lessons"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _good(lesson_id: str, order: int, answer: int = 0) -> str:
    return GOOD.format(id=lesson_id, order=order, answer=answer)


def test_load_sorts_by_order_not_file_name(tmp_path: Path) -> None:
    _write(tmp_path, "vi", "01-b.md", _good("b", 2))
    _write(tmp_path, "vi", "02-a.md", _good("a", 1, answer=2))
    lessons = load_lessons(tmp_path, "vi")
    assert [lesson.id for lesson in lessons] == ["a", "b"]
    a = lessons[0]
    assert a.quiz.options == ("a", "b", "c") and a.quiz.answer == 2 and a.quiz.is_correct(2)
    assert a.body == "Body of a." and a.locale == "vi" and a.title == "Title a"


def test_missing_locale_is_empty(tmp_path: Path) -> None:
    assert load_lessons(tmp_path, "fr") == []


def test_locale_code_cannot_escape_the_root(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        load_lessons(tmp_path, "../vi")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("no front matter at all\n", "front matter"),
        ("---\nid: [unclosed\n---\nbody\n", "YAML"),
        (_good("x", 1).replace("answer: 0", "answer: 3"), "answer"),
        (_good("x", 1).replace("answer: 0", "answer: true"), "answer"),
        (_good("x", 1).replace('options: ["a", "b", "c"]', 'options: ["a"]'), "options"),
        (_good("x", 1).replace('"b"', '"' + "b" * (MAX_OPTION_CHARS + 1) + '"'), "longer"),
        (_good("x", 1).replace('source: "Some law"\n', ""), "source"),
        (_good("x", 1).replace("order: 1", "order: first"), "order"),
        (_good("x", 1).replace("Body of x.\n", "\n"), "empty"),
    ],
)
def test_malformed_file_is_named_in_the_error(tmp_path: Path, text: str, problem: str) -> None:
    path = _write(tmp_path, "vi", "07-broken.md", text)
    with pytest.raises(LessonFormatError) as info:
        load_lessons(tmp_path, "vi")
    assert str(path) in str(info.value)
    assert problem in str(info.value)
    assert info.value.path == path


def test_duplicate_ids_and_orders_are_refused(tmp_path: Path) -> None:
    _write(tmp_path, "vi", "01-a.md", _good("a", 1))
    _write(tmp_path, "vi", "02-a.md", _good("a", 2))
    with pytest.raises(LessonFormatError, match=r"01-a\.md"):
        load_lessons(tmp_path, "vi")
    _write(tmp_path, "vi", "02-a.md", _good("b", 1))
    with pytest.raises(LessonFormatError, match="order 1"):
        load_lessons(tmp_path, "vi")


def test_library_navigation_and_fallback(tmp_path: Path) -> None:
    for i, lesson_id in enumerate(("a", "b", "c"), start=1):
        _write(tmp_path, "vi", f"0{i}-{lesson_id}.md", _good(lesson_id, i))
    _write(tmp_path, "en", "01-a.md", _good("a", 1))
    library = LessonLibrary(tmp_path)

    assert library.get("a", "en").locale == "en"
    assert library.get("b", "en").locale == "vi"  # missing in English: Vietnamese fallback
    assert library.get("b", "en", fallback=None) is None
    assert library.get("zzz", "vi") is None
    assert [lesson.id for lesson in library.ordered("en")] == ["a", "b", "c"]
    assert [lesson.id for lesson in library.ordered("en", fallback=None)] == ["a"]

    assert library.next_after("a", "en").id == "b"
    assert library.next_after("b", "vi").id == "c"
    assert library.next_after("c", "vi") is None
    assert library.next_after("zzz", "vi") is None
    assert library.position("b", "vi") == (2, 3)
    assert library.position("zzz", "vi") is None


def test_library_caches_until_reload(tmp_path: Path) -> None:
    _write(tmp_path, "vi", "01-a.md", _good("a", 1))
    library = LessonLibrary(tmp_path)
    first = library.get("a", "vi")
    _write(tmp_path, "vi", "02-b.md", _good("b", 2))
    assert library.get("b", "vi") is None  # still the cached list
    assert library.get("a", "vi") is first
    library.reload()
    assert library.get("b", "vi") is not None


def test_default_library_reads_the_shipped_course() -> None:
    library = LessonLibrary()
    course = library.ordered("vi")
    assert course[0].id == "rights-motto"
    assert library.next_after(course[0].id, "en").locale == "en"
