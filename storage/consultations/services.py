"""Consultations: publish a draft, comment (as often as one likes while it is open), reply to a
comment, close the period at its time (idempotent), publish the summary. Each checks permission
once, flushes, audits; pushes go through ``consultation_changed``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import Conflict, DomainError, NotFound
from bot.core.i18n import N_
from storage import audit
from storage.consultations.models import Consultation, ConsultationComment, ConsultationTarget
from storage.consultations.permissions import concerns, require_manager, require_publisher
from storage.consultations.signals import ConsultationEvent, consultation_changed
from storage.db import utcnow
from storage.people import queries as people_queries
from storage.people.models import Person, RoleGrant


class ConsultationClosed(DomainError):
    msgid = N_("Sorry, comments on this draft closed at {when}.")


class NotConcerned(DomainError):
    msgid = N_("This draft concerns residents of other places.")


class EmptyComment(DomainError):
    msgid = N_("Please write your comment, or send a file or a voice message.")


class NotClosedYet(Conflict):
    msgid = N_("The summary can be published once the comment period has ended.")


async def publish(
    session: AsyncSession,
    author: Person,
    grants: Sequence[RoleGrant],
    unit_ids: Sequence[int],
    *,
    title: str,
    summary: str,
    closes_at: datetime,
    attachment: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Consultation:
    now = now or utcnow()
    role = await require_publisher(session, grants, unit_ids)
    if closes_at <= now:
        raise DomainError()
    assert author.id is not None
    c = Consultation(
        title=title.strip()[:300],
        summary=summary.strip()[:3000],
        attachment=attachment,
        author_id=author.id,
        author_role=role,
        opens_at=now,
        closes_at=closes_at,
        created_at=now,
    )
    session.add(c)
    await session.flush()
    assert c.id is not None
    for uid in dict.fromkeys(unit_ids):
        session.add(ConsultationTarget(consultation_id=c.id, unit_id=uid))
    await session.flush()
    c.recipients = len(await people_queries.recipient_ids(session, list(unit_ids)))
    await audit.log(
        session,
        "consultation.published",
        "consultation",
        c.id,
        actor_id=author.id,
        units=list(unit_ids),
        closes_at=closes_at.isoformat(),
    )
    await consultation_changed.send(session, ConsultationEvent("published", c.id))
    return c


async def comment(
    session: AsyncSession,
    consultation_id: int,
    person: Person,
    *,
    text: str = "",
    attachment: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> ConsultationComment:
    now = now or utcnow()
    c = await session.get(Consultation, consultation_id)
    if c is None or not await concerns(session, person, consultation_id):
        raise NotConcerned() if c is not None else NotFound()
    if c.status != "open" or now >= c.closes_at:
        raise ConsultationClosed(when=c.closes_at.isoformat())
    if not text.strip() and attachment is None:
        raise EmptyComment()
    assert person.id is not None
    cm = ConsultationComment(
        consultation_id=consultation_id,
        person_id=person.id,
        village_id=person.village_id,
        text=text.strip()[:4000],
        attachment=attachment,
        created_at=now,
    )
    session.add(cm)
    await session.flush()
    await audit.log(
        session, "consultation.commented", "consultation", consultation_id, actor_id=person.id, comment=cm.id
    )
    return cm


async def reply(
    session: AsyncSession,
    comment_id: int,
    actor: Person,
    grants: Sequence[RoleGrant],
    text: str,
    *,
    now: datetime | None = None,
) -> ConsultationComment:
    cm = await session.get(ConsultationComment, comment_id)
    if cm is None:
        raise NotFound()
    await require_manager(session, grants, cm.consultation_id)
    cm.reply, cm.replied_by, cm.replied_at = text.strip()[:2000], actor.id, now or utcnow()
    await session.flush()
    await audit.log(
        session, "consultation.replied", "consultation", cm.consultation_id, actor_id=actor.id, comment=comment_id
    )
    await consultation_changed.send(session, ConsultationEvent("replied", cm.consultation_id, comment_id))
    return cm


async def close_due(session: AsyncSession, consultation_id: int, now: datetime) -> bool:
    res = await session.exec(
        update(Consultation)
        .where(
            col(Consultation.id) == consultation_id,
            col(Consultation.status) == "open",
            col(Consultation.closes_at) <= now,
        )
        .values(status="closed")
    )
    if (res.rowcount or 0) != 1:
        return False
    await audit.log(session, "consultation.closed", "consultation", consultation_id, actor_label="scheduler")
    await consultation_changed.send(session, ConsultationEvent("closed", consultation_id))
    return True


async def due_to_close(session: AsyncSession, now: datetime) -> list[int]:
    rows = await session.exec(
        select(Consultation.id).where(Consultation.status == "open", col(Consultation.closes_at) <= now)
    )
    return [i for i in rows if i is not None]


async def publish_summary(
    session: AsyncSession,
    consultation_id: int,
    actor: Person,
    grants: Sequence[RoleGrant],
    text: str,
    *,
    now: datetime | None = None,
) -> Consultation:
    """What was taken in and why the rest was not; pushed to everyone who commented."""
    c = await require_manager(session, grants, consultation_id)
    if c.status != "closed":
        raise NotClosedYet()
    c.status, c.result_text, c.summarised_at = "summarised", text.strip()[:4000], now or utcnow()
    await session.flush()
    await audit.log(session, "consultation.summarised", "consultation", consultation_id, actor_id=actor.id)
    await consultation_changed.send(session, ConsultationEvent("summarised", consultation_id))
    return c


async def erase_person(session: AsyncSession, person_id: int) -> None:
    """/forget: the person's comments lose their words and files (the count stays for the record)."""
    await session.exec(
        update(ConsultationComment)
        .where(col(ConsultationComment.person_id) == person_id)
        .values(text="", attachment=None)
    )
