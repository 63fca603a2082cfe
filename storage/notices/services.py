"""Notices: who may address which units, who receives them, how they look, sending, cancelling,
"seen" marks, delivery reports and the catch-up list for residents.

Sending a notice is one transaction: the notice moves from ``scheduled`` to ``sent`` with a guarded
UPDATE (so two scheduler processes cannot both send it) and every recipient's outbox rows are queued
with the dedupe prefix ``notice:<id>``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import Conflict, NotFound, PermissionDenied
from bot.core.i18n import N_, Translator
from bot.core.messages import Attachment, Button, Reply
from storage import audit, outbox, units
from storage.db import utcnow
from storage.people.models import Person, RoleGrant
from storage.units.models import Unit
from storage.notices.models import Notice, NoticeSeen, NoticeTarget
from storage.people.permissions import covering_grants, unit_chain

NOTICE_ROLES = ("village_head", "official", "unit_head", "district_admin")
SEEN_PREFIX = "seen"  # global button "seen:<notice id>"


@dataclass(frozen=True)
class Report:
    notice_id: int
    status: str
    recipients: int
    queued: int
    sent: int
    failed: int
    unreachable: int
    waiting: int
    cancelled: int
    seen: int


async def may_address(session: AsyncSession, grants: Iterable[RoleGrant], unit_id: int) -> bool:
    """A village head: their own village; officials and unit heads: their ward and its villages;
    a district admin: any unit."""
    return bool(await covering_grants(session, grants, unit_id, NOTICE_ROLES))


async def require_audience(session: AsyncSession, grants: Sequence[RoleGrant], unit_ids: Sequence[int]) -> None:
    if not unit_ids:
        raise PermissionDenied()
    for uid in unit_ids:
        if not await may_address(session, grants, uid):
            raise PermissionDenied()


async def audience_options(session: AsyncSession, grants: Sequence[RoleGrant], deployment: str) -> list[Unit]:
    """Units offered as buttons: own village; own ward and its villages; for a district admin, the
    communes (other units can be typed by code)."""
    out: list[Unit] = []
    for g in grants:
        if g.role not in NOTICE_ROLES or g.revoked_at is not None:
            continue
        if g.role == "district_admin":
            out.extend(await units.current_communes(session, deployment))
            continue
        if g.unit_id is None:
            continue
        unit = await session.get(Unit, g.unit_id)
        if unit is None:
            continue
        out.append(unit)
        if g.role != "village_head":
            out.extend(await units.villages_of(session, unit.id))  # type: ignore[arg-type]
    seen: set[int] = set()
    return [u for u in out if u.id is not None and not (u.id in seen or seen.add(u.id))]  # type: ignore[func-returns-value]


async def recipient_ids(session: AsyncSession, unit_ids: Sequence[int]) -> list[int]:
    """Onboarded, consenting residents living in the units or below them."""
    all_ids: set[int] = set()
    for uid in unit_ids:
        all_ids.update(await units.descendant_ids(session, uid))
    if not all_ids:
        return []
    ids = list(all_ids)
    rows = await session.exec(select(Person.id).where(
        or_(col(Person.village_id).in_(ids), col(Person.ward_id).in_(ids)),
        col(Person.onboarded_at).is_not(None), col(Person.erased_at).is_(None),
        Person.consent_given == True))  # noqa: E712
    return [i for i in rows if i is not None]


async def audience_label(session: AsyncSession, unit_ids: Sequence[int], lang: str = "vi") -> str:
    names = []
    for uid in unit_ids:
        u = await session.get(Unit, uid)
        if u is not None:
            names.append(units.display_name(u, lang))
    return ", ".join(names)


def render(notice_id: int | None, text: str, label: str, locale: str,
           attachment: dict[str, Any] | None = None) -> list[Reply]:
    """The notice exactly as residents see it (the preview uses the same function)."""
    t = Translator(locale)
    header = t("📢 Notice to residents of {units}", units=label)
    body = f"{header}\n\n{text}\n\n{t('Press the button below when you have read it.')}"
    seen = Button(t("✅ Seen"), f"{SEEN_PREFIX}:{notice_id if notice_id is not None else 0}")
    att = (Attachment(**attachment),) if attachment else ()
    return [Reply(body, buttons=((seen,),), attachments=att)]


async def create(session: AsyncSession, author: Person, grants: Sequence[RoleGrant], unit_ids: Sequence[int],
                 text: str, *, attachment: dict[str, Any] | None = None, send_at: datetime | None = None,
                 now: datetime | None = None, default_locale: str = "vi") -> Notice:
    """Check the audience, store the notice, and send it now unless ``send_at`` is in the future."""
    await require_audience(session, grants, unit_ids)
    now = now or utcnow()
    role = max((g.role for g in grants if g.role in NOTICE_ROLES), key=NOTICE_ROLES.index)
    notice = Notice(author_id=author.id, author_role=role, text=text.strip()[:4000], attachment=attachment,  # type: ignore[arg-type]
                    status="scheduled", send_at=send_at if send_at and send_at > now else now, created_at=now)
    session.add(notice)
    await session.flush()
    for uid in dict.fromkeys(unit_ids):
        session.add(NoticeTarget(notice_id=notice.id, unit_id=uid))  # type: ignore[arg-type]
    await session.flush()
    await audit.log(session, "notice.created", "notice", notice.id, actor_id=author.id, units=list(unit_ids),
                    send_at=notice.send_at.isoformat())
    if notice.send_at <= now:
        await dispatch(session, notice.id, now=now, default_locale=default_locale)  # type: ignore[arg-type]
        await session.refresh(notice)
    return notice


async def targets(session: AsyncSession, notice_id: int) -> list[int]:
    rows = await session.exec(select(NoticeTarget.unit_id).where(NoticeTarget.notice_id == notice_id))
    return list(rows)


async def dispatch(session: AsyncSession, notice_id: int, *, now: datetime | None = None,
                   default_locale: str = "vi") -> int:
    """Send a scheduled notice: claim it, queue it for every recipient. Returns rows queued
    (0 when another process already sent it or it was cancelled)."""
    now = now or utcnow()
    res = await session.exec(update(Notice).where(  # type: ignore[call-overload]
        col(Notice.id) == notice_id, col(Notice.status) == "scheduled").values(status="sent", sent_at=now))
    if (res.rowcount or 0) != 1:
        return 0
    notice = await session.get(Notice, notice_id)
    assert notice is not None
    unit_ids = await targets(session, notice_id)
    people = await recipient_ids(session, unit_ids)
    by_locale: dict[str, list[int]] = {}
    if people:
        for i in range(0, len(people), 5000):
            rows = await session.exec(select(Person.id, Person.locale, Person.platform_locale).where(
                col(Person.id).in_(people[i:i + 5000])))
            for pid, loc, plat in rows:
                lang = loc or ((plat or "")[:2] if (plat or "")[:2] in ("vi", "en") else None) or default_locale
                by_locale.setdefault(lang, []).append(pid)
    queued = 0
    for lang, pids in by_locale.items():
        label = await audience_label(session, unit_ids, lang)
        queued += await outbox.enqueue_many(session, pids, render(notice_id, notice.text, label, lang, notice.attachment),
                                            kind="notice", dedupe_prefix=f"notice:{notice_id}", ref_type="notice",
                                            ref_id=notice_id, priority=4)
    notice.recipients = len(people)
    await session.flush()
    return queued


async def due(session: AsyncSession, now: datetime) -> list[int]:
    rows = await session.exec(select(Notice.id).where(Notice.status == "scheduled", col(Notice.send_at) <= now)
                              .order_by(col(Notice.send_at)))
    return [i for i in rows if i is not None]


async def _visible(session: AsyncSession, notice_id: int, grants: Sequence[RoleGrant]) -> Notice:
    notice = await session.get(Notice, notice_id)
    if notice is None:
        raise NotFound()
    for uid in await targets(session, notice_id):
        if await may_address(session, grants, uid):
            return notice
    raise NotFound()


async def cancel(session: AsyncSession, notice_id: int, actor: Person, grants: Sequence[RoleGrant], *,
                 now: datetime | None = None) -> Notice:
    """Cancel a notice that has not gone out yet."""
    notice = await _visible(session, notice_id, grants)
    res = await session.exec(update(Notice).where(  # type: ignore[call-overload]
        col(Notice.id) == notice_id, col(Notice.status) == "scheduled"
    ).values(status="cancelled", cancelled_at=now or utcnow(), cancelled_by=actor.id))
    if (res.rowcount or 0) != 1:
        raise Conflict(N_("This notice has already been sent or cancelled."))
    await audit.log(session, "notice.cancelled", "notice", notice_id, actor_id=actor.id)
    await session.refresh(notice)
    return notice


async def mark_seen(session: AsyncSession, notice_id: int, person_id: int) -> bool:
    """Record "seen" once; True the first time."""
    if await session.get(Notice, notice_id) is None:
        raise NotFound()
    exists = (await session.exec(select(NoticeSeen.id).where(NoticeSeen.notice_id == notice_id,
                                                             NoticeSeen.person_id == person_id))).first()
    if exists is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(NoticeSeen(notice_id=notice_id, person_id=person_id))
    except IntegrityError:
        return False
    return True


async def report(session: AsyncSession, notice_id: int, grants: Sequence[RoleGrant]) -> Report:
    notice = await _visible(session, notice_id, grants)
    counts: Counter[str] = await outbox.status_counts(session, "notice", notice_id)
    seen = (await session.exec(select(func.count()).select_from(NoticeSeen).where(
        NoticeSeen.notice_id == notice_id))).one()
    return Report(notice_id, notice.status, notice.recipients, counts["queued"], counts["sent"], counts["failed"],
                  counts["unreachable"], counts["waiting"], counts["cancelled"], int(seen))


async def by_author(session: AsyncSession, author_id: int, limit: int = 10) -> list[Notice]:
    rows = await session.exec(select(Notice).where(Notice.author_id == author_id)
                              .order_by(col(Notice.created_at).desc()).limit(limit))
    return list(rows)


async def recent_for(session: AsyncSession, person: Person, *, now: datetime | None = None, days: int = 90,
                     limit: int = 10) -> list[Notice]:
    """Notices already sent to the person's village or ward (or above), newest first: lets
    someone who joined later catch up."""
    chain: set[int] = set()
    for uid in (person.village_id, person.ward_id):
        if uid is not None:
            chain.update(await unit_chain(session, uid))
    if not chain:
        return []
    since = (now or utcnow()) - timedelta(days=days)
    addressed = select(NoticeTarget.notice_id).where(col(NoticeTarget.unit_id).in_(chain))
    rows = await session.exec(select(Notice).where(col(Notice.id).in_(addressed), Notice.status == "sent",
                                                   col(Notice.sent_at) >= since)
                              .order_by(col(Notice.sent_at).desc()).limit(limit))
    return list(rows)
