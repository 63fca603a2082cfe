"""What a resident can do with their petition: withdraw, add information, rate, reopen once, follow
someone else's, stop following; and de-identification when they ask to be forgotten.

Only the author may act on their own case (``permissions.require_author``); anyone else gets
``NotFound``, exactly as for a case that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound
from bot.core.i18n.catalog import N_
from storage import audit
from storage.people.models import Person
from storage.petitions import permissions
from storage.petitions._staff import resume_clock
from storage.petitions.config import CasesConfig
from storage.petitions.deadlines import due_dates
from storage.petitions.errors import AlreadyRated, InvalidInput, ReopenNotAllowed, TooManyAttachments
from storage.petitions.events import change, load, record, set_status
from storage.petitions.files import StoredFile
from storage.petitions.models import Case, CaseAttachment, CaseEvent, CaseFollower, CaseIdentity
from storage.petitions.rules import MAX_ATTACHMENTS, OPEN_STATUSES, PUBLISHABLE_ROUTES, CaseAction

__all__ = ["add_info", "deidentify_author", "follow", "rate", "reopen", "unfollow", "withdraw"]

A = CaseAction
RESIDENT = "resident"


async def _own(session: AsyncSession, case_id: int, person: Person) -> Case:
    case = await load(session, case_id)
    permissions.require_author(case, person)
    return case


async def withdraw(
    session: AsyncSession,
    cfg: CasesConfig,
    case_id: int,
    person: Person,
    *,
    now: datetime,
    reason: str | None = None,
    version: int | None = None,
) -> Case:
    case = await _own(session, case_id, person)

    def apply(case: Case) -> None:
        case.paused_at = None
        case.closed_at = now

    return await change(
        session,
        cfg,
        case,
        A.WITHDRAW,
        now=now,
        actor_id=person.id,
        actor_role=RESIDENT,
        version=version,
        apply=apply,
        text=(reason or "").strip()[:1000] or None,
    )


async def add_info(
    session: AsyncSession,
    cfg: CasesConfig,
    case_id: int,
    person: Person,
    *,
    now: datetime,
    text: str | None = None,
    attachments: Sequence[StoredFile] = (),
    version: int | None = None,
) -> Case:
    """More text or files from the author. While waiting for the resident, this restarts the clock."""
    case = await _own(session, case_id, person)
    text = (text or "").strip()
    if not text and not attachments:
        raise InvalidInput()
    if len(text) > 4000:
        raise InvalidInput(N_("Please write between {min} and {max} characters."), min=1, max=4000)
    have = len(list(await session.exec(select(CaseAttachment.id).where(CaseAttachment.case_id == case.id))))
    if have + len(attachments) > MAX_ATTACHMENTS:
        raise TooManyAttachments(max=MAX_ATTACHMENTS)

    def apply(case: Case) -> dict[str, Any]:
        if case.status == "waiting_for_resident":
            resume_clock(cfg, case, now)
            set_status(case, "in_progress")
        assert case.id is not None
        for f in attachments:
            session.add(
                CaseAttachment(
                    case_id=case.id,
                    kind=f.kind,
                    storage_key=f.key,
                    file_name=f.file_name,
                    mime_type=f.mime_type,
                    size=f.size,
                    sha256=f.sha256,
                    added_by=person.id,
                    added_at=now,
                )
            )
        return {"attachments": len(attachments)}

    return await change(
        session,
        cfg,
        case,
        A.ADD_INFO,
        now=now,
        actor_id=person.id,
        actor_role=RESIDENT,
        version=version,
        apply=apply,
        text=text or None,
    )


async def rate(
    session: AsyncSession,
    cfg: CasesConfig,
    case_id: int,
    person: Person,
    *,
    stars: int,
    now: datetime,
    comment: str | None = None,
) -> Case:
    case = await _own(session, case_id, person)
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise InvalidInput(N_("Please choose from 1 to 5 stars."))
    comment = (comment or "").strip()[:1000] or None

    def check(case: Case) -> None:
        if case.rating is not None:
            raise AlreadyRated()

    def apply(case: Case) -> None:
        case.rating = stars
        case.rating_comment = comment
        case.rated_at = now

    return await change(
        session,
        cfg,
        case,
        A.RATE,
        now=now,
        actor_id=person.id,
        actor_role=RESIDENT,
        check=check,
        apply=apply,
        text=comment,
        stars=stars,
    )


async def reopen(
    session: AsyncSession, cfg: CasesConfig, case_id: int, person: Person, *, reason: str, now: datetime
) -> Case:
    """Once, within the reopen window after the answer: back in the queue, escalated to the unit head."""
    case = await _own(session, case_id, person)
    reason = (reason or "").strip()

    def check(case: Case) -> None:
        if len(reason) < 5:
            raise InvalidInput(N_("Please tell us briefly why the answer does not satisfy you."))
        w = cfg.windows
        if (
            case.reopen_count >= 1
            or case.answered_at is None
            or now > cfg.calendar.add_days(case.answered_at, w.reopen_window_days, w.unit)
        ):
            raise ReopenNotAllowed()

    def apply(case: Case) -> None:
        case.reopen_count += 1
        case.reopened_at = now
        case.escalated = True
        case.closed_at = None
        case.acknowledged_at = None
        case.ack_due, case.answer_due = due_dates(cfg.routes[case.route].deadline, cfg.calendar, now)

    return await change(
        session,
        cfg,
        case,
        A.REOPEN,
        now=now,
        actor_id=person.id,
        actor_role=RESIDENT,
        check=check,
        apply=apply,
        text=reason[:2000],
    )


async def follow(session: AsyncSession, case_id: int, person: Person, *, now: datetime) -> bool:
    """Follow an open gop_y/kien_nghi/phan_anh case whose author agreed to publication, instead of
    filing the same one; True if new. Any other case does not exist for a would-be follower."""
    case = await load(session, case_id)
    if (
        case.route not in PUBLISHABLE_ROUTES
        or not case.publish_consent
        or case.status not in (*OPEN_STATUSES, "answered")
    ):
        raise NotFound()
    if case.author_id == person.id:
        return False
    if await session.get(CaseFollower, (case_id, person.id)) is not None:
        return False
    session.add(CaseFollower(case_id=case_id, person_id=person.id, created_at=now))  # type: ignore[arg-type]
    await record(
        session,
        case,
        A.FOLLOW,
        now=now,
        actor_id=person.id,
        actor_role=RESIDENT,
        from_status=case.status,
        to_status=case.status,
        public=False,
    )
    await session.flush()
    return True


async def unfollow(session: AsyncSession, case_id: int, person: Person) -> bool:
    row = await session.get(CaseFollower, (case_id, person.id))
    if row is None:
        return False
    await session.delete(row)
    return True


async def deidentify_author(session: AsyncSession, person_id: int) -> int:
    """Erasure (/forget): the person's cases stay as public record without their identity.

    Non-confidential identity rows (khiếu nại) are deleted. A tố cáo's confidential identity is KEPT: the
    Law on Denunciation 2018 requires the file, with the denouncer's identity, to be kept, and it stays
    confidential. Follows are removed; their events no longer name them."""
    ids = list(await session.exec(select(Case.id).where(Case.author_id == person_id)))
    if ids:
        await session.exec(
            delete(CaseIdentity).where(col(CaseIdentity.case_id).in_(ids), col(CaseIdentity.confidential).is_(False))
        )
        await session.exec(
            update(Case)
            .where(col(Case.id).in_(ids))
            .values(author_id=None, latitude=None, longitude=None, idempotency_key=None)
            .execution_options(synchronize_session=False)
        )
    await session.exec(
        update(CaseEvent)
        .where(col(CaseEvent.actor_id) == person_id, col(CaseEvent.actor_role) == RESIDENT)
        .values(actor_id=None)
        .execution_options(synchronize_session=False)
    )
    await session.exec(
        update(CaseAttachment)
        .where(col(CaseAttachment.added_by) == person_id)
        .values(added_by=None)
        .execution_options(synchronize_session=False)
    )
    await session.exec(delete(CaseFollower).where(col(CaseFollower.person_id) == person_id))
    if ids:
        await audit.log(
            session,
            f"case.{A.DEIDENTIFY.value}",
            "person",
            person_id,
            actor_id=None,
            actor_label="erasure",
            cases=len(ids),
        )
    return len(ids)
