"""What a resident can do with their petition: withdraw, add information, rate, reopen once, follow
someone else's, find similar open ones; and de-identification when they ask to be forgotten.

Only the author may act on their own case; anyone else gets ``NotFound``, exactly as for a case that
does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from rapidfuzz import fuzz
from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import Conflict, NotFound
from bot.core.i18n.catalog import N_
from storage.petitions import notify
from storage.petitions.actions import resume_clock
from storage.petitions.config import CasesConfig
from storage.petitions.errors import AlreadyRated, InvalidInput, ReopenNotAllowed, TooManyAttachments
from storage.petitions.events import bump, load, record, set_status
from storage.petitions.files import StoredFile
from storage.petitions.rules import MAX_ATTACHMENTS, OPEN_STATUSES, check_transition
from storage.petitions.deadlines import due_dates
from storage.people.models import Person
from storage.petitions.models import Case, CaseAttachment, CaseEvent, CaseFollower, CaseIdentity
from bot.core.textfold import fold

__all__ = ["add_info", "deidentify_author", "follow", "rate", "reopen", "similar_open_cases", "unfollow",
           "withdraw"]

_SIMILAR_ROUTES = ("gop_y", "kien_nghi", "phan_anh")  # never offer someone's complaint or denunciation


async def _own(session: AsyncSession, case_id: int, person: Person) -> Case:
    case = await load(session, case_id)
    if case.author_id is None or case.author_id != person.id:
        raise NotFound()
    return case


async def withdraw(session: AsyncSession, cfg: CasesConfig, case_id: int, person: Person, *, now: datetime,
                   reason: str | None = None, version: int | None = None) -> Case:
    case = await _own(session, case_id, person)
    if version is not None and version != case.version:
        raise Conflict()
    before = case.status
    after = check_transition("withdraw", before)
    await bump(session, case, version, now)
    set_status(case, after)
    case.paused_at = None
    case.closed_at = now
    await record(session, case, "withdraw", now=now, actor_id=person.id, actor_role="resident", from_status=before,
                 to_status=after, text=(reason or "").strip()[:1000] or None)
    await notify.notify_residents(session, cfg, case, N_("Petition {code} was withdrawn by its author."),
                                  now=now, include_author=False)
    if case.assignee_id:
        await notify.notify_staff(session, cfg, case, case.assignee_id,
                                  N_("Petition {code} was withdrawn by its author."))
    return case


async def add_info(session: AsyncSession, cfg: CasesConfig, case_id: int, person: Person, *, now: datetime,
                   text: str | None = None, attachments: Sequence[StoredFile] = (),
                   version: int | None = None) -> Case:
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
    if version is not None and version != case.version:
        raise Conflict()
    before = case.status
    check_transition("add_info", before)
    await bump(session, case, version, now)
    after = before
    if before == "waiting_for_resident":
        resume_clock(cfg, case, now)
        after = "in_progress"
        set_status(case, after)
    for f in attachments:
        session.add(CaseAttachment(case_id=case.id, kind=f.kind, storage_key=f.key, file_name=f.file_name,  # type: ignore[arg-type]
                                   mime_type=f.mime_type, size=f.size, sha256=f.sha256, added_by=person.id,
                                   added_at=now))
    await record(session, case, "add_info", now=now, actor_id=person.id, actor_role="resident", from_status=before,
                 to_status=after, text=text or None, attachments=len(attachments))
    recipients = [case.assignee_id] if case.assignee_id else await notify.staff_recipients(
        session, case.unit_id, case.category)
    for pid in recipients:
        await notify.notify_staff(session, cfg, case, pid, N_("The resident added information to petition {code}."))
    return case


async def rate(session: AsyncSession, cfg: CasesConfig, case_id: int, person: Person, *, stars: int,
               now: datetime, comment: str | None = None) -> Case:
    case = await _own(session, case_id, person)
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise InvalidInput(N_("Please choose from 1 to 5 stars."))
    check_transition("rate", case.status)
    if case.rating is not None:
        raise AlreadyRated()
    await bump(session, case, None, now)
    case.rating = stars
    case.rating_comment = (comment or "").strip()[:1000] or None
    case.rated_at = now
    await record(session, case, "rate", now=now, actor_id=person.id, actor_role="resident",
                 from_status=case.status, to_status=case.status, public=True, text=case.rating_comment, stars=stars)
    return case


async def reopen(session: AsyncSession, cfg: CasesConfig, case_id: int, person: Person, *, reason: str,
                 now: datetime) -> Case:
    """Once, within the reopen window after the answer: back in the queue, escalated to the unit head."""
    case = await _own(session, case_id, person)
    before = case.status
    after = check_transition("reopen", before)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise InvalidInput(N_("Please tell us briefly why the answer does not satisfy you."))
    w = cfg.windows
    if case.reopen_count >= 1 or case.answered_at is None or \
            now > cfg.calendar.add_days(case.answered_at, w.reopen_window_days, w.unit):
        raise ReopenNotAllowed()
    await bump(session, case, None, now)
    set_status(case, after)
    case.reopen_count += 1
    case.reopened_at = now
    case.escalated = True
    case.closed_at = None
    case.acknowledged_at = None
    case.ack_due, case.answer_due = due_dates(cfg.routes[case.route].deadline, cfg.calendar, now)
    await record(session, case, "reopen", now=now, actor_id=person.id, actor_role="resident", from_status=before,
                 to_status=after, text=reason[:2000])
    await notify.notify_residents(session, cfg, case, N_("Your petition {code} has been reopened and passed to the "
                                                        "head of the unit. The new answer is due by {due}."), now=now)
    await notify.notify_escalation(session, cfg, case, N_("Petition {code} was reopened by the resident, who is not "
                                                         "satisfied with the answer ({route}, {category}, {unit}). "
                                                         "Answer due {due}."), now=now)
    return case


async def follow(session: AsyncSession, case_id: int, person: Person, *, now: datetime) -> bool:
    """Follow an open gop_y/kien_nghi/phan_anh case instead of filing the same one; True if new."""
    case = await load(session, case_id)
    if case.route not in _SIMILAR_ROUTES or case.status not in OPEN_STATUSES + ("answered",):
        raise NotFound()
    if case.author_id == person.id:
        return False
    if await session.get(CaseFollower, (case_id, person.id)) is not None:
        return False
    session.add(CaseFollower(case_id=case_id, person_id=person.id, created_at=now))  # type: ignore[arg-type]
    await record(session, case, "follow", now=now, actor_id=person.id, actor_role="resident",
                 from_status=case.status, to_status=case.status, public=False)
    await session.flush()
    return True


async def unfollow(session: AsyncSession, case_id: int, person: Person) -> bool:
    row = await session.get(CaseFollower, (case_id, person.id))
    if row is None:
        return False
    await session.delete(row)
    return True


async def similar_open_cases(session: AsyncSession, cfg: CasesConfig, *, ward_id: int | None,
                             village_id: int | None, category: str, description: str, now: datetime,
                             exclude_author_id: int | None = None, limit: int = 3) -> list[Case]:
    """Open cases of the same village (or ward, when no village) and category from the last days,
    with similar folded text (rapidfuzz token_set_ratio ≥ threshold), best first."""
    since = now - timedelta(days=cfg.similar_days)
    q = select(Case).where(Case.category == category, col(Case.created_at) >= since, col(Case.is_open).is_(True),
                           col(Case.route).in_(_SIMILAR_ROUTES))
    if village_id is not None:
        q = q.where(Case.village_id == village_id)
    elif ward_id is not None:
        q = q.where(Case.ward_id == ward_id, col(Case.village_id).is_(None))
    else:
        return []
    key = fold(description)
    scored = []
    for c in await session.exec(q.order_by(col(Case.created_at).desc()).limit(500)):
        if exclude_author_id is not None and c.author_id == exclude_author_id:
            continue
        score = fuzz.token_set_ratio(key, c.description_folded)
        if score >= cfg.similar_threshold:
            scored.append((score, c))
    scored.sort(key=lambda sc: -sc[0])
    return [c for _, c in scored[:limit]]


async def deidentify_author(session: AsyncSession, person_id: int) -> int:
    """Erasure (/forget): the person's cases stay as public record without their identity.

    Non-confidential identity rows (khiếu nại) are deleted. A tố cáo's confidential identity is KEPT: the
    Law on Denunciation 2018 requires the file, with the denouncer's identity, to be kept, and it stays
    confidential. Follows are removed; their events no longer name them."""
    ids = list(await session.exec(select(Case.id).where(Case.author_id == person_id)))
    if ids:
        await session.exec(delete(CaseIdentity).where(col(CaseIdentity.case_id).in_(ids),
                                                         col(CaseIdentity.confidential).is_(False)))
        await session.exec(update(Case).where(col(Case.id).in_(ids))
                              .values(author_id=None, latitude=None, longitude=None, idempotency_key=None)
                              .execution_options(synchronize_session=False))
    await session.exec(update(CaseEvent).where(CaseEvent.actor_id == person_id, CaseEvent.actor_role == "resident")
                          .values(actor_id=None).execution_options(synchronize_session=False))
    await session.exec(update(CaseAttachment).where(CaseAttachment.added_by == person_id)
                          .values(added_by=None).execution_options(synchronize_session=False))
    await session.exec(delete(CaseFollower).where(CaseFollower.person_id == person_id))
    if ids:
        from storage import audit
        await audit.log(session, "case.deidentify", "person", person_id, actor_id=None, actor_label="erasure",
                        cases=len(ids))
    return len(ids)
