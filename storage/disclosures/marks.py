"""The register's smaller state changes: tick a way with its day, a resident opened it, a village
head relayed it, a kiến nghị asks about it, a staff download pass, and erasing a person's marks.
Each checks ``permissions`` once and writes the audit trail (re-exported by ``services``)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound
from storage import audit
from storage.db import utcnow
from storage.disclosures.config import DisclosureConfig
from storage.disclosures.errors import UnknownWay
from storage.disclosures.models import (
    Disclosure,
    DisclosureDocument,
    DisclosureOpened,
    DisclosureQuestion,
    DisclosureRelay,
    DisclosureWay,
    DocumentPass,
)
from storage.disclosures.permissions import can_read_compliance, require_manager, require_relayer
from storage.people.models import Person, RoleGrant
from storage.people.permissions import unit_chain

__all__ = ["PASS_LIFETIME", "add_way", "erase_person", "issue_pass", "link_question", "mark_opened", "mark_relayed"]

PASS_LIFETIME = timedelta(hours=1)


async def add_way(
    session: AsyncSession,
    cfg: DisclosureConfig,
    actor: Person,
    grants: Sequence[RoleGrant],
    disclosure_id: int,
    way: str,
    on_date: date,
) -> bool:
    """Tick an Art. 12 way with its day; False when it was ticked for that day already."""
    d = await require_manager(session, grants, disclosure_id)
    if way not in {w.id for w in cfg.ways}:
        raise UnknownWay()
    exists = (
        await session.exec(
            select(DisclosureWay.id).where(
                DisclosureWay.disclosure_id == disclosure_id, DisclosureWay.way == way, DisclosureWay.on_date == on_date
            )
        )
    ).first()
    if exists is not None:
        return False
    session.add(DisclosureWay(disclosure_id=disclosure_id, way=way, on_date=on_date, recorded_by=actor.id))
    await audit.log(
        session,
        "disclosure.way_added",
        "disclosure",
        disclosure_id,
        actor_id=actor.id,
        unit_id=d.unit_id,
        way=way,
        on_date=on_date.isoformat(),
    )
    await session.flush()
    return True


async def mark_opened(
    session: AsyncSession, person_id: int, disclosure_id: int, *, now: datetime | None = None
) -> bool:
    """The resident opened it (once): True the first time."""
    if await session.get(DisclosureOpened, (disclosure_id, person_id)) is not None:
        return False
    session.add(DisclosureOpened(disclosure_id=disclosure_id, person_id=person_id, at=now or utcnow()))
    await audit.log(session, "disclosure.opened", "disclosure", disclosure_id, actor_id=person_id)
    await session.flush()
    return True


async def mark_relayed(
    session: AsyncSession,
    head: Person,
    grants: Sequence[RoleGrant],
    disclosure_id: int,
    village_id: int,
    *,
    now: datetime | None = None,
) -> bool:
    """The village head passed it on to the households without a channel; False when already marked."""
    d = await session.get(Disclosure, disclosure_id)
    if d is None:
        raise NotFound()
    await require_relayer(session, grants, village_id)
    if d.unit_id not in await unit_chain(session, village_id):  # not addressed to this village
        raise NotFound()
    exists = (
        await session.exec(
            select(DisclosureRelay.id).where(
                DisclosureRelay.disclosure_id == disclosure_id, DisclosureRelay.village_id == village_id
            )
        )
    ).first()
    if exists is not None:
        return False
    assert head.id is not None
    session.add(
        DisclosureRelay(disclosure_id=disclosure_id, village_id=village_id, head_id=head.id, at=now or utcnow())
    )
    await audit.log(session, "disclosure.relayed", "disclosure", disclosure_id, actor_id=head.id, unit_id=village_id)
    await session.flush()
    return True


async def link_question(session: AsyncSession, case_id: int, disclosure_id: int, *, actor_id: int | None) -> None:
    """A kiến nghị was filed about the disclosure (idempotent)."""
    if await session.get(DisclosureQuestion, case_id) is not None:
        return
    if await session.get(Disclosure, disclosure_id) is None:
        return
    session.add(DisclosureQuestion(case_id=case_id, disclosure_id=disclosure_id))
    await audit.log(
        session, "disclosure.question_linked", "disclosure", disclosure_id, actor_id=actor_id, case_id=case_id
    )
    await session.flush()


async def issue_pass(
    session: AsyncSession, actor: Person, grants: Sequence[RoleGrant], document_id: int, *, now: datetime | None = None
) -> str:
    """A one-hour download pass for staff of the disclosure's ward (works while it is not public)."""
    doc = await session.get(DisclosureDocument, document_id)
    if doc is None:
        raise NotFound()
    d = await session.get(Disclosure, doc.disclosure_id)
    if d is None or not await can_read_compliance(session, grants, d.unit_id):
        raise NotFound()
    assert actor.id is not None
    token = secrets.token_urlsafe(24)
    session.add(
        DocumentPass(
            token=token, document_id=document_id, person_id=actor.id, expires_at=(now or utcnow()) + PASS_LIFETIME
        )
    )
    await audit.log(session, "disclosure.document_pass", "disclosure", d.id, actor_id=actor.id, document_id=document_id)
    await session.flush()
    return token


async def erase_person(session: AsyncSession, person_id: int) -> None:
    """/forget: the person's "opened" marks and download passes."""
    await session.exec(delete(DisclosureOpened).where(col(DisclosureOpened.person_id) == person_id))
    await session.exec(delete(DocumentPass).where(col(DocumentPass.person_id) == person_id))
