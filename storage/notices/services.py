"""Notices: the state changes — create, send (dispatch), cancel, mark "seen", erase a person's marks.

Sending a notice is one transaction: the notice moves from ``scheduled`` to ``sent`` with a guarded
UPDATE (so two scheduler processes cannot both send it), then ``notice_dispatched`` is sent inside
that transaction; its receiver (``handlers/notices/notify.py``) builds the message in each
recipient's language and queues the outbox rows with the dedupe prefix ``notice:<id>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import Conflict, NotFound
from bot.core.i18n import N_
from bot.core.signals import Signal
from storage import audit
from storage.db import utcnow
from storage.notices import queries
from storage.notices.models import Notice, NoticeSeen, NoticeTarget
from storage.notices.permissions import require_notice_manager, require_notice_sender
from storage.people import queries as people_queries
from storage.people.models import Person, RoleGrant


class NoticeNotPending(Conflict):
    """Only a notice still waiting for its time can be cancelled."""

    msgid = N_("This notice has already been sent or cancelled.")


@dataclass(frozen=True)
class NoticeDispatch:
    """A notice that has just been claimed for sending: its units and its recipients by language."""

    notice: Notice
    unit_ids: list[int]
    recipients: dict[str, list[int]]


notice_dispatched: Signal[NoticeDispatch] = Signal(
    "notices.dispatched",
    "Sent by ``dispatch`` once per notice, inside the sending transaction; receivers queue the "
    "messages and return how many outbox rows they queued.",
)


async def create(
    session: AsyncSession,
    author: Person,
    grants: Sequence[RoleGrant],
    unit_ids: Sequence[int],
    text: str,
    *,
    attachment: dict[str, Any] | None = None,
    send_at: datetime | None = None,
    now: datetime | None = None,
    default_locale: str = "vi",
) -> Notice:
    """Check the audience, store the notice, and send it now unless ``send_at`` is in the future."""
    role = await require_notice_sender(session, grants, unit_ids)
    now = now or utcnow()
    assert author.id is not None
    notice = Notice(
        author_id=author.id,
        author_role=role,
        text=text.strip()[:4000],
        attachment=attachment,
        status="scheduled",
        send_at=send_at if send_at and send_at > now else now,
        created_at=now,
    )
    session.add(notice)
    await session.flush()
    assert notice.id is not None
    for uid in dict.fromkeys(unit_ids):
        session.add(NoticeTarget(notice_id=notice.id, unit_id=uid))
    await session.flush()
    await audit.log(
        session,
        "notice.created",
        "notice",
        notice.id,
        actor_id=author.id,
        units=list(unit_ids),
        send_at=notice.send_at.isoformat(),
    )
    if notice.send_at <= now:
        await dispatch(session, notice.id, now=now, default_locale=default_locale)
        await session.refresh(notice)
    return notice


async def dispatch(
    session: AsyncSession, notice_id: int, *, now: datetime | None = None, default_locale: str = "vi"
) -> int:
    """Send a scheduled notice: claim it, queue it for every recipient. Returns rows queued
    (0 when another process already sent it or it was cancelled)."""
    if not notice_dispatched.receivers:
        raise RuntimeError("nothing builds notices: import handlers.notices.notify")
    now = now or utcnow()
    res = await session.exec(
        update(Notice)
        .where(col(Notice.id) == notice_id, col(Notice.status) == "scheduled")
        .values(status="sent", sent_at=now)
    )
    if (res.rowcount or 0) != 1:
        return 0
    notice = await session.get(Notice, notice_id)
    assert notice is not None
    unit_ids = await queries.targets(session, notice_id)
    recipients = await people_queries.recipients_by_locale(session, unit_ids, default_locale)
    notice.recipients = sum(len(p) for p in recipients.values())
    queued = await notice_dispatched.send(session, NoticeDispatch(notice, unit_ids, recipients))
    await session.flush()
    return queued


async def cancel(
    session: AsyncSession, notice_id: int, actor: Person, grants: Sequence[RoleGrant], *, now: datetime | None = None
) -> Notice:
    """Cancel a notice that has not gone out yet (``NoticeNotPending`` otherwise)."""
    notice = await require_notice_manager(session, grants, notice_id)
    res = await session.exec(
        update(Notice)
        .where(col(Notice.id) == notice_id, col(Notice.status) == "scheduled")
        .values(status="cancelled", cancelled_at=now or utcnow(), cancelled_by=actor.id)
    )
    if (res.rowcount or 0) != 1:
        raise NoticeNotPending()
    await audit.log(session, "notice.cancelled", "notice", notice_id, actor_id=actor.id)
    await session.refresh(notice)
    return notice


async def mark_seen(session: AsyncSession, notice_id: int, person_id: int) -> bool:
    """Record "seen" once; True the first time."""
    if await session.get(Notice, notice_id) is None:
        raise NotFound()
    exists = (
        await session.exec(
            select(NoticeSeen.id).where(NoticeSeen.notice_id == notice_id, NoticeSeen.person_id == person_id)
        )
    ).first()
    if exists is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(NoticeSeen(notice_id=notice_id, person_id=person_id))
    except IntegrityError:
        return False
    return True


async def erase_person(session: AsyncSession, person_id: int) -> None:
    """/forget: the person's "seen" marks go (the notices they wrote stay as public record)."""
    await session.exec(delete(NoticeSeen).where(col(NoticeSeen.person_id) == person_id))
