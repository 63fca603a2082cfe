"""Decisions: create (and open now or at its time), open, edit before the first vote, cancel, and
vote. Closing, the meeting tally, minutes and the report are in ``closing.py``.

Each state change checks permission once, flushes (the caller commits) and writes its audit
record; a secret ballot's audit records never carry the choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, literal, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import Conflict, DomainError, NotFound
from bot.core.i18n import N_
from storage import audit, units
from storage.db import utcnow
from storage.decisions.models import Decision, DecisionChoice, DecisionElector, DecisionTurnout
from storage.decisions.permissions import require_manager, require_opener
from storage.decisions.rules import ART15_ITEMS, METHODS, DecisionRules
from storage.decisions.signals import DecisionEvent, decision_opened
from storage.households.models import Household, HouseholdMember, HouseholdRepresentative
from storage.people.models import Person, RoleGrant


class InvalidDecision(DomainError):
    msgid = N_("This decision cannot be opened as it is: {why}")


class OnlineNotAllowed(DomainError):
    msgid = N_(
        "An online vote is allowed only for other self-management matters, and only after the village agreed to it."
    )


class VoteClosed(DomainError):
    msgid = N_("Sorry, this vote closed at {when}. Your vote could not be counted.")


class NotOpenYet(DomainError):
    msgid = N_("This vote has not opened yet.")


class NotEligible(DomainError):
    msgid = N_("Your household is not on the list for this vote (the list was fixed when the vote opened).")


class NotRepresentative(DomainError):
    msgid = N_("{name} votes for your household. Only the household's representative can vote.")


class NoHousehold(DomainError):
    msgid = N_("Votes are cast per household. Send /household to declare or join your household first.")


class AlreadyVoted(Conflict):
    msgid = N_("Households have already voted: this decision can no longer be changed.")


_UPSERTS: dict[str, tuple[Any, Any]] = {}
# The household of the person who votes, whether it is in the decision's electorate, and who
# represents it (built once: every vote asks it).
_BALLOT_HOLDER = (
    select(HouseholdMember.household_id, HouseholdRepresentative.person_id, DecisionElector.household_id)
    .select_from(HouseholdMember)
    .join(
        HouseholdRepresentative,
        (col(HouseholdRepresentative.household_id) == col(HouseholdMember.household_id))
        & col(HouseholdRepresentative.until).is_(None),
        isouter=True,
    )
    .join(
        DecisionElector,
        (col(DecisionElector.household_id) == col(HouseholdMember.household_id))
        & (col(DecisionElector.decision_id) == bindparam("decision")),
        isouter=True,
    )
    .where(HouseholdMember.person_id == bindparam("person"), col(HouseholdMember.left_at).is_(None))
)


@dataclass(frozen=True)
class VoteOutcome:
    decision: Decision
    option: int
    changed: bool
    """True when the household had voted before (a changed vote)."""


async def create(
    session: AsyncSession,
    author: Person,
    grants: Sequence[RoleGrant],
    rules: DecisionRules,
    *,
    unit_id: int,
    question: str,
    explanation: str = "",
    art15: str,
    method: str,
    options: Sequence[str],
    yes_no: bool,
    secret: bool,
    closes_at: datetime,
    opens_at: datetime | None = None,
    agreed_record: str | None = None,
    now: datetime | None = None,
) -> Decision:
    """Check and store a decision; open it now unless ``opens_at`` is later."""
    now = now or utcnow()
    role = await require_opener(session, grants, unit_id)
    opens_at = opens_at if opens_at and opens_at > now else now
    if art15 not in ART15_ITEMS or method not in METHODS:
        raise InvalidDecision(why=f"{art15}/{method}")
    if method == "online" and (art15 not in rules.online_allowed_for or not (agreed_record or "").strip()):
        raise OnlineNotAllowed()
    opts = [o.strip()[:120] for o in options if o.strip()]
    if len(opts) < 2 or len(set(opts)) != len(opts):
        raise InvalidDecision(why="options")
    if method != "meeting" and closes_at <= opens_at:
        raise InvalidDecision(why="closes_at")
    assert author.id is not None
    d = Decision(
        unit_id=unit_id,
        question=question.strip()[:500],
        explanation=explanation.strip()[:3000],
        art15=art15,
        method=method,
        agreed_record=(agreed_record or "").strip()[:500] or None,
        options=opts,
        yes_no=yes_no,
        secret=secret,
        opens_at=opens_at,
        closes_at=closes_at if method != "meeting" else max(closes_at, opens_at),
        status="scheduled",
        rules=rules.snapshot(),
        created_by=author.id,
        created_role=role,
        created_at=now,
    )
    session.add(d)
    await session.flush()
    assert d.id is not None
    await audit.log(
        session,
        "decision.created",
        "decision",
        d.id,
        actor_id=author.id,
        unit_id=unit_id,
        art15=art15,
        method=method,
        secret=secret,
        options=opts,
        opens_at=opens_at.isoformat(),
        closes_at=d.closes_at.isoformat(),
        agreed_record=d.agreed_record,
        rules=d.rules,
    )
    if opens_at <= now:
        await open_decision(session, d.id, now=now)
        await session.refresh(d)
    return d


async def electorate_units(session: AsyncSession, unit_id: int) -> list[int]:
    """The villages whose households vote: the unit itself, or every village under a ward."""
    return await units.descendant_ids(session, unit_id)


async def open_decision(session: AsyncSession, decision_id: int, *, now: datetime | None = None) -> bool:
    """Open a scheduled decision: fix its electorate (the confirmed households now) and send the
    ballots. False when it was not scheduled (another process opened it, or it was cancelled)."""
    now = now or utcnow()
    res = await session.exec(
        update(Decision)
        .where(col(Decision.id) == decision_id, col(Decision.status) == "scheduled")
        .values(status="open", opened_at=now)
    )
    if (res.rowcount or 0) != 1:
        return False
    d = await session.get(Decision, decision_id)
    assert d is not None
    villages = await electorate_units(session, d.unit_id)
    electorate = select(literal(decision_id), col(Household.id)).where(
        col(Household.village_id).in_(villages), Household.status == "confirmed"
    )
    await session.exec(insert(DecisionElector).from_select(["decision_id", "household_id"], electorate))
    d.eligible = int(
        (
            await session.exec(
                select(func.count()).select_from(DecisionElector).where(DecisionElector.decision_id == decision_id)
            )
        ).one()
    )
    await session.flush()
    await audit.log(session, "decision.opened", "decision", decision_id, actor_label="scheduler", eligible=d.eligible)
    await decision_opened.send(session, DecisionEvent(decision_id))
    return True


async def edit(
    session: AsyncSession,
    decision_id: int,
    actor: Person,
    grants: Sequence[RoleGrant],
    *,
    question: str | None = None,
    explanation: str | None = None,
    closes_at: datetime | None = None,
    now: datetime | None = None,
) -> Decision:
    """Correct a decision before any household voted (every edit audited with before and after)."""
    now = now or utcnow()
    d = await require_manager(session, grants, decision_id)
    if d.status not in ("scheduled", "open") or await turnout_count(session, decision_id) > 0:
        raise AlreadyVoted()
    before = {"question": d.question, "explanation": d.explanation, "closes_at": d.closes_at.isoformat()}
    if question is not None and question.strip():
        d.question = question.strip()[:500]
    if explanation is not None:
        d.explanation = explanation.strip()[:3000]
    if closes_at is not None:
        if closes_at <= max(now, d.opens_at):
            raise InvalidDecision(why="closes_at")
        d.closes_at = closes_at
    after = {"question": d.question, "explanation": d.explanation, "closes_at": d.closes_at.isoformat()}
    await session.flush()
    await audit.log(session, "decision.edited", "decision", decision_id, actor_id=actor.id, before=before, after=after)
    return d


async def cancel(
    session: AsyncSession, decision_id: int, actor: Person, grants: Sequence[RoleGrant], *, now: datetime | None = None
) -> Decision:
    """Withdraw a decision before any household voted."""
    d = await require_manager(session, grants, decision_id)
    if d.status not in ("scheduled", "open") or await turnout_count(session, decision_id) > 0:
        raise AlreadyVoted()
    d.status, d.closed_at = "cancelled", now or utcnow()
    await session.flush()
    await audit.log(session, "decision.cancelled", "decision", decision_id, actor_id=actor.id)
    return d


async def turnout_count(session: AsyncSession, decision_id: int) -> int:
    n = await session.exec(
        select(func.count()).select_from(DecisionTurnout).where(DecisionTurnout.decision_id == decision_id)
    )
    return int(n.one())


async def vote(
    session: AsyncSession,
    decision_id: int,
    person: Person,
    option: int,
    *,
    channel: str,
    now: datetime | None = None,
) -> VoteOutcome:
    """Record the household's vote (or change it) while the vote is open: only its representative,
    only a household of the electorate, one vote per household whatever the channel."""
    now = now or utcnow()
    assert person.id is not None
    # FOR SHARE on PostgreSQL: the close's UPDATE waits for votes in flight, so none is lost between
    # the check below and the tally (SQLite serialises writers anyway).
    d = (await session.exec(select(Decision).where(Decision.id == decision_id).with_for_update(read=True))).first()
    if d is None or d.status in ("scheduled", "cancelled") or d.method == "meeting":
        raise NotOpenYet() if d is not None and d.status == "scheduled" else NotFound()
    if d.status != "open" or now >= d.closes_at:
        raise VoteClosed(when=d.closes_at.isoformat())
    if now < d.opens_at:
        raise NotOpenYet()
    if not 0 <= option < len(d.options):
        raise NotFound()
    # One query for the household, whether it is in the electorate and who represents it.
    row = (await session.exec(_BALLOT_HOLDER, params={"decision": decision_id, "person": person.id})).first()
    if row is None:
        raise NoHousehold()
    household_id, rep_id, elector = row
    if elector is None:
        raise NotEligible()
    if rep_id != person.id:
        who = await session.get(Person, rep_id) if rep_id is not None else None
        raise NotRepresentative(name=(who.display_name if who else None) or "—")
    changed = await _upsert(session, decision_id, household_id, option, person.id, channel, now)
    data: dict[str, Any] = {"household_id": household_id, "channel": channel, "changed": changed}
    if not d.secret:
        data["option"] = option
    await audit.log(session, "decision.voted", "decision", decision_id, actor_id=person.id, **data)
    return VoteOutcome(d, option, changed)


def _upserts(dialect: str) -> tuple[Any, Any]:
    """Turnout and choice upserts for ``dialect``, built once each (a vote runs them both)."""
    cached = _UPSERTS.get(dialect)
    if cached is None:
        make = pg_insert if dialect == "postgresql" else sqlite_insert
        t = make(DecisionTurnout)
        turnout = t.on_conflict_do_update(
            index_elements=["decision_id", "household_id"],
            set_={"person_id": t.excluded.person_id, "channel": t.excluded.channel, "last_at": t.excluded.last_at},
        ).returning(col(DecisionTurnout.first_at))
        c = make(DecisionChoice)
        choice = c.on_conflict_do_update(
            index_elements=["decision_id", "household_id"], set_={"option": c.excluded.option}
        )
        cached = _UPSERTS[dialect] = (turnout, choice)
    return cached


async def _upsert(
    session: AsyncSession, decision_id: int, household_id: int, option: int, person_id: int, channel: str, now: datetime
) -> bool:
    """Turnout and choice in two INSERT … ON CONFLICT DO UPDATE statements (both databases), so the
    household's two channels voting at the same moment end as one vote, the later one. Returns
    whether the household had voted before."""
    conn = await session.connection()
    turnout, choice = _upserts(conn.dialect.name)
    keys = {"decision_id": decision_id, "household_id": household_id}
    first_at = (
        await conn.execute(
            turnout, {**keys, "person_id": person_id, "channel": channel, "first_at": now, "last_at": now}
        )
    ).scalar_one()
    await conn.execute(choice, {**keys, "option": option})
    return bool(first_at != now)
