"""Reads for consultations: the open drafts concerning a person, a draft's comments grouped by
village, who commented, an author's list and the figures for the statistics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.consultations.models import Consultation, ConsultationComment, ConsultationTarget
from storage.people.models import Person
from storage.people.permissions import unit_chain


async def open_for(session: AsyncSession, person: Person, now: datetime) -> list[Consultation]:
    chain: set[int] = set()
    for uid in (person.village_id, person.ward_id):
        if uid is not None:
            chain.update(await unit_chain(session, uid))
    if not chain:
        return []
    ids = select(ConsultationTarget.consultation_id).where(col(ConsultationTarget.unit_id).in_(chain))
    rows = await session.exec(
        select(Consultation)
        .where(col(Consultation.id).in_(ids), Consultation.status == "open", col(Consultation.closes_at) > now)
        .order_by(col(Consultation.closes_at))
    )
    return list(rows)


async def comments_by_village(
    session: AsyncSession, consultation_id: int
) -> dict[int | None, list[ConsultationComment]]:
    rows = await session.exec(
        select(ConsultationComment)
        .where(ConsultationComment.consultation_id == consultation_id)
        .order_by(col(ConsultationComment.village_id), col(ConsultationComment.created_at))
    )
    out: dict[int | None, list[ConsultationComment]] = {}
    for cm in rows:
        out.setdefault(cm.village_id, []).append(cm)
    return out


async def commenters(session: AsyncSession, consultation_id: int) -> list[int]:
    rows = await session.exec(
        select(ConsultationComment.person_id).where(ConsultationComment.consultation_id == consultation_id).distinct()
    )
    return list(rows)


async def by_author(session: AsyncSession, author_id: int, limit: int = 10) -> list[Consultation]:
    rows = await session.exec(
        select(Consultation)
        .where(Consultation.author_id == author_id)
        .order_by(col(Consultation.created_at).desc())
        .limit(limit)
    )
    return list(rows)


async def comment_count(session: AsyncSession, person_id: int) -> int:
    n = await session.exec(
        select(func.count()).select_from(ConsultationComment).where(ConsultationComment.person_id == person_id)
    )
    return int(n.one())


@dataclass(frozen=True)
class ConsultationCounts:
    published: int
    comments: int
    summarised: int


async def period_counts(
    session: AsyncSession, unit_ids: Sequence[int] | None, start: datetime, end: datetime
) -> ConsultationCounts:
    q = select(Consultation.id).where(col(Consultation.created_at) >= start, col(Consultation.created_at) < end)
    if unit_ids is not None:
        q = q.where(
            col(Consultation.id).in_(
                select(ConsultationTarget.consultation_id).where(col(ConsultationTarget.unit_id).in_(list(unit_ids)))
            )
        )
    published = (await session.exec(select(func.count()).select_from(q.subquery()))).one()
    comments = (
        await session.exec(
            select(func.count()).select_from(ConsultationComment).where(col(ConsultationComment.consultation_id).in_(q))
        )
    ).one()
    summarised = (
        await session.exec(
            select(func.count())
            .select_from(Consultation)
            .where(col(Consultation.id).in_(q), Consultation.status == "summarised")
        )
    ).one()
    return ConsultationCounts(int(published), int(comments), int(summarised))


async def listing(session: AsyncSession, unit_ids: Sequence[int] | None, *, limit: int = 100) -> list[Consultation]:
    """Drafts concerning one of ``unit_ids`` (None: all), the latest first: the dashboard's candidates
    (it checks ``require_manager(read_only=True)`` on each)."""
    q = select(Consultation)
    if unit_ids is not None:
        ids = select(ConsultationTarget.consultation_id).where(col(ConsultationTarget.unit_id).in_(list(unit_ids)))
        q = q.where(col(Consultation.id).in_(ids))
    rows = await session.exec(q.order_by(col(Consultation.created_at).desc(), col(Consultation.id).desc()).limit(limit))
    return list(rows)


async def comment_counts(session: AsyncSession, consultation_ids: Sequence[int]) -> dict[int, int]:
    if not consultation_ids:
        return {}
    rows = await session.exec(
        select(ConsultationComment.consultation_id, func.count())
        .where(col(ConsultationComment.consultation_id).in_(list(consultation_ids)))
        .group_by(col(ConsultationComment.consultation_id))
    )
    return {int(c): int(n) for c, n in rows.all()}
