"""Reads for learning: a resident's progress, opt-outs, campaigns and their lesson sequence, quiz
results per village, and the figures for the statistics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.learning.lessons import LIBRARY
from storage.learning.models import Campaign, LearningOptOut, LessonProgress
from storage.people.models import Person

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class VillageStats:
    """Quiz results of one village: residents who learned, answers, correct answers."""

    unit_id: int | None
    residents: int
    answered: int
    correct: int


@dataclass(frozen=True)
class PeriodCounts:
    """Learning in a period (see ``period_counts``)."""

    shown: int
    answered: int
    correct: int
    opted_out: int


async def progress_of(session: AsyncSession, person_id: int) -> dict[str, LessonProgress]:
    """lesson id → the person's progress on it."""
    rows = await session.exec(select(LessonProgress).where(LessonProgress.person_id == person_id))
    return {p.lesson_id: p for p in rows}


async def is_opted_out(session: AsyncSession, person_id: int) -> bool:
    return await session.get(LearningOptOut, person_id) is not None


async def active(session: AsyncSession) -> list[Campaign]:
    """Every active campaign, oldest first."""
    return list(await session.exec(select(Campaign).where(Campaign.active == True).order_by(col(Campaign.id))))


async def all_campaigns(session: AsyncSession) -> list[Campaign]:
    return list(await session.exec(select(Campaign).order_by(col(Campaign.id))))


def sequence(campaign: Campaign, locale: str = "vi") -> list[str]:
    """The lesson ids a campaign pushes, in order (its own list, else the whole course)."""
    return list(campaign.lesson_ids) or [lesson.id for lesson in LIBRARY.ordered(locale)]


async def village_stats(session: AsyncSession, unit_ids: Sequence[int] | None = None) -> list[VillageStats]:
    """Quiz results per village (residents who answered, correct answers)."""
    q = (
        select(
            Person.village_id,
            func.count(func.distinct(LessonProgress.person_id)),
            func.count(col(LessonProgress.answered_at)),
            func.sum(case((col(LessonProgress.correct) == True, 1), else_=0)),
        )
        .join(Person, col(Person.id) == LessonProgress.person_id)
        .group_by(col(Person.village_id))
    )
    if unit_ids is not None:
        q = q.where(col(Person.village_id).in_(list(unit_ids)))
    out = []
    for vid, residents, answered, correct in await session.exec(q):
        out.append(VillageStats(vid, int(residents or 0), int(answered or 0), int(correct or 0)))
    return sorted(out, key=lambda s: (s.unit_id is None, s.unit_id or 0))


def _lives_in(unit_ids: Sequence[int] | None) -> tuple[Any, ...]:
    if unit_ids is None:
        return ()
    ids = list(unit_ids)
    return (or_(col(Person.village_id).in_(ids), col(Person.ward_id).in_(ids)),)


async def period_counts(
    session: AsyncSession, unit_ids: Sequence[int] | None, start: datetime, end: datetime
) -> PeriodCounts:
    """For residents living in ``unit_ids`` (None: anywhere): lessons shown and quiz answers (and
    correct ones) in ``[start, end)``, and how many had opted out of campaign lessons by ``end``."""
    where = _lives_in(unit_ids)
    progress = (
        select(func.count())
        .select_from(LessonProgress)
        .join(Person, col(Person.id) == LessonProgress.person_id)
        .where(*where)
    )
    shown = (
        await session.exec(progress.where(col(LessonProgress.shown_at) >= start, col(LessonProgress.shown_at) < end))
    ).one()
    answered, correct = (
        await session.exec(
            select(func.count(), func.sum(case((col(LessonProgress.correct) == True, 1), else_=0)))
            .select_from(LessonProgress)
            .join(Person, col(Person.id) == LessonProgress.person_id)
            .where(*where, col(LessonProgress.answered_at) >= start, col(LessonProgress.answered_at) < end)
        )
    ).one()
    opted = (
        await session.exec(
            select(func.count())
            .select_from(LearningOptOut)
            .join(Person, col(Person.id) == LearningOptOut.person_id)
            .where(*where, col(LearningOptOut.at) < end)
        )
    ).one()
    return PeriodCounts(int(shown), int(answered or 0), int(correct or 0), int(opted))
