"""Household state changes: declare, join by code, confirm or reject, hand over the representation
(asked by the representative, confirmed by the village head), leave, import a village's list, and
ending a membership when the person moves village or is erased.

Each takes the actor, checks permission once, flushes (the caller commits) and writes its audit
record; what others must be told goes through ``household_changed``.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import Conflict, DomainError, NotFound
from bot.core.i18n import N_
from storage import audit
from storage.db import utcnow
from storage.households import queries
from storage.households.models import Household, HouseholdHandover, HouseholdMember, HouseholdRepresentative
from storage.households.permissions import require_keeper
from storage.households.signals import HouseholdEvent, household_changed
from storage.people.models import Person, RoleGrant
from storage.people.signals import VillageChange, village_changed

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on a phone
MAX_SIZE = 60


class AlreadyInHousehold(Conflict):
    msgid = N_("You are already in a household. Send /household to see it.")


class NoVillage(DomainError):
    msgid = N_("Tell us your village first (send /profile), then declare your household.")


class OtherVillage(DomainError):
    msgid = N_("That household is in another village. If you have moved, change your village in /profile first.")


class NotAdult(DomainError):
    msgid = N_("Only an adult member can represent a household.")


class HandoverPending(Conflict):
    msgid = N_("A handover for this household is already waiting for the village head.")


class NotPending(Conflict):
    msgid = N_("This has already been decided.")


def new_code() -> str:
    """A household code: "HG-" and 6 unambiguous characters."""
    return "HG-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def normalise_code(text: str) -> str:
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    if raw.startswith("HG"):
        raw = raw[2:]
    return "HG-" + raw


async def _unique_code(session: AsyncSession) -> str:
    while True:
        code = new_code()
        if (await session.exec(select(Household.id).where(Household.code == code))).first() is None:
            return code


async def _add_member(session: AsyncSession, household_id: int, person_id: int, adult: bool, now: datetime) -> None:
    if await queries.membership(session, person_id) is not None:
        raise AlreadyInHousehold()
    try:
        async with session.begin_nested():
            session.add(HouseholdMember(household_id=household_id, person_id=person_id, adult=adult, joined_at=now))
    except IntegrityError:
        raise AlreadyInHousehold() from None


async def declare(
    session: AsyncSession, person: Person, *, head_name: str, size: int, now: datetime | None = None
) -> Household:
    """A resident declares their household in their own village and becomes its representative (they
    said they are an adult member); it waits for the village head's confirmation."""
    now = now or utcnow()
    assert person.id is not None
    if person.village_id is None:
        raise NoVillage()
    hh = Household(
        village_id=person.village_id,
        head_name=head_name.strip()[:200],
        size=max(1, min(size, MAX_SIZE)),
        code=await _unique_code(session),
        status="pending",
        source="chat",
        created_by=person.id,
        created_at=now,
    )
    session.add(hh)
    await session.flush()
    assert hh.id is not None
    await _add_member(session, hh.id, person.id, True, now)
    session.add(HouseholdRepresentative(household_id=hh.id, person_id=person.id, since=now))
    await session.flush()
    await audit.log(
        session, "household.declared", "household", hh.id, actor_id=person.id, unit_id=hh.village_id, size=hh.size
    )
    await household_changed.send(session, HouseholdEvent("declared", hh.id, person.id))
    return hh


async def join(
    session: AsyncSession, person: Person, code: str, *, adult: bool, now: datetime | None = None
) -> Household:
    """Join the household whose code the representative shared. An imported household without a
    representative yet gets this member as its representative, if they are an adult."""
    now = now or utcnow()
    assert person.id is not None
    hh = (await session.exec(select(Household).where(Household.code == normalise_code(code)))).first()
    if hh is None or hh.status not in ("pending", "confirmed") or hh.id is None:
        raise NotFound()
    if person.village_id != hh.village_id:
        raise OtherVillage()
    await _add_member(session, hh.id, person.id, adult, now)
    became_rep = False
    if adult and await queries.current_representative(session, hh.id) is None:
        session.add(HouseholdRepresentative(household_id=hh.id, person_id=person.id, since=now))
        became_rep = True
    await session.flush()
    await audit.log(
        session,
        "household.joined",
        "household",
        hh.id,
        actor_id=person.id,
        unit_id=hh.village_id,
        representative=became_rep,
    )
    await household_changed.send(session, HouseholdEvent("joined", hh.id, person.id))
    return hh


async def decide_declaration(
    session: AsyncSession,
    household_id: int,
    actor: Person,
    grants: Sequence[RoleGrant],
    *,
    confirm: bool,
    now: datetime | None = None,
) -> Household:
    """The village head confirms (or rejects) a declared household; a rejected one's members leave it."""
    now = now or utcnow()
    hh = await require_keeper(session, grants, household_id)
    status = "confirmed" if confirm else "rejected"
    res = await session.exec(
        update(Household)
        .where(col(Household.id) == household_id, col(Household.status) == "pending")
        .values(status=status, confirmed_by=actor.id if confirm else None, confirmed_at=now if confirm else None)
    )
    if (res.rowcount or 0) != 1:
        raise NotPending()
    if not confirm:
        await _end_all(session, household_id, "rejected", now)
    await audit.log(session, f"household.{status}", "household", household_id, actor_id=actor.id, unit_id=hh.village_id)
    await session.refresh(hh)
    await household_changed.send(session, HouseholdEvent(status, household_id))
    return hh


async def _end_all(session: AsyncSession, household_id: int, reason: str, now: datetime) -> None:
    await session.exec(
        update(HouseholdMember)
        .where(col(HouseholdMember.household_id) == household_id, col(HouseholdMember.left_at).is_(None))
        .values(left_at=now, left_reason=reason)
    )
    await session.exec(
        update(HouseholdRepresentative)
        .where(col(HouseholdRepresentative.household_id) == household_id, col(HouseholdRepresentative.until).is_(None))
        .values(until=now, end_reason=reason)
    )


async def request_handover(
    session: AsyncSession, person: Person, to_person_id: int, *, now: datetime | None = None
) -> HouseholdHandover:
    """The representative asks to hand over to another adult member of the household; in a household
    nobody represents any more, an adult member asks to take it up (``to_person_id`` is themselves)."""
    now = now or utcnow()
    assert person.id is not None
    m = await queries.membership(session, person.id)
    if m is None:
        raise NotFound()
    rep = await queries.current_representative(session, m.household_id)
    if rep is None:
        if to_person_id != person.id:
            raise NotFound()
    elif rep.person_id != person.id or to_person_id == person.id:
        raise NotFound()
    target = await queries.membership(session, to_person_id)
    if target is None or target.household_id != m.household_id:
        raise NotFound()
    if not target.adult:
        raise NotAdult()
    if await queries.pending_handover(session, m.household_id) is not None:
        raise HandoverPending()
    ho = HouseholdHandover(
        household_id=m.household_id,
        from_person_id=rep.person_id if rep else None,
        to_person_id=to_person_id,
        requested_at=now,
    )
    session.add(ho)
    await session.flush()
    assert ho.id is not None
    await audit.log(
        session, "household.handover_requested", "household", m.household_id, actor_id=person.id, to=to_person_id
    )
    await household_changed.send(session, HouseholdEvent("handover_requested", m.household_id, to_person_id, ho.id))
    return ho


async def decide_handover(
    session: AsyncSession,
    handover_id: int,
    actor: Person,
    grants: Sequence[RoleGrant],
    *,
    confirm: bool,
    now: datetime | None = None,
) -> HouseholdHandover:
    """The village head confirms or refuses a handover. Confirmed: the old representation ends and the
    new one starts at the same moment (history kept)."""
    now = now or utcnow()
    ho = await session.get(HouseholdHandover, handover_id)
    if ho is None:
        raise NotFound()
    hh = await require_keeper(session, grants, ho.household_id)
    if ho.status != "pending":
        raise NotPending()
    rep = await queries.current_representative(session, ho.household_id)
    target = await queries.membership(session, ho.to_person_id)
    still_valid = (
        (rep.person_id if rep is not None else None) == ho.from_person_id
        and target is not None
        and target.household_id == ho.household_id
    )
    if confirm and not still_valid:
        ho.status = "void"
        await session.flush()
        raise NotPending()
    ho.status, ho.decided_by, ho.decided_at = ("confirmed" if confirm else "refused"), actor.id, now
    if confirm:
        if rep is not None:
            rep.until, rep.end_reason = now, "handover"
            await session.flush()
        session.add(
            HouseholdRepresentative(
                household_id=ho.household_id, person_id=ho.to_person_id, since=now, confirmed_by=actor.id
            )
        )
    await session.flush()
    await audit.log(
        session,
        f"household.handover_{ho.status}",
        "household",
        ho.household_id,
        actor_id=actor.id,
        unit_id=hh.village_id,
        frm=ho.from_person_id,
        to=ho.to_person_id,
    )
    await household_changed.send(
        session, HouseholdEvent(f"handover_{ho.status}", ho.household_id, ho.to_person_id, ho.id)
    )
    return ho


async def leave(session: AsyncSession, person_id: int, reason: str = "left", *, now: datetime | None = None) -> bool:
    """End the person's current membership (and representation, and their pending handovers).
    Returns False when they were in no household."""
    now = now or utcnow()
    m = await queries.membership(session, person_id)
    if m is None:
        return False
    m.left_at, m.left_reason = now, reason
    rep = await queries.current_representative(session, m.household_id)
    was_rep = rep is not None and rep.person_id == person_id
    if rep is not None and was_rep:
        rep.until, rep.end_reason = now, reason
    await session.exec(
        update(HouseholdHandover)
        .where(
            col(HouseholdHandover.household_id) == m.household_id,
            col(HouseholdHandover.status) == "pending",
        )
        .where(
            (col(HouseholdHandover.from_person_id) == person_id) | (col(HouseholdHandover.to_person_id) == person_id)
        )
        .values(status="void")
    )
    await session.flush()
    await audit.log(
        session,
        "household.left",
        "household",
        m.household_id,
        actor_id=person_id,
        reason=reason,
        representative=was_rep,
    )
    if was_rep:
        await household_changed.send(session, HouseholdEvent("representative_left", m.household_id, person_id))
    return True


@village_changed.connect
async def _on_village_changed(session: AsyncSession, change: VillageChange) -> int:
    """Moving village (or erasure) ends the membership of a household of the old village."""
    m = await queries.membership(session, change.person_id)
    if m is None:
        return 0
    hh = await session.get(Household, m.household_id)
    if hh is not None and hh.village_id != change.new_village_id:
        person = await session.get(Person, change.person_id)
        erased = person is not None and person.erased_at is not None
        await leave(session, change.person_id, "erased" if erased else "moved")
    return 0


async def import_row(
    session: AsyncSession,
    village_id: int,
    *,
    number: str,
    head_name: str,
    size: int,
    by: str,
    now: datetime | None = None,
) -> tuple[Household, bool]:
    """One row of a village's household list (``loalang households import``): a confirmed household,
    created or updated by its number. Returns the household and whether it was new."""
    now = now or utcnow()
    hh = (
        await session.exec(select(Household).where(Household.village_id == village_id, Household.number == number))
    ).first()
    created = hh is None
    if hh is None:
        hh = Household(
            village_id=village_id,
            number=number,
            code=await _unique_code(session),
            source="import",
            created_at=now,
            head_name="",
        )
        session.add(hh)
    hh.head_name, hh.size = head_name.strip()[:200], max(1, min(size, MAX_SIZE))
    if hh.status != "confirmed":
        hh.status, hh.confirmed_at = "confirmed", now
    await session.flush()
    await audit.log(
        session,
        "household.imported",
        "household",
        hh.id,
        actor_label=by,
        unit_id=village_id,
        number=number,
        created=created,
    )
    return hh, created
