"""The end of a vote: the close at its time (idempotent, restart-safe), the meeting tally entered by
the village head, the minutes, and the report to the commune with its working-day deadline.

A secret ballot's close is where the link between household and choice disappears: in one
transaction the choices are counted, copied into anonymous ``DecisionBallot`` rows (random ids, no
time, shuffled) and deleted. After the commit no table holds which household chose what.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import Conflict, DomainError
from bot.core.i18n import N_
from storage import audit
from storage.db import utcnow
from storage.decisions.config import DecisionConfig
from storage.decisions.models import Decision, DecisionBallot, DecisionChoice, DecisionTurnout
from storage.decisions.permissions import require_manager
from storage.decisions.rules import evaluate
from storage.decisions.signals import DecisionEvent, decision_closed, minutes_attached
from storage.people.models import Person, RoleGrant


class BadTally(DomainError):
    msgid = N_(
        "The numbers do not add up: households present must be at most {eligible}, and the votes at most the "
        "households present."
    )


class NotClosed(Conflict):
    msgid = N_("The result is not in yet: minutes can be attached once the vote has closed.")


async def counts_of(session: AsyncSession, d: Decision) -> list[int]:
    """Votes per option: from the choices while they exist, else from the anonymous ballots."""
    assert d.id is not None
    table: Any = DecisionChoice if not (d.secret and d.status == "closed") else DecisionBallot
    rows = await session.exec(
        select(table.option, func.count()).where(table.decision_id == d.id).group_by(table.option)
    )
    out = [0] * len(d.options)
    for opt, n in rows.all():
        if 0 <= opt < len(out):
            out[opt] = int(n)
    return out


async def _finish(
    session: AsyncSession, d: Decision, counts: list[int], voted: int, cfg: DecisionConfig, now: datetime
) -> None:
    assert d.id is not None
    result = evaluate(d.rules, counts, voted=voted, eligible=d.eligible, yes_no=d.yes_no)
    d.result = result.as_dict()
    d.report_due_at = cfg.calendar.add_working_days(now, cfg.rules.report_working_days)
    await session.flush()
    await audit.log(session, "decision.closed", "decision", d.id, actor_label="scheduler", **d.result)
    await decision_closed.send(session, DecisionEvent(d.id))


async def close(session: AsyncSession, decision_id: int, cfg: DecisionConfig, *, now: datetime | None = None) -> bool:
    """Close a ballot whose time has come and tally it. False when it was not open or not due
    (another process closed it, or a restart runs the job again)."""
    now = now or utcnow()
    res = await session.exec(
        update(Decision)
        .where(
            col(Decision.id) == decision_id,
            col(Decision.status) == "open",
            col(Decision.closes_at) <= now,
            col(Decision.method).in_(("ballot", "online")),
        )
        .values(status="closing", closed_at=now)
    )
    if (res.rowcount or 0) != 1:
        return False
    d = await session.get(Decision, decision_id)
    assert d is not None
    await session.refresh(d)
    counts = await counts_of(session, d)
    voted = int(
        (
            await session.exec(
                select(func.count()).select_from(DecisionTurnout).where(DecisionTurnout.decision_id == decision_id)
            )
        ).one()
    )
    if d.secret:
        await _seal(session, decision_id, counts)
    d.status = "closed"
    await _finish(session, d, counts, voted, cfg, now)
    return True


async def _seal(session: AsyncSession, decision_id: int, counts: list[int]) -> None:
    """Secret ballot: anonymous ballots in shuffled order, then the household links are deleted."""
    ballots = [opt for opt, n in enumerate(counts) for _ in range(n)]
    random.SystemRandom().shuffle(ballots)
    rows = [{"id": secrets.token_hex(16), "decision_id": decision_id, "option": opt} for opt in ballots]
    for i in range(0, len(rows), 5000):
        await session.exec(insert(DecisionBallot), params=rows[i : i + 5000])
    await session.exec(delete(DecisionChoice).where(col(DecisionChoice.decision_id) == decision_id))


async def enter_tally(
    session: AsyncSession,
    decision_id: int,
    actor: Person,
    grants: Sequence[RoleGrant],
    cfg: DecisionConfig,
    *,
    present: int,
    counts: Sequence[int],
    now: datetime | None = None,
) -> Decision:
    """The village head enters a meeting's tally (households present, votes per option); the
    decision closes with that result."""
    now = now or utcnow()
    d = await require_manager(session, grants, decision_id)
    if d.method != "meeting" or d.status != "open":
        raise NotClosed() if d.status == "scheduled" else Conflict()
    counts = list(counts)
    if len(counts) != len(d.options) or min(counts, default=0) < 0 or not 0 <= present <= d.eligible:
        raise BadTally(eligible=d.eligible)
    if sum(counts) > present:
        raise BadTally(eligible=d.eligible)
    res = await session.exec(
        update(Decision)
        .where(col(Decision.id) == decision_id, col(Decision.status) == "open")
        .values(status="closed", closed_at=now)
    )
    if (res.rowcount or 0) != 1:
        raise Conflict()
    await session.refresh(d)
    await audit.log(
        session, "decision.tally_entered", "decision", decision_id, actor_id=actor.id, present=present, counts=counts
    )
    await _finish(session, d, counts, present, cfg, now)
    return d


async def attach_minutes(
    session: AsyncSession,
    decision_id: int,
    actor: Person,
    grants: Sequence[RoleGrant],
    attachment: dict[str, Any],
    *,
    now: datetime | None = None,
) -> Decision:
    """The minutes (a photo or a PDF) of a closed decision: this sends the report to the commune."""
    now = now or utcnow()
    d = await require_manager(session, grants, decision_id)
    if d.status != "closed":
        raise NotClosed()
    d.minutes, d.minutes_at = attachment, now
    first = d.reported_at is None
    d.reported_at = d.reported_at or now
    await session.flush()
    await audit.log(
        session, "decision.minutes_attached", "decision", decision_id, actor_id=actor.id, kind=attachment.get("kind")
    )
    if first:
        await minutes_attached.send(session, DecisionEvent(decision_id))
    return d


async def due_to_close(session: AsyncSession, now: datetime) -> list[int]:
    rows = await session.exec(
        select(Decision.id).where(
            Decision.status == "open", col(Decision.closes_at) <= now, col(Decision.method).in_(("ballot", "online"))
        )
    )
    return [i for i in rows if i is not None]
