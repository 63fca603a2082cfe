"""Delivery reports for the dashboard: where each notice's (or campaign's) messages stand, per
channel and per village of the recipients — queued, sent, failed, unreachable, waiting, cancelled —
and how many residents pressed "seen", per village. Counted in the database (GROUP BY over the
outbox rows of one notice), never row by row. Who may read a report is ``permissions``' rule: the
notice's managers (``require_notice_manager``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.roles import NOTICE_SENDERS
from storage.notices.models import Notice, NoticeSeen, NoticeTarget
from storage.notices.permissions import can_send_notice_to, require_notice_manager
from storage.outbox.models import OutboxMessage
from storage.people.models import Person, RoleGrant

__all__ = ["DELIVERY_STATES", "Delivery", "delivery", "managed_notices"]

DELIVERY_STATES = ("queued", "sent", "failed", "unreachable", "waiting", "cancelled")


@dataclass
class Delivery:
    """Outbox rows of one notice or campaign by channel and by village (``None``: no village),
    each a status → count map, and "seen" marks by village."""

    by_channel: dict[str, dict[str, int]] = field(default_factory=dict)
    by_village: dict[int | None, dict[str, int]] = field(default_factory=dict)
    seen_by_village: dict[int | None, int] = field(default_factory=dict)

    def total(self) -> dict[str, int]:
        out = dict.fromkeys(DELIVERY_STATES, 0)
        for counts in self.by_channel.values():
            for k, n in counts.items():
                out[k] = out.get(k, 0) + n
        return out


async def managed_notices(session: AsyncSession, grants: Sequence[RoleGrant], *, limit: int = 30) -> list[Notice]:
    """The latest notices addressed to units the actor may send to (their managers see reports)."""
    if not any(g.role in NOTICE_SENDERS and g.revoked_at is None for g in grants):
        return []
    out: list[Notice] = []
    q = select(Notice).order_by(col(Notice.created_at).desc(), col(Notice.id).desc()).limit(500)
    for notice in await session.exec(q):
        targets = await session.exec(select(NoticeTarget.unit_id).where(NoticeTarget.notice_id == notice.id))
        for uid in targets:
            if await can_send_notice_to(session, grants, uid):
                out.append(notice)
                break
        if len(out) >= limit:
            break
    return out


async def delivery(session: AsyncSession, ref_type: str, ref_id: int) -> Delivery:
    """The delivery report of one notice (``ref_type='notice'``) or campaign (``'campaign'``).
    The caller has checked the actor may read it."""
    status = func.coalesce(col(OutboxMessage.status), "queued")
    rows = await session.exec(
        select(OutboxMessage.channel, Person.village_id, status, func.count())
        .select_from(OutboxMessage)
        .join(Person, col(Person.id) == OutboxMessage.person_id, isouter=True)
        .where(OutboxMessage.ref_type == ref_type, OutboxMessage.ref_id == ref_id)
        .group_by(col(OutboxMessage.channel), col(Person.village_id), status)
    )
    out = Delivery()
    for channel, village, st, n in rows:
        st = "queued" if st == "sending" else st
        by_channel = out.by_channel.setdefault(channel, dict.fromkeys(DELIVERY_STATES, 0))
        by_village = out.by_village.setdefault(village, dict.fromkeys(DELIVERY_STATES, 0))
        for counts in (by_channel, by_village):
            counts[st] = counts.get(st, 0) + int(n)
    if ref_type == "notice":
        seen = await session.exec(
            select(Person.village_id, func.count())
            .select_from(NoticeSeen)
            .join(Person, col(Person.id) == NoticeSeen.person_id)
            .where(NoticeSeen.notice_id == ref_id)
            .group_by(col(Person.village_id))
        )
        out.seen_by_village = {v: int(n) for v, n in seen}
    return out


async def notice_delivery(
    session: AsyncSession, grants: Sequence[RoleGrant], notice_id: int
) -> tuple[Notice, Delivery]:
    """A notice the actor manages and its delivery report (``NotFound`` otherwise)."""
    notice = await require_notice_manager(session, grants, notice_id)
    return notice, await delivery(session, "notice", notice_id)
