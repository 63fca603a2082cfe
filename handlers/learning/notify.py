"""How a lesson looks, and queueing campaign lessons: the only place that builds the learning
feature's messages.

``render_lesson`` is the lesson as /learn shows it and as a campaign pushes it (with a "stop"
button); ``queue_lessons`` is connected to ``storage.learning.services.lesson_pushed``.
"""

from __future__ import annotations

import re

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import Translator
from bot.core.messages import Button, Reply
from storage import outbox
from storage.learning.lessons import LIBRARY, Lesson
from storage.learning.services import LessonPush, lesson_pushed

PRIORITY = 7
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def plain(markdown: str) -> str:
    """Lesson Markdown as plain text (channels escape it; bold marks are dropped)."""
    text = _BOLD.sub(r"\1", markdown)
    return re.sub(r"^- ", "• ", text, flags=re.M)


def render_lesson(lesson: Lesson, locale: str, *, from_campaign: bool = False) -> Reply:
    """ "Lesson n/total: title", the text, its legal source, and the quiz button."""
    t = Translator(locale)
    pos = LIBRARY.position(lesson.id, locale)
    head = t("Lesson {n}/{total}: {title}", n=pos[0] if pos else "?", total=pos[1] if pos else "?", title=lesson.title)
    text = f"📘 {head}\n\n{plain(lesson.body)}\n\n{t('Source: {source}', source=lesson.source)}"
    buttons = [[Button(t("Answer the question"), f"lq:{lesson.id}")]]
    if from_campaign:
        buttons.append([Button(t("Stop these lessons"), "menu:stop")])
    return Reply(text, buttons=tuple(tuple(r) for r in buttons), locale=t.locale)


async def queue_lessons(session: AsyncSession, push: LessonPush) -> int:
    """Queue one campaign lesson for its group (dedupe: once per campaign, day and person)."""
    reply = render_lesson(push.lesson, push.locale, from_campaign=True)
    return await outbox.enqueue_many(
        session,
        push.person_ids,
        reply,
        kind="lesson",
        dedupe_prefix=f"campaign:{push.campaign_id}:{push.run_date.isoformat()}",
        ref_type="campaign",
        ref_id=push.campaign_id,
        priority=PRIORITY,
    )


lesson_pushed.connect(queue_lessons)
