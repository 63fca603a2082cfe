"""Legal-awareness lessons: read ``locales/<lang>/lessons/NN-slug.md`` into typed, cached objects.

Each file is YAML front matter (id, order, title, source, quiz) followed by a short Markdown
body. Files are checked when read, so a broken lesson stops the bot at start with the file's
name in the message instead of failing in front of a resident. Lessons are matched across
locales by ``id``; a locale that lacks a lesson falls back to the Vietnamese one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

import locales
from bot.core.errors import ConfigError

__all__ = [
    "DEFAULT_ROOT",
    "LIBRARY",
    "MAX_OPTION_CHARS",
    "Lesson",
    "LessonFormatError",
    "LessonLibrary",
    "Quiz",
    "load_lessons",
    "parse_lesson",
]

DEFAULT_ROOT = Path(locales.__file__).resolve().parent
MAX_OPTION_CHARS = 60  # quiz options become buttons; Zalo and Telegram cut longer labels
_LOCALE_RE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)


class LessonFormatError(ConfigError):
    """A lesson file is malformed; the message starts with the file's path."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True)
class Quiz:
    """One multiple-choice question closing a lesson; ``answer`` is a 0-based option index."""

    question: str
    options: tuple[str, ...]
    answer: int
    explanation: str

    def is_correct(self, choice: int) -> bool:
        return choice == self.answer


@dataclass(frozen=True)
class Lesson:
    """One lesson in one locale. ``body`` is Markdown: paragraphs, ``-`` lists and ``**bold**``."""

    id: str
    order: int
    title: str
    source: str
    body: str
    quiz: Quiz
    locale: str


def _text(path: Path, data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise LessonFormatError(path, f"'{key}' must be a non-empty string")
    return value.strip()


def _parse_quiz(path: Path, raw: Any) -> Quiz:
    if not isinstance(raw, dict):
        raise LessonFormatError(path, "'quiz' must be a mapping")
    question = _text(path, raw, "question")
    explanation = _text(path, raw, "explanation")
    options = raw.get("options")
    if not isinstance(options, list) or len(options) < 2:
        raise LessonFormatError(path, "'quiz.options' must be a list of at least 2 strings")
    cleaned: list[str] = []
    for i, option in enumerate(options):
        if not isinstance(option, str) or not option.strip():
            raise LessonFormatError(path, f"quiz option {i} must be a non-empty string")
        if len(option.strip()) > MAX_OPTION_CHARS:
            raise LessonFormatError(path, f"quiz option {i} is longer than {MAX_OPTION_CHARS} characters")
        cleaned.append(option.strip())
    answer = raw.get("answer")
    # bool is an int subclass: reject `answer: true`
    if not isinstance(answer, int) or isinstance(answer, bool) or not 0 <= answer < len(cleaned):
        raise LessonFormatError(path, f"'quiz.answer' must be an index from 0 to {len(cleaned) - 1}")
    return Quiz(question, tuple(cleaned), answer, explanation)


def parse_lesson(path: Path, locale: str) -> Lesson:
    """Read and check one lesson file; raise :class:`LessonFormatError` naming ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonFormatError(path, f"cannot be read as UTF-8 text ({exc})") from exc
    match = _FRONT_MATTER_RE.match(text.lstrip("\ufeff"))
    if match is None:
        raise LessonFormatError(path, "missing front matter between '---' lines")
    head, body = match.groups()
    try:
        data = yaml.safe_load(head)
    except yaml.YAMLError as exc:
        raise LessonFormatError(path, f"front matter is not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise LessonFormatError(path, "front matter must be a YAML mapping")
    lesson_id = _text(path, data, "id")
    if not _ID_RE.match(lesson_id):
        raise LessonFormatError(path, f"id {lesson_id!r} must use a-z, 0-9 and '-'")
    order = data.get("order")
    if not isinstance(order, int) or isinstance(order, bool):
        raise LessonFormatError(path, "'order' must be an integer")
    body = body.strip()
    if not body:
        raise LessonFormatError(path, "the lesson body is empty")
    return Lesson(
        id=lesson_id,
        order=order,
        title=_text(path, data, "title"),
        source=_text(path, data, "source"),
        body=body,
        quiz=_parse_quiz(path, data.get("quiz")),
        locale=locale,
    )


def load_lessons(root: Path, locale: str) -> list[Lesson]:
    """Every lesson of ``locale`` under ``root``, sorted by ``order``; [] if the locale has none.

    Raises :class:`LessonFormatError` for a malformed file, or when two files share an id or
    an order.
    """
    if not _LOCALE_RE.match(locale):
        raise ValueError(f"not a locale code: {locale!r}")
    folder = Path(root) / locale / "lessons"
    if not folder.is_dir():
        return []
    lessons: list[Lesson] = []
    seen_ids: dict[str, Path] = {}
    seen_orders: dict[int, Path] = {}
    for path in sorted(folder.glob("*.md")):
        lesson = parse_lesson(path, locale)
        if lesson.id in seen_ids:
            raise LessonFormatError(path, f"id {lesson.id!r} is also used by {seen_ids[lesson.id].name}")
        if lesson.order in seen_orders:
            raise LessonFormatError(path, f"order {lesson.order} is also used by {seen_orders[lesson.order].name}")
        seen_ids[lesson.id] = path
        seen_orders[lesson.order] = path
        lessons.append(lesson)
    lessons.sort(key=lambda lesson: lesson.order)
    return lessons


class LessonLibrary:
    """Cached access to the lessons of every locale under one ``root``.

    A locale is read from disk the first time it is asked for; :meth:`reload` forgets the cache.
    """

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else DEFAULT_ROOT
        self._cache: dict[str, list[Lesson]] = {}

    def _own(self, locale: str) -> list[Lesson]:
        if locale not in self._cache:
            self._cache[locale] = load_lessons(self.root, locale)
        return self._cache[locale]

    def reload(self) -> None:
        self._cache.clear()

    def ordered(self, locale: str, fallback: str | None = "vi") -> list[Lesson]:
        """The course in ``locale``, by order; a lesson missing there is taken from ``fallback``."""
        own = self._own(locale)
        if fallback is None or fallback == locale:
            return list(own)
        by_id = {lesson.id: lesson for lesson in own}
        for lesson in self._own(fallback):
            by_id.setdefault(lesson.id, lesson)
        return sorted(by_id.values(), key=lambda lesson: lesson.order)

    def get(self, lesson_id: str, locale: str, fallback: str | None = "vi") -> Lesson | None:
        """The lesson ``lesson_id`` in ``locale``, else in ``fallback``, else None."""
        for lang in (locale, fallback):
            if lang is None:
                continue
            for lesson in self._own(lang):
                if lesson.id == lesson_id:
                    return lesson
        return None

    def next_after(self, lesson_id: str, locale: str, fallback: str | None = "vi") -> Lesson | None:
        """The lesson following ``lesson_id`` in the course, or None at the end or if unknown."""
        course = self.ordered(locale, fallback)
        for i, lesson in enumerate(course):
            if lesson.id == lesson_id:
                return course[i + 1] if i + 1 < len(course) else None
        return None

    def position(self, lesson_id: str, locale: str, fallback: str | None = "vi") -> tuple[int, int] | None:
        """``(number, total)`` of the lesson in the course, 1-based (for "Bài 3/13"), or None."""
        course = self.ordered(locale, fallback)
        for i, lesson in enumerate(course):
            if lesson.id == lesson_id:
                return i + 1, len(course)
        return None


LIBRARY = LessonLibrary()
"""The lessons shipped in ``locales/*/lessons`` (read once, on first use)."""
