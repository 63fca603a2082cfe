"""Lessons and campaigns: progress and quiz answers per resident, opt-outs, campaign pushes and
quiz results per village.

A campaign push happens once per campaign and local day (a ``CampaignRun`` row with a unique key,
inserted in the same transaction as the queued messages). Each resident gets the first lesson of
the campaign they have not seen yet, so everyone advances at their own pace (/learn counts too).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import Translator
from storage.learning.lessons import Lesson, LessonLibrary
from bot.core.messages import Button, Reply
from storage import outbox
from storage.notices import services as notices
from storage.db import utcnow
from storage.people.models import Person
from storage.learning.models import Campaign, CampaignRun, LearningOptOut, LessonProgress

LIBRARY = LessonLibrary()
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True)
class VillageStats:
    unit_id: int | None
    residents: int
    answered: int
    correct: int


def plain(markdown: str) -> str:
    """Lesson Markdown as plain text (channels escape it; bold marks are dropped)."""
    text = _BOLD.sub(r"\1", markdown)
    return re.sub(r"^- ", "• ", text, flags=re.M)


def render_lesson(lesson: Lesson, locale: str, *, from_campaign: bool = False) -> Reply:
    t = Translator(locale)
    pos = LIBRARY.position(lesson.id, locale)
    head = t("Lesson {n}/{total}: {title}", n=pos[0] if pos else "?", total=pos[1] if pos else "?",
             title=lesson.title)
    text = f"📘 {head}\n\n{plain(lesson.body)}\n\n{t('Source: {source}', source=lesson.source)}"
    buttons = [[Button(t("Answer the question"), f"lq:{lesson.id}")]]
    if from_campaign:
        buttons.append([Button(t("Stop these lessons"), "menu:stop")])
    return Reply(text, buttons=tuple(tuple(r) for r in buttons))


async def progress_of(session: AsyncSession, person_id: int) -> dict[str, LessonProgress]:
    rows = await session.exec(select(LessonProgress).where(LessonProgress.person_id == person_id))
    return {p.lesson_id: p for p in rows}


async def mark_shown(session: AsyncSession, person_id: int, lesson_id: str, *, via: str = "learn",
                     campaign_id: int | None = None) -> LessonProgress:
    row = (await session.exec(select(LessonProgress).where(LessonProgress.person_id == person_id,
                                                           LessonProgress.lesson_id == lesson_id))).first()
    if row is None:
        row = LessonProgress(person_id=person_id, lesson_id=lesson_id, via=via, campaign_id=campaign_id)
        session.add(row)
        await session.flush()
    return row


async def answer(session: AsyncSession, person_id: int, lesson: Lesson, choice: int) -> bool:
    """Record the answer (the latest one counts); True when correct."""
    row = await mark_shown(session, person_id, lesson.id)
    row.choice, row.correct, row.answered_at = choice, lesson.quiz.is_correct(choice), utcnow()
    await session.flush()
    return bool(row.correct)


async def is_opted_out(session: AsyncSession, person_id: int) -> bool:
    return await session.get(LearningOptOut, person_id) is not None


async def opt_out(session: AsyncSession, person_id: int) -> bool:
    if await is_opted_out(session, person_id):
        return False
    session.add(LearningOptOut(person_id=person_id))
    await session.flush()
    return True


async def opt_in(session: AsyncSession, person_id: int) -> bool:
    res = await session.exec(delete(LearningOptOut).where(col(LearningOptOut.person_id) == person_id))  # type: ignore[call-overload]
    return bool(res.rowcount)


async def create(session: AsyncSession, name: str, unit_ids: Sequence[int], *, weekday: int = 0,
                 at_time: str = "19:00", lesson_ids: Sequence[str] = (), created_by: str | None = None) -> Campaign:
    if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", at_time):
        raise ValueError("time must be HH:MM, for example 19:00")
    if not 0 <= weekday <= 6:
        raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
    known = {lesson.id for lesson in LIBRARY.ordered("vi")}
    unknown = [i for i in lesson_ids if i not in known]
    if unknown:
        raise ValueError(f"unknown lesson ids: {', '.join(unknown)}")
    c = Campaign(name=name, unit_ids=list(unit_ids), lesson_ids=list(lesson_ids), weekday=weekday,
                 at_time=at_time, created_by=created_by)
    session.add(c)
    await session.flush()
    return c


async def active(session: AsyncSession) -> list[Campaign]:
    return list(await session.exec(select(Campaign).where(Campaign.active == True).order_by(col(Campaign.id))))  # noqa: E712


def sequence(campaign: Campaign, locale: str = "vi") -> list[str]:
    return list(campaign.lesson_ids) or [lesson.id for lesson in LIBRARY.ordered(locale)]


async def run(session: AsyncSession, campaign_id: int, run_date: date, *, default_locale: str = "vi",
              now: datetime | None = None) -> int:
    """Push the next lesson to every enrolled resident, once per campaign and day. Returns the
    number of residents reached (0 when this day's push already happened)."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None or not campaign.active:
        return 0
    try:
        async with session.begin_nested():
            run_row = CampaignRun(campaign_id=campaign_id, run_date=run_date, at=now or utcnow())
            session.add(run_row)
    except IntegrityError:
        return 0
    people = await notices.recipient_ids(session, campaign.unit_ids)
    opted = set(await session.exec(select(LearningOptOut.person_id)))
    people = [p for p in people if p not in opted]
    seq = sequence(campaign)
    groups: dict[tuple[str, str], list[int]] = {}
    for i in range(0, len(people), 5000):
        chunk = people[i:i + 5000]
        seen: dict[int, set[str]] = {}
        for pid, lid in await session.exec(select(LessonProgress.person_id, LessonProgress.lesson_id).where(
                col(LessonProgress.person_id).in_(chunk))):
            seen.setdefault(pid, set()).add(lid)
        langs = {pid: (loc or default_locale) for pid, loc in await session.exec(
            select(Person.id, Person.locale).where(col(Person.id).in_(chunk)))}
        for pid in chunk:
            nxt = next((lid for lid in seq if lid not in seen.get(pid, set())), None)
            if nxt is not None:
                groups.setdefault((nxt, langs.get(pid, default_locale)), []).append(pid)
    pushed = 0
    for (lesson_id, lang), pids in groups.items():
        lesson = LIBRARY.get(lesson_id, lang)
        if lesson is None:
            continue
        n = await outbox.enqueue_many(session, pids, render_lesson(lesson, lang, from_campaign=True), kind="lesson",
                                      dedupe_prefix=f"campaign:{campaign_id}:{run_date.isoformat()}",
                                      ref_type="campaign", ref_id=campaign_id, priority=7)
        if n:
            session.add_all([LessonProgress(person_id=p, lesson_id=lesson_id, via="campaign",
                                            campaign_id=campaign_id) for p in pids])
            pushed += len(pids)
    run_row.pushed = pushed
    await session.flush()
    return pushed


async def village_stats(session: AsyncSession, unit_ids: Sequence[int] | None = None) -> list[VillageStats]:
    """Quiz results per village (residents who answered, correct answers)."""
    q = (select(Person.village_id, func.count(func.distinct(LessonProgress.person_id)),
                func.count(LessonProgress.answered_at),
                func.sum(case((col(LessonProgress.correct) == True, 1), else_=0)))  # noqa: E712
         .join(Person, col(Person.id) == LessonProgress.person_id)
         .group_by(Person.village_id))
    if unit_ids is not None:
        q = q.where(col(Person.village_id).in_(list(unit_ids)))
    out = []
    for vid, residents, answered, correct in await session.exec(q):
        out.append(VillageStats(vid, int(residents or 0), int(answered or 0), int(correct or 0)))
    return sorted(out, key=lambda s: (s.unit_id is None, s.unit_id or 0))
