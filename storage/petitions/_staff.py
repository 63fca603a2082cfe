"""Officials' actions on a petition. Each: permission once (``permissions.require_handler``), then the
shared recipe ``events.change`` (version, transition, event, audit, ``case_changed``).

Signature shape: ``(session, cfg, case_id, actor, grants, *, now, version=None, ...) -> Case``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n.catalog import N_
from storage import audit
from storage.people.models import Person, RoleGrant
from storage.people.services import active_roles
from storage.petitions import permissions
from storage.petitions.config import CasesConfig
from storage.petitions.deadlines import due_dates
from storage.petitions.errors import InvalidInput
from storage.petitions.events import change, load, record
from storage.petitions.models import Case, CaseIdentity
from storage.petitions.rules import OUTCOMES, CaseAction
from storage.units.models import COMMUNE_LEVEL, Unit

__all__ = [
    "IdentityView",
    "acknowledge",
    "add_note",
    "assign",
    "extend",
    "reject",
    "reply",
    "request_info",
    "resolve",
    "resume",
    "resume_clock",
    "reveal_identity",
    "start",
    "transfer",
]

A = CaseAction
_TEXT_MAX = 4000


@dataclass(frozen=True)
class IdentityView:
    full_name: str
    phone: str | None
    address: str | None
    id_number: str | None


def _text(value: str | None, minimum: int = 1) -> str:
    t = (value or "").strip()
    if len(t) < minimum or len(t) > _TEXT_MAX:
        raise InvalidInput(N_("Please write between {min} and {max} characters."), min=minimum, max=_TEXT_MAX)
    return t


def resume_clock(cfg: CasesConfig, case: Case, now: datetime) -> None:
    """End a pause: the answer (and, if not yet acknowledged, the acknowledge) due date moves by the time lost."""
    if case.paused_at is None:
        return
    rule = cfg.routes[case.route]
    if rule.pause_when_waiting:
        d = rule.deadline
        case.answer_due = cfg.calendar.extend_for_pause(case.answer_due, case.paused_at, now, unit=d.answer_unit)
        if case.acknowledged_at is None:
            case.ack_due = cfg.calendar.extend_for_pause(case.ack_due, case.paused_at, now, unit=d.acknowledge_unit)
    case.paused_at = None


async def _act(
    session: AsyncSession,
    cfg: CasesConfig,
    case_id: int,
    actor: Person,
    grants: list[RoleGrant],
    action: CaseAction,
    *,
    now: datetime,
    version: int | None,
    **kw: Any,
) -> Case:
    """Load, check the handler's permission once, and run the shared recipe as that handler."""
    case = await load(session, case_id)
    grant = await permissions.require_handler(session, grants, case)
    return await change(
        session, cfg, case, action, now=now, actor_id=actor.id, actor_role=grant.role, version=version, **kw
    )


def _acknowledged(now: datetime) -> Any:
    def apply(case: Case) -> None:
        case.acknowledged_at = case.acknowledged_at or now

    return apply


async def acknowledge(
    session: AsyncSession,
    cfg: CasesConfig,
    case_id: int,
    actor: Person,
    grants: list[RoleGrant],
    *,
    now: datetime,
    version: int | None = None,
) -> Case:
    return await _act(
        session, cfg, case_id, actor, grants, A.ACKNOWLEDGE, now=now, version=version, apply=_acknowledged(now)
    )


async def start(
    session: AsyncSession,
    cfg: CasesConfig,
    case_id: int,
    actor: Person,
    grants: list[RoleGrant],
    *,
    now: datetime,
    version: int | None = None,
) -> Case:
    def apply(case: Case) -> None:
        case.acknowledged_at = case.acknowledged_at or now
        case.assignee_id = case.assignee_id or actor.id

    return await _act(session, cfg, case_id, actor, grants, A.START, now=now, version=version, apply=apply)


async def request_info(
    session: AsyncSession,
    cfg: CasesConfig,
    case_id: int,
    actor: Person,
    grants: list[RoleGrant],
    *,
    question: str,
    now: datetime,
    version: int | None = None,
) -> Case:
    question = _text(question, 5)

    def apply(case: Case) -> None:
        case.acknowledged_at = case.acknowledged_at or now
        case.paused_at = now

    return await _act(
        session,
        cfg,
        case_id,
        actor,
        grants,
        A.REQUEST_INFO,
        now=now,
        version=version,
        apply=apply,
        text=question,
        params={"question": question},
    )


async def resume(
    session: AsyncSession,
    cfg: CasesConfig,
    case_id: int,
    actor: Person,
    grants: list[RoleGrant],
    *,
    now: datetime,
    version: int | None = None,
) -> Case:
    """An official stops waiting for the resident (e.g. the information came by phone)."""

    def apply(case: Case) -> dict[str, Any]:
        old_due = case.answer_due
        resume_clock(cfg, case, now)
        return {"old_due": old_due.isoformat(), "new_due": case.answer_due.isoformat()}

    return await _act(session, cfg, case_id, actor, grants, A.RESUME, now=now, version=version, apply=apply)


async def reply(
    session: AsyncSession,
    cfg: CasesConfig,
    case_id: int,
    actor: Person,
    grants: list[RoleGrant],
    *,
    text: str,
    now: datetime,
    version: int | None = None,
) -> Case:
    """An interim public message to the resident; the final answer is ``resolve``."""
    text = _text(text, 2)
    return await _act(
        session,
        cfg,
        case_id,
        actor,
        grants,
        A.REPLY,
        now=now,
        version=version,
        apply=_acknowledged(now),
        text=text,
        params={"text": text},
    )


async def resolve(
    session: AsyncSession,
    cfg: CasesConfig,
    case_id: int,
    actor: Person,
    grants: list[RoleGrant],
    *,
    text: str,
    now: datetime,
    outcome: str = "resolved",
    version: int | None = None,
) -> Case:
    """The final answer: status ``answered``; the resident may rate it and reopen once."""
    text = _text(text, 2)
    if outcome not in OUTCOMES:
        raise InvalidInput()

    def apply(case: Case) -> dict[str, Any]:
        case.paused_at = None
        case.acknowledged_at = case.acknowledged_at or now
        case.answered_at = now
        case.answer_text = text
        case.outcome = outcome
        return {"outcome": outcome, "on_time": now <= case.answer_due}

    return await _act(
        session,
        cfg,
        case_id,
        actor,
        grants,
        A.RESOLVE,
        now=now,
        version=version,
        apply=apply,
        text=text,
        params={"text": text},
    )


async def transfer(
    session: AsyncSession,
    cfg: CasesConfig,
    case_id: int,
    actor: Person,
    grants: list[RoleGrant],
    *,
    to_unit_id: int,
    reason: str,
    now: datetime,
    version: int | None = None,
) -> Case:
    """Send the case to another unit, which settles it from now on. An identity on file goes with the
    file to that unit and no longer to the sender: for a denouncer's confidential one, only the
    receiving unit's head may reveal it (Law on Denunciation 2018, Art. 47; see ``permissions``)."""
    reason = _text(reason, 5)
    target = await session.get(Unit, to_unit_id)
    if target is None or target.kind not in COMMUNE_LEVEL or target.valid_to is not None:
        raise InvalidInput(N_("Please choose a current ward or commune."))
    case = await load(session, case_id)
    from_unit = case.unit_id
    ident = await session.get(CaseIdentity, case_id)
    confidential = ident is not None and ident.confidential

    def check(case: Case) -> None:
        if to_unit_id == case.unit_id:
            raise InvalidInput(N_("The petition is already with this unit."))

    def apply(case: Case) -> None:
        resume_clock(cfg, case, now)
        case.unit_id = to_unit_id
        case.assignee_id = None
        case.escalated = False
        case.acknowledged_at = None
        case.ack_due, case.answer_due = due_dates(cfg.routes[case.route].deadline, cfg.calendar, now)
        if ident is not None:
            ident.holder_unit_id = to_unit_id
            session.add(ident)

    return await _act(
        session,
        cfg,
        case_id,
        actor,
        grants,
        A.TRANSFER,
        now=now,
        version=version,
        check=check,
        apply=apply,
        text=reason,
        from_unit=from_unit,
        to_unit=to_unit_id,
        identity_moved=confidential,
        audit_data={
            "from_unit": from_unit,
            "to_unit": to_unit_id,
            "reason": reason,
            **({"identity_to_unit": to_unit_id} if confidential else {}),
        },
        params={"unit": target.name, "reason": reason},
        previous={"unit_id": from_unit},
    )


async def reject(
    session: AsyncSession,
    cfg: CasesConfig,
    case_id: int,
    actor: Person,
    grants: list[RoleGrant],
    *,
    reason: str,
    now: datetime,
    version: int | None = None,
) -> Case:
    """Decline as out of scope, with a reason the resident sees."""
    reason = _text(reason, 5)

    def apply(case: Case) -> None:
        case.paused_at = None
        case.closed_at = now

    return await _act(
        session,
        cfg,
        case_id,
        actor,
        grants,
        A.REJECT,
        now=now,
        version=version,
        apply=apply,
        text=reason,
        params={"reason": reason},
    )


async def assign(
    session: AsyncSession,
    cfg: CasesConfig,
    case_id: int,
    actor: Person,
    grants: list[RoleGrant],
    *,
    assignee_id: int,
    now: datetime,
    version: int | None = None,
) -> Case:
    """Give the case to a colleague who can act on it (staff of the responsible unit)."""
    case = await load(session, case_id)
    grant = await permissions.require_handler(session, grants, case)
    old = case.assignee_id
    if not await permissions.can_be_assigned(session, await active_roles(session, assignee_id), case):
        raise InvalidInput(N_("This person cannot handle petitions of this unit."))

    def apply(case: Case) -> None:
        case.assignee_id = assignee_id

    return await change(
        session,
        cfg,
        case,
        A.ASSIGN,
        now=now,
        actor_id=actor.id,
        actor_role=grant.role,
        version=version,
        apply=apply,
        public=False,
        old_assignee=old,
        assignee=assignee_id,
        previous={"assignee_id": old},
    )


async def extend(
    session: AsyncSession,
    cfg: CasesConfig,
    case_id: int,
    actor: Person,
    grants: list[RoleGrant],
    *,
    reason: str,
    now: datetime,
    version: int | None = None,
) -> Case:
    """Extend the answer period once more for a complex case, as far as the route allows."""
    reason = _text(reason, 5)

    def check(case: Case) -> None:
        if case.extensions >= cfg.routes[case.route].deadline.max_extensions:
            raise InvalidInput(N_("The deadline of this petition cannot be extended any more."))

    def apply(case: Case) -> dict[str, Any]:
        rule = cfg.routes[case.route].deadline
        old_due = case.answer_due
        case.extensions += 1
        case.answer_due = cfg.calendar.add_days(case.answer_due, rule.extension_days, rule.answer_unit)
        return {"old_due": old_due.isoformat(), "new_due": case.answer_due.isoformat()}

    return await _act(
        session,
        cfg,
        case_id,
        actor,
        grants,
        A.EXTEND,
        now=now,
        version=version,
        check=check,
        apply=apply,
        text=reason,
        params={"reason": reason},
    )


async def add_note(
    session: AsyncSession,
    cfg: CasesConfig,
    case_id: int,
    actor: Person,
    grants: list[RoleGrant],
    *,
    text: str,
    now: datetime,
    version: int | None = None,
) -> Case:
    """An internal note, visible to staff only; it does not change the case (no version bump, no push)."""
    text = _text(text, 2)
    case = await load(session, case_id)
    g = await permissions.require_handler(session, grants, case)
    await record(
        session,
        case,
        A.NOTE,
        now=now,
        actor_id=actor.id,
        actor_role=g.role,
        from_status=case.status,
        to_status=case.status,
        public=False,
        text=text,
    )
    return case


async def reveal_identity(
    session: AsyncSession,
    cfg: CasesConfig,
    case_id: int,
    actor: Person,
    grants: list[RoleGrant],
    *,
    reason: str,
    now: datetime,
) -> IdentityView:
    """Show a confidential identity to the head of the unit holding it (the one now responsible), with
    a reason; every reveal is audited (``case.identity_revealed``) and kept in the staff history."""
    case = await load(session, case_id)
    ident = await session.get(CaseIdentity, case_id)
    if ident is None:
        raise InvalidInput(N_("This petition has no identity on file."))
    await permissions.require_reveal_identity(session, grants, ident)
    reason = _text(reason, 10)
    await record(
        session,
        case,
        A.REVEAL,
        now=now,
        actor_id=actor.id,
        actor_role="unit_head",
        from_status=case.status,
        to_status=case.status,
        public=False,
        text=reason,
        audit_data={"reason": reason, "confidential": ident.confidential},
    )
    await audit.log(
        session,
        "case.identity_revealed",
        "case",
        case.id,
        actor_id=actor.id,
        unit_id=ident.holder_unit_id,
        code=case.code,
        reason=reason,
    )
    return IdentityView(ident.full_name, ident.phone, ident.address, ident.id_number)
