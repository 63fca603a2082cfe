"""Reads of the register: what is public now, a resident's list (their ward and village, newest
first, by words and kind), the public page's list, one disclosure's documents, versions and ways,
who still needs a daily repeat, the village heads to ask for a relay, and the period figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from bot.core.roles import Role
from bot.core.textfold import fold
from storage.disclosures.models import (
    Disclosure,
    DisclosureDocument,
    DisclosureOpened,
    DisclosureQuestion,
    DisclosureRelay,
    DisclosureVersion,
    DisclosureWay,
    DocumentPass,
)
from storage.outbox.models import OutboxMessage
from storage.people import queries as people_queries
from storage.people.models import ChannelIdentity, Person, RoleGrant
from storage.people.permissions import unit_chain

__all__ = [
    "PeriodCounts",
    "current_for",
    "documents",
    "is_public",
    "listing",
    "non_openers",
    "opened_count",
    "opened_counts",
    "pass_document",
    "period_counts",
    "public_list",
    "relay_heads",
    "repeat_candidates",
    "versions",
    "ways",
]


def is_public(d: Disclosure, today: date) -> bool:
    """Published, not taken down, and inside its posting period."""
    return d.status == "published" and d.starts_on <= today <= d.ends_on


def _public(today: date) -> list[ColumnElement[bool]]:
    return [
        col(Disclosure.status) == "published",
        col(Disclosure.starts_on) <= today,
        col(Disclosure.ends_on) >= today,
    ]


def _search(q: SelectOfScalar[Disclosure], words: str | None, kind: str | None) -> SelectOfScalar[Disclosure]:
    for w in fold(words or "").split()[:6]:
        q = q.where(col(Disclosure.search_folded).contains(w))
    if kind:
        q = q.where(Disclosure.kind == kind)
    return q


async def current_for(
    session: AsyncSession,
    person: Person,
    today: date,
    *,
    words: str | None = None,
    kind: str | None = None,
    limit: int = 10,
) -> list[Disclosure]:
    """Public disclosures for the person's ward and village, newest first."""
    chain: set[int] = set()
    for uid in (person.village_id, person.ward_id):
        if uid is not None:
            chain.update(await unit_chain(session, uid))
    if not chain:
        return []
    q = select(Disclosure).where(col(Disclosure.unit_id).in_(chain), *_public(today))
    q = _search(q, words, kind)
    rows = await session.exec(q.order_by(col(Disclosure.published_at).desc(), col(Disclosure.id).desc()).limit(limit))
    return list(rows)


async def public_list(
    session: AsyncSession,
    today: date,
    *,
    ward_ids: Sequence[int] | None = None,
    words: str | None = None,
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Disclosure]:
    """The public register (every ward, or some), newest first."""
    q = select(Disclosure).where(*_public(today))
    if ward_ids is not None:
        q = q.where(col(Disclosure.ward_id).in_(list(ward_ids)))
    q = _search(q, words, kind)
    rows = await session.exec(
        q.order_by(col(Disclosure.published_at).desc(), col(Disclosure.id).desc()).offset(offset).limit(limit)
    )
    return list(rows)


async def documents(session: AsyncSession, disclosure_id: int) -> list[DisclosureDocument]:
    rows = await session.exec(
        select(DisclosureDocument)
        .where(DisclosureDocument.disclosure_id == disclosure_id)
        .order_by(col(DisclosureDocument.id))
    )
    return list(rows)


async def versions(session: AsyncSession, disclosure_id: int) -> list[DisclosureVersion]:
    """Every version, the first first (earlier ones have ``valid_to``)."""
    rows = await session.exec(
        select(DisclosureVersion)
        .where(DisclosureVersion.disclosure_id == disclosure_id)
        .order_by(col(DisclosureVersion.n))
    )
    return list(rows)


async def ways(session: AsyncSession, disclosure_id: int) -> list[DisclosureWay]:
    rows = await session.exec(
        select(DisclosureWay)
        .where(DisclosureWay.disclosure_id == disclosure_id)
        .order_by(col(DisclosureWay.on_date), col(DisclosureWay.id))
    )
    return list(rows)


async def pass_document(session: AsyncSession, token: str, document_id: int, now: datetime) -> bool:
    """Whether ``token`` is a live staff pass for ``document_id``."""
    p = await session.get(DocumentPass, token)
    return p is not None and p.document_id == document_id and p.expires_at > now


async def repeat_candidates(session: AsyncSession, today: date, since: datetime) -> list[Disclosure]:
    """Public disclosures with an Art. 13 broadcast, published since ``since``."""
    rows = await session.exec(
        select(Disclosure).where(
            *_public(today), col(Disclosure.broadcast_days) > 1, col(Disclosure.published_at) >= since
        )
    )
    return list(rows)


async def non_openers(session: AsyncSession, d: Disclosure, default_locale: str) -> dict[str, list[int]]:
    """The scope's residents by language who have not opened ``d`` and have no message of it still
    on its way (queued, or waiting for a Zalo window): a repeat never piles up behind one."""
    assert d.id is not None
    everyone = await people_queries.recipients_by_locale(session, [d.unit_id], default_locale)
    opened = set(await session.exec(select(DisclosureOpened.person_id).where(DisclosureOpened.disclosure_id == d.id)))
    pending = set(
        await session.exec(
            select(OutboxMessage.person_id).where(
                OutboxMessage.ref_type == "disclosure",
                OutboxMessage.ref_id == d.id,
                col(OutboxMessage.status).in_(("queued", "sending", "waiting")),
            )
        )
    )
    skip = opened | {p for p in pending if p is not None}
    out = {lang: [p for p in pids if p not in skip] for lang, pids in everyone.items()}
    return {lang: pids for lang, pids in out.items() if pids}


@dataclass(frozen=True)
class RelayAsk:
    village_id: int
    head_ids: list[int]
    without_channel: int


async def relay_heads(session: AsyncSession, village_ids: Sequence[int]) -> list[RelayAsk]:
    """Per village: its village heads and how many of its residents have no channel to reach them."""
    out: list[RelayAsk] = []
    for vid in village_ids:
        heads = list(
            await session.exec(
                select(RoleGrant.person_id).where(
                    RoleGrant.role == Role.VILLAGE_HEAD, RoleGrant.unit_id == vid, col(RoleGrant.revoked_at).is_(None)
                )
            )
        )
        if not heads:
            continue
        reachable = select(ChannelIdentity.person_id).where(ChannelIdentity.unreachable == False)
        n = (
            await session.exec(
                select(func.count())
                .select_from(Person)
                .where(Person.village_id == vid, col(Person.id).not_in(reachable), col(Person.erased_at).is_(None))
            )
        ).one()
        out.append(RelayAsk(vid, heads, int(n)))
    return out


async def relayed(session: AsyncSession, disclosure_id: int) -> list[DisclosureRelay]:
    rows = await session.exec(select(DisclosureRelay).where(DisclosureRelay.disclosure_id == disclosure_id))
    return list(rows)


async def opened_count(session: AsyncSession, person_id: int) -> int:
    """How many disclosures the person opened (their part of /mydata)."""
    n = (
        await session.exec(
            select(func.count()).select_from(DisclosureOpened).where(DisclosureOpened.person_id == person_id)
        )
    ).one()
    return int(n)


async def questions(session: AsyncSession, disclosure_id: int) -> list[int]:
    rows = await session.exec(
        select(DisclosureQuestion.case_id).where(DisclosureQuestion.disclosure_id == disclosure_id)
    )
    return list(rows)


@dataclass(frozen=True)
class PeriodCounts:
    published: int
    opened: int
    taken_down: int
    questions: int


async def period_counts(
    session: AsyncSession, unit_ids: Sequence[int] | None, start: datetime, end: datetime
) -> PeriodCounts:
    """Disclosures published in ``[start, end)`` for one of ``unit_ids`` (None: any), their
    openings, those taken down and the questions filed about them."""
    ids = select(Disclosure.id).where(col(Disclosure.published_at) >= start, col(Disclosure.published_at) < end)
    if unit_ids is not None:
        ids = ids.where(col(Disclosure.unit_id).in_(list(unit_ids)))

    async def count(q: object) -> int:
        return int((await session.exec(select(func.count()).select_from(q.subquery()))).one())  # type: ignore[attr-defined]

    published = await count(ids)
    taken = await count(ids.where(Disclosure.status == "taken_down"))
    opened = await count(select(DisclosureOpened.person_id).where(col(DisclosureOpened.disclosure_id).in_(ids)))
    asked = await count(select(DisclosureQuestion.case_id).where(col(DisclosureQuestion.disclosure_id).in_(ids)))
    return PeriodCounts(published, opened, taken, asked)


async def listing(session: AsyncSession, unit_ids: Sequence[int] | None, *, limit: int = 100) -> list[Disclosure]:
    """Disclosures for one of ``unit_ids`` (None: all), also taken down, the latest first: the
    dashboard's candidates (it checks ``can_read_compliance`` on each)."""
    q = select(Disclosure)
    if unit_ids is not None:
        q = q.where(col(Disclosure.unit_id).in_(list(unit_ids)))
    rows = await session.exec(q.order_by(col(Disclosure.published_at).desc(), col(Disclosure.id).desc()).limit(limit))
    return list(rows)


async def opened_counts(session: AsyncSession, disclosure_ids: Sequence[int]) -> dict[int, int]:
    """Residents who opened each disclosure."""
    if not disclosure_ids:
        return {}
    rows = await session.exec(
        select(DisclosureOpened.disclosure_id, func.count())
        .where(col(DisclosureOpened.disclosure_id).in_(list(disclosure_ids)))
        .group_by(col(DisclosureOpened.disclosure_id))
    )
    return {int(d): int(n) for d, n in rows.all()}
