"""The disclosure register's state changes: publish, edit (a new version), take down, tick a way,
mark opened, mark relayed, link a question, issue a staff download pass, erase a person's marks.

Each takes the actor, checks ``permissions`` once, runs in the caller's transaction and writes the
audit trail. Publishing sends ``disclosure_published`` inside that transaction; its receiver
(``handlers/disclosures/notify.py``) queues the pushes, so the disclosure and its messages commit
together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound
from bot.core.signals import Signal
from bot.core.textfold import fold
from storage import audit, outbox, units
from storage.db import utcnow
from storage.disclosures.config import CHAT_WAY, DisclosureConfig, Kind
from storage.disclosures.errors import BadPeriod, NotPublic, PeriodTooShort, UnknownKind, UnknownWay
from storage.disclosures.marks import (  # re-exported: every state change of the register in one place
    add_way,
    erase_person,
    issue_pass,
    link_question,
    mark_opened,
    mark_relayed,
)
from storage.disclosures.models import (
    Disclosure,
    DisclosureDocument,
    DisclosureVersion,
    DisclosureWay,
)
from storage.disclosures.permissions import (
    require_discloser,
    require_manager,
)
from storage.people import queries as people_queries
from storage.people.models import Person, RoleGrant
from storage.petitions.files import StoredFile

__all__ = [
    "DisclosureInput",
    "Published",
    "add_way",
    "check_period",
    "disclosure_published",
    "edit",
    "erase_person",
    "issue_pass",
    "link_question",
    "mark_opened",
    "mark_relayed",
    "period_days",
    "publish",
    "take_down",
]


@dataclass(frozen=True)
class NewDocument:
    """A stored file and the platform reference it came with (to resend it on that channel)."""

    file: StoredFile
    channel: str | None = None
    attachment: dict[str, Any] | None = None


@dataclass
class DisclosureInput:
    kind: str
    unit_id: int
    title: str
    summary: str
    starts_on: date
    ends_on: date
    documents: list[NewDocument] = field(default_factory=list)
    ways: list[tuple[str, date]] = field(default_factory=list)


@dataclass(frozen=True)
class Published:
    """A disclosure just published: its scope's residents by language and the villages to relay in."""

    disclosure: Disclosure
    kind: Kind
    recipients: dict[str, list[int]]
    village_ids: list[int]
    default_locale: str = "vi"


disclosure_published: Signal[Published] = Signal(
    "disclosures.published",
    "Sent by ``publish`` inside its transaction; receivers queue the pushes to residents and the "
    "relay requests to village heads and return how many outbox rows they queued.",
)


def period_days(starts_on: date, ends_on: date) -> int:
    """Days posted, both ends counted (1–30 June is 30 days)."""
    return (ends_on - starts_on).days + 1


def check_period(kind: Kind, starts_on: date, ends_on: date, today: date) -> None:
    """``BadPeriod`` or ``PeriodTooShort`` unless the period is long enough for the kind."""
    if ends_on < starts_on or ends_on < today:
        raise BadPeriod()
    days = period_days(starts_on, ends_on)
    if days < kind.min_days:
        earliest = starts_on + timedelta(days=kind.min_days - 1)
        raise PeriodTooShort(min=kind.min_days, days=days, earliest=earliest.strftime("%d/%m/%Y"))


def _folded(title: str, summary: str) -> str:
    return fold(f"{title} {summary}")


async def publish(
    session: AsyncSession,
    cfg: DisclosureConfig,
    author: Person,
    grants: Sequence[RoleGrant],
    inp: DisclosureInput,
    *,
    today: date,
    now: datetime | None = None,
    default_locale: str = "vi",
) -> Disclosure:
    """Check and store the disclosure (version 1, documents, ways and the chat way today), then
    push it to the residents of its scope."""
    if not cfg.has_kind(inp.kind):
        raise UnknownKind()
    kind = cfg.kind(inp.kind)
    await require_discloser(session, grants, inp.unit_id)
    check_period(kind, inp.starts_on, inp.ends_on, today)
    known_ways = {w.id for w in cfg.ways}
    for way, _ in inp.ways:
        if way not in known_ways:
            raise UnknownWay()
    unit = await units.get(session, inp.unit_id)
    if unit is None:
        raise NotFound()
    ward = await units.ward_of(session, unit)
    if ward is None:  # a district or province: disclosures are the commune's
        raise NotFound()
    assert ward is not None and ward.id is not None and author.id is not None
    now = now or utcnow()
    title, summary = inp.title.strip()[:200], inp.summary.strip()[:4000]
    d = Disclosure(
        kind=kind.id,
        unit_id=inp.unit_id,
        ward_id=ward.id,
        author_id=author.id,
        title=title,
        summary=summary,
        search_folded=_folded(title, summary),
        starts_on=inp.starts_on,
        ends_on=inp.ends_on,
        broadcast_days=kind.broadcast_days,
        published_at=now,
    )
    session.add(d)
    await session.flush()
    assert d.id is not None
    session.add(
        DisclosureVersion(
            disclosure_id=d.id,
            n=1,
            title=title,
            summary=summary,
            starts_on=inp.starts_on,
            ends_on=inp.ends_on,
            valid_from=now,
            edited_by=author.id,
        )
    )
    for doc in inp.documents:
        session.add(_document(d.id, doc, 1, now))
    ways = dict.fromkeys([*inp.ways, (CHAT_WAY, today)])
    for way, on in ways:
        session.add(DisclosureWay(disclosure_id=d.id, way=way, on_date=on, recorded_by=author.id, recorded_at=now))
    await session.flush()
    recipients = await people_queries.recipients_by_locale(session, [inp.unit_id], default_locale)
    d.recipients = sum(len(v) for v in recipients.values())
    villages = [inp.unit_id] if unit.id != ward.id else [v.id for v in await units.villages_of(session, ward.id)]
    await audit.log(
        session,
        "disclosure.published",
        "disclosure",
        d.id,
        actor_id=author.id,
        unit_id=inp.unit_id,
        kind=kind.id,
        starts_on=inp.starts_on.isoformat(),
        ends_on=inp.ends_on.isoformat(),
        documents=len(inp.documents),
        ways=[w for w, _ in ways],
        recipients=d.recipients,
    )
    await disclosure_published.send(
        session, Published(d, kind, recipients, [v for v in villages if v is not None], default_locale)
    )
    await session.flush()
    return d


def _document(disclosure_id: int, doc: NewDocument, version: int, now: datetime) -> DisclosureDocument:
    f = doc.file
    return DisclosureDocument(
        disclosure_id=disclosure_id,
        key=f.key,
        kind=f.kind,
        mime_type=f.mime_type,
        size=f.size,
        sha256=f.sha256,
        file_name=(f.file_name or None) and f.file_name[:200],
        channel=doc.channel,
        attachment=doc.attachment,
        added_in_version=version,
        added_at=now,
    )


async def edit(
    session: AsyncSession,
    cfg: DisclosureConfig,
    actor: Person,
    grants: Sequence[RoleGrant],
    disclosure_id: int,
    *,
    today: date,
    title: str | None = None,
    summary: str | None = None,
    ends_on: date | None = None,
    documents: Sequence[NewDocument] = (),
    note: str | None = None,
    now: datetime | None = None,
) -> Disclosure:
    """A new version: the current one is closed (kept, with its dates) and the new one opens now."""
    d = await require_manager(session, grants, disclosure_id)
    if d.status != "published":
        raise NotPublic()
    assert d.id is not None and actor.id is not None
    now = now or utcnow()
    new_end = ends_on or d.ends_on
    if ends_on is not None:
        check_period(cfg.kind(d.kind), d.starts_on, new_end, today)
    current = (
        await session.exec(
            select(DisclosureVersion).where(DisclosureVersion.disclosure_id == d.id, DisclosureVersion.n == d.version)
        )
    ).one()
    current.valid_to = now
    session.add(current)
    d.version += 1
    d.title = (title or d.title).strip()[:200]
    d.summary = (summary or d.summary).strip()[:4000]
    d.search_folded = _folded(d.title, d.summary)
    d.ends_on = new_end
    session.add(d)
    session.add(
        DisclosureVersion(
            disclosure_id=d.id,
            n=d.version,
            title=d.title,
            summary=d.summary,
            starts_on=d.starts_on,
            ends_on=d.ends_on,
            valid_from=now,
            edited_by=actor.id,
            note=(note or None) and note[:500],
        )
    )
    for doc in documents:
        session.add(_document(d.id, doc, d.version, now))
    await audit.log(
        session,
        "disclosure.edited",
        "disclosure",
        d.id,
        actor_id=actor.id,
        unit_id=d.unit_id,
        version=d.version,
        fields=[k for k, v in (("title", title), ("summary", summary), ("ends_on", ends_on)) if v],
        documents=len(documents),
        note=note,
    )
    await session.flush()
    return d


async def take_down(
    session: AsyncSession,
    actor: Person,
    grants: Sequence[RoleGrant],
    disclosure_id: int,
    reason: str,
    *,
    now: datetime | None = None,
) -> Disclosure:
    """Take a disclosure down before its end: who, when and why are kept; pushes not yet sent are withdrawn."""
    d = await require_manager(session, grants, disclosure_id)
    if d.status != "published":
        raise NotPublic()
    assert d.id is not None
    now = now or utcnow()
    d.status, d.taken_down_at, d.taken_down_by = "taken_down", now, actor.id
    d.take_down_reason = reason.strip()[:500]
    session.add(d)
    withdrawn = await outbox.cancel(session, "disclosure", d.id)
    await audit.log(
        session,
        "disclosure.taken_down",
        "disclosure",
        d.id,
        actor_id=actor.id,
        unit_id=d.unit_id,
        reason=d.take_down_reason,
        withdrawn=withdrawn,
    )
    await session.flush()
    return d
