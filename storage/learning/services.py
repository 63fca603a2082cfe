"""Learning: the state changes — lesson shown, quiz answered, opt-out and back in, campaigns created
and run, a person's learning data erased.

A campaign push happens once per campaign and local day (a ``CampaignRun`` row with a unique key,
inserted in the same transaction as the queued messages). Each resident gets the first lesson of
the campaign they have not seen yet, so everyone advances at their own pace (/learn counts too).
For every (lesson, language) group ``lesson_pushed`` is sent inside that transaction; its receiver
(``handlers/learning/notify.py``) builds the lesson message and queues it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.signals import Signal
from storage.db import utcnow
from storage.learning.lessons import LIBRARY, Lesson
from storage.learning.models import Campaign, CampaignRun, LearningOptOut, LessonProgress
from storage.learning.queries import is_opted_out, sequence
from storage.people.queries import recipients_by_locale

_CHUNK = 5000  # below SQLite's bound-parameter limit for IN (...)


@dataclass(frozen=True)
class LessonPush:
    """One lesson of a campaign run, for the residents (all in one language) whose next lesson it is."""

    campaign_id: int
    run_date: date
    lesson: Lesson
    locale: str
    person_ids: list[int]


lesson_pushed: Signal[LessonPush] = Signal(
    "learning.lesson_pushed",
    "Sent by ``run`` for every (lesson, language) group, inside the run's transaction; receivers "
    "queue the messages and return how many outbox rows they queued.",
)


async def mark_shown(
    session: AsyncSession, person_id: int, lesson_id: str, *, via: str = "learn", campaign_id: int | None = None
) -> LessonProgress:
    """Record that the person was shown the lesson (once; the first time counts)."""
    row = (
        await session.exec(
            select(LessonProgress).where(LessonProgress.person_id == person_id, LessonProgress.lesson_id == lesson_id)
        )
    ).first()
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


async def opt_out(session: AsyncSession, person_id: int) -> bool:
    """/stop: no campaign lessons any more; False when already opted out."""
    if await is_opted_out(session, person_id):
        return False
    session.add(LearningOptOut(person_id=person_id))
    await session.flush()
    return True


async def opt_in(session: AsyncSession, person_id: int) -> bool:
    """/resume: campaign lessons again; False when the person had not opted out."""
    res = await session.exec(delete(LearningOptOut).where(col(LearningOptOut.person_id) == person_id))
    return bool(res.rowcount)


async def erase_person(session: AsyncSession, person_id: int) -> None:
    """/forget: the person's progress, answers and opt-out go."""
    for model in (LessonProgress, LearningOptOut):
        await session.exec(delete(model).where(col(model.person_id) == person_id))


async def create(
    session: AsyncSession,
    name: str,
    unit_ids: Sequence[int],
    *,
    weekday: int = 0,
    at_time: str = "19:00",
    lesson_ids: Sequence[str] = (),
    created_by: str | None = None,
) -> Campaign:
    """A weekly campaign; ``ValueError`` for a bad time, weekday or lesson id."""
    if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", at_time):
        raise ValueError("time must be HH:MM, for example 19:00")
    if not 0 <= weekday <= 6:
        raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
    known = {lesson.id for lesson in LIBRARY.ordered("vi")}
    unknown = [i for i in lesson_ids if i not in known]
    if unknown:
        raise ValueError(f"unknown lesson ids: {', '.join(unknown)}")
    c = Campaign(
        name=name,
        unit_ids=list(unit_ids),
        lesson_ids=list(lesson_ids),
        weekday=weekday,
        at_time=at_time,
        created_by=created_by,
    )
    session.add(c)
    await session.flush()
    return c


async def _next_lessons(
    session: AsyncSession, campaign: Campaign, default_locale: str
) -> dict[tuple[str, str], list[int]]:
    """(lesson id, language) → the enrolled residents whose next unseen lesson of the campaign it is."""
    by_locale = await recipients_by_locale(session, campaign.unit_ids, default_locale)
    opted = set(await session.exec(select(LearningOptOut.person_id)))
    seq = sequence(campaign)
    groups: dict[tuple[str, str], list[int]] = {}
    for lang, everyone in by_locale.items():
        people = [p for p in everyone if p not in opted]
        for i in range(0, len(people), _CHUNK):
            chunk = people[i : i + _CHUNK]
            seen: dict[int, set[str]] = {}
            for pid, lid in await session.exec(
                select(LessonProgress.person_id, LessonProgress.lesson_id).where(
                    col(LessonProgress.person_id).in_(chunk)
                )
            ):
                seen.setdefault(pid, set()).add(lid)
            for pid in chunk:
                nxt = next((lid for lid in seq if lid not in seen.get(pid, set())), None)
                if nxt is not None:
                    groups.setdefault((nxt, lang), []).append(pid)
    return groups


async def run(
    session: AsyncSession, campaign_id: int, run_date: date, *, default_locale: str = "vi", now: datetime | None = None
) -> int:
    """Push the next lesson to every enrolled resident, once per campaign and day. Returns the
    number of residents reached (0 when this day's push already happened)."""
    if not lesson_pushed.receivers:
        raise RuntimeError("nothing builds lesson messages: import handlers.learning.notify")
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None or not campaign.active:
        return 0
    try:
        async with session.begin_nested():
            run_row = CampaignRun(campaign_id=campaign_id, run_date=run_date, at=now or utcnow())
            session.add(run_row)
    except IntegrityError:
        return 0
    pushed = 0
    for (lesson_id, lang), pids in (await _next_lessons(session, campaign, default_locale)).items():
        lesson = LIBRARY.get(lesson_id, lang)
        if lesson is None:
            continue
        if await lesson_pushed.send(session, LessonPush(campaign_id, run_date, lesson, lang, pids)):
            session.add_all(
                [
                    LessonProgress(person_id=p, lesson_id=lesson_id, via="campaign", campaign_id=campaign_id)
                    for p in pids
                ]
            )
            pushed += len(pids)
    run_row.pushed = pushed
    await session.flush()
    return pushed
