"""Officials' actions on a petition. Each one: permission check for the responsible unit, transition
check, optimistic version bump (``Conflict`` if stale), append-only event, audit, pushes.

Signature shape: ``(session, cfg, case_id, actor, grants, *, now, version=None, ...) -> Case``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import Conflict, PermissionDenied
from bot.core.i18n.catalog import N_
from storage import audit
from storage.petitions import notify
from storage.petitions.config import CasesConfig
from storage.petitions.errors import InvalidInput
from storage.petitions.events import bump, load, record, set_status
from storage.petitions.rules import OUTCOMES, check_transition
from storage.petitions.deadlines import due_dates
from storage.people.models import Person, RoleGrant
from storage.units.models import Unit
from storage.petitions.models import Case, CaseIdentity
from storage.units.models import COMMUNE_LEVEL
from storage.people.services import active_roles
from storage.people.permissions import STAFF_ROLES, covering_grants, require

__all__ = ["IdentityView", "acknowledge", "add_note", "assign", "extend", "reject", "reply", "request_info",
           "resolve", "resume", "reveal_identity", "start", "transfer", "resume_clock"]

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


async def _begin(session: AsyncSession, case_id: int, actor: Person, grants: list[RoleGrant], action: str,
                 version: int | None, now: datetime) -> tuple[Case, RoleGrant, str, str]:
    case = await load(session, case_id)
    grant = await require(session, grants, case.unit_id, STAFF_ROLES, case.category)
    if version is not None and version != case.version:
        raise Conflict()  # someone acted first: say so rather than "not possible in this state"
    before = case.status
    after = check_transition(action, before)
    await bump(session, case, version, now)
    return case, grant, before, after


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


async def acknowledge(session: AsyncSession, cfg: CasesConfig, case_id: int, actor: Person,
                      grants: list[RoleGrant], *, now: datetime, version: int | None = None) -> Case:
    case, g, before, after = await _begin(session, case_id, actor, grants, "acknowledge", version, now)
    set_status(case, after)
    case.acknowledged_at = case.acknowledged_at or now
    await record(session, case, "acknowledge", now=now, actor_id=actor.id, actor_role=g.role, from_status=before,
                 to_status=after)
    await notify.notify_residents(session, cfg, case, N_("Your petition {code} has been acknowledged. "
                                                        "The answer is due by {due}."), now=now)
    return case


async def start(session: AsyncSession, cfg: CasesConfig, case_id: int, actor: Person, grants: list[RoleGrant], *,
                now: datetime, version: int | None = None) -> Case:
    case, g, before, after = await _begin(session, case_id, actor, grants, "start", version, now)
    set_status(case, after)
    case.acknowledged_at = case.acknowledged_at or now
    case.assignee_id = case.assignee_id or actor.id
    await record(session, case, "start", now=now, actor_id=actor.id, actor_role=g.role, from_status=before,
                 to_status=after)
    await notify.notify_residents(session, cfg, case, N_("Your petition {code} is being handled."), now=now)
    return case


async def request_info(session: AsyncSession, cfg: CasesConfig, case_id: int, actor: Person,
                       grants: list[RoleGrant], *, question: str, now: datetime, version: int | None = None) -> Case:
    question = _text(question, 5)
    case, g, before, after = await _begin(session, case_id, actor, grants, "request_info", version, now)
    set_status(case, after)
    case.acknowledged_at = case.acknowledged_at or now
    case.paused_at = now
    await record(session, case, "request_info", now=now, actor_id=actor.id, actor_role=g.role,
                 from_status=before, to_status=after, text=question)
    await notify.notify_residents(session, cfg, case, N_("The office handling your petition {code} asks for more "
                                                        "information: {question}\nPlease open the petition and "
                                                        "add the information."), now=now, question=question)
    return case


async def resume(session: AsyncSession, cfg: CasesConfig, case_id: int, actor: Person, grants: list[RoleGrant], *,
                 now: datetime, version: int | None = None) -> Case:
    """An official stops waiting for the resident (e.g. the information came by phone)."""
    case, g, before, after = await _begin(session, case_id, actor, grants, "resume", version, now)
    old_due = case.answer_due
    resume_clock(cfg, case, now)
    set_status(case, after)
    await record(session, case, "resume", now=now, actor_id=actor.id, actor_role=g.role, from_status=before,
                 to_status=after, old_due=old_due.isoformat(), new_due=case.answer_due.isoformat())
    await notify.notify_residents(session, cfg, case, N_("Your petition {code} is being handled again. "
                                                        "The answer is due by {due}."), now=now)
    return case


async def reply(session: AsyncSession, cfg: CasesConfig, case_id: int, actor: Person, grants: list[RoleGrant], *,
                text: str, now: datetime, version: int | None = None) -> Case:
    """An interim public message to the resident; the final answer is ``resolve``."""
    text = _text(text, 2)
    case, g, before, after = await _begin(session, case_id, actor, grants, "reply", version, now)
    set_status(case, after)
    case.acknowledged_at = case.acknowledged_at or now
    await record(session, case, "reply", now=now, actor_id=actor.id, actor_role=g.role, from_status=before,
                 to_status=after, text=text)
    await notify.notify_residents(session, cfg, case, N_("Message about your petition {code}: {text}"),
                                  now=now, text=text)
    return case


async def resolve(session: AsyncSession, cfg: CasesConfig, case_id: int, actor: Person, grants: list[RoleGrant], *,
                  text: str, now: datetime, outcome: str = "resolved", version: int | None = None) -> Case:
    """The final answer: status ``answered``; the resident may rate it and reopen once."""
    text = _text(text, 2)
    if outcome not in OUTCOMES:
        raise InvalidInput()
    case, g, before, after = await _begin(session, case_id, actor, grants, "resolve", version, now)
    case.paused_at = None
    set_status(case, after)
    case.acknowledged_at = case.acknowledged_at or now
    case.answered_at = now
    case.answer_text = text
    case.outcome = outcome
    await record(session, case, "resolve", now=now, actor_id=actor.id, actor_role=g.role, from_status=before,
                 to_status=after, text=text, outcome=outcome, on_time=now <= case.answer_due)
    await notify.notify_residents(session, cfg, case, N_("Your petition {code} has been answered:\n{text}\n\n"
                                                        "You can rate the answer from 1 to 5 stars."),
                                  now=now, text=text)
    return case


async def transfer(session: AsyncSession, cfg: CasesConfig, case_id: int, actor: Person, grants: list[RoleGrant], *,
                   to_unit_id: int, reason: str, now: datetime, version: int | None = None) -> Case:
    """Send the case to another unit. The denouncer's identity stays with the unit that received it."""
    reason = _text(reason, 5)
    target = await session.get(Unit, to_unit_id)
    if target is None or target.kind not in COMMUNE_LEVEL or target.valid_to is not None:
        raise InvalidInput(N_("Please choose a current ward or commune."))
    case, g, before, after = await _begin(session, case_id, actor, grants, "transfer", version, now)
    if to_unit_id == case.unit_id:
        raise InvalidInput(N_("The petition is already with this unit."))
    from_unit = case.unit_id
    resume_clock(cfg, case, now)
    set_status(case, after)
    case.unit_id = to_unit_id
    case.assignee_id = None
    case.escalated = False
    case.acknowledged_at = None
    case.ack_due, case.answer_due = due_dates(cfg.routes[case.route].deadline, cfg.calendar, now)
    stripped = (await session.get(CaseIdentity, case.id)) is not None and cfg.routes[case.route].confidential_identity
    await record(session, case, "transfer", now=now, actor_id=actor.id, actor_role=g.role, from_status=before,
                 to_status=after, text=reason, from_unit=from_unit, to_unit=to_unit_id, identity_stripped=stripped,
                 audit_data={"from_unit": from_unit, "to_unit": to_unit_id, "reason": reason})
    await notify.notify_residents(session, cfg, case, N_("Your petition {code} has been transferred to {unit}, "
                                                        "which is responsible for it. Reason: {reason}\n"
                                                        "The answer is due by {due}."),
                                  now=now, unit=target.name, reason=reason)
    await notify.notify_new_case(session, cfg, case, now=now,
                                 msgid=N_("Petition {code} transferred to {unit}: {route}, {category}. "
                                          "Answer due {due}."))
    return case


async def reject(session: AsyncSession, cfg: CasesConfig, case_id: int, actor: Person, grants: list[RoleGrant], *,
                 reason: str, now: datetime, version: int | None = None) -> Case:
    """Decline as out of scope, with a reason the resident sees."""
    reason = _text(reason, 5)
    case, g, before, after = await _begin(session, case_id, actor, grants, "reject", version, now)
    case.paused_at = None
    set_status(case, after)
    case.closed_at = now
    await record(session, case, "reject", now=now, actor_id=actor.id, actor_role=g.role, from_status=before,
                 to_status=after, text=reason)
    await notify.notify_residents(session, cfg, case, N_("Your petition {code} was declined. Reason: {reason}"),
                                  now=now, reason=reason)
    return case


async def assign(session: AsyncSession, cfg: CasesConfig, case_id: int, actor: Person, grants: list[RoleGrant], *,
                 assignee_id: int, now: datetime, version: int | None = None) -> Case:
    """Give the case to a colleague who can act on it (staff of the responsible unit)."""
    case = await load(session, case_id)
    await require(session, grants, case.unit_id, STAFF_ROLES, case.category)
    colleague = await covering_grants(session, await active_roles(session, assignee_id), case.unit_id,
                                      STAFF_ROLES, case.category)
    if not colleague:
        raise InvalidInput(N_("This person cannot handle petitions of this unit."))
    case, g, before, after = await _begin(session, case_id, actor, grants, "assign", version, now)
    old = case.assignee_id
    case.assignee_id = assignee_id
    await record(session, case, "assign", now=now, actor_id=actor.id, actor_role=g.role, from_status=before,
                 to_status=after, public=False, old_assignee=old, assignee=assignee_id)
    await notify.notify_staff(session, cfg, case, assignee_id,
                              N_("Petition {code} has been assigned to you: {route}, {category}. Answer due {due}."))
    return case


async def extend(session: AsyncSession, cfg: CasesConfig, case_id: int, actor: Person, grants: list[RoleGrant], *,
                 reason: str, now: datetime, version: int | None = None) -> Case:
    """Extend the answer period once more for a complex case, as far as the route allows."""
    reason = _text(reason, 5)
    rule = cfg.routes[(await load(session, case_id)).route].deadline
    case, g, before, after = await _begin(session, case_id, actor, grants, "extend", version, now)
    if case.extensions >= rule.max_extensions:
        raise InvalidInput(N_("The deadline of this petition cannot be extended any more."))
    old_due = case.answer_due
    case.extensions += 1
    case.answer_due = cfg.calendar.add_days(case.answer_due, rule.extension_days, rule.answer_unit)
    await record(session, case, "extend", now=now, actor_id=actor.id, actor_role=g.role, from_status=before,
                 to_status=after, text=reason, old_due=old_due.isoformat(), new_due=case.answer_due.isoformat())
    await notify.notify_residents(session, cfg, case, N_("The deadline for your petition {code} has been extended "
                                                        "to {due}. Reason: {reason}"), now=now, reason=reason)
    return case


async def add_note(session: AsyncSession, cfg: CasesConfig, case_id: int, actor: Person, grants: list[RoleGrant], *,
                   text: str, now: datetime, version: int | None = None) -> Case:
    """An internal note, visible to staff only; it does not change the case."""
    text = _text(text, 2)
    case = await load(session, case_id)
    g = await require(session, grants, case.unit_id, STAFF_ROLES, case.category)
    await record(session, case, "note", now=now, actor_id=actor.id, actor_role=g.role, from_status=case.status,
                 to_status=case.status, public=False, text=text)
    return case


async def reveal_identity(session: AsyncSession, cfg: CasesConfig, case_id: int, actor: Person,
                          grants: list[RoleGrant], *, reason: str, now: datetime) -> IdentityView:
    """Show a confidential identity to a unit head of the unit holding it, with a reason; always audited."""
    case = await load(session, case_id)
    ident = await session.get(CaseIdentity, case_id)
    if ident is None:
        raise InvalidInput(N_("This petition has no identity on file."))
    holder = ident.holder_unit_id
    heads = [g for g in await covering_grants(session, grants, holder, ("unit_head",)) if g.unit_id == holder]
    if not heads or (ident.confidential and holder is None):
        raise PermissionDenied()
    reason = _text(reason, 10)
    await record(session, case, "reveal", now=now, actor_id=actor.id, actor_role="unit_head",
                 from_status=case.status, to_status=case.status, public=False, text=reason,
                 audit_data={"reason": reason, "confidential": ident.confidential})
    await audit.log(session, "case.identity_revealed", "case", case.id, actor_id=actor.id, unit_id=holder,
                    code=case.code, reason=reason)
    return IdentityView(ident.full_name, ident.phone, ident.address, ident.id_number)
