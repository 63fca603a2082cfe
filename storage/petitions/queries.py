"""Reading petitions: who may see one, what they may do, the officials' queue, the overdue scan and
auto-close for the scheduler, the anonymised public list and per-unit statistics.

Visibility rule: the author, followers, staff of the responsible unit (or above) and inspectors in
scope see a case; everyone else gets ``NotFound``, the same answer as for a code that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy import case as sa_case
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound, PermissionDenied
from bot.core.i18n.catalog import N_, gettext
from storage.petitions import notify
from storage.petitions.codes import parse_code
from storage.petitions.config import CasesConfig
from storage.petitions.events import record, set_status
from storage.petitions.rules import REVEALED_MASK, TRANSITIONS
from storage.petitions.deadlines import progress
from storage.people.models import Person, RoleGrant
from storage.units.models import Unit
from storage.petitions.models import Case, CaseAttachment, CaseEvent, CaseFollower, CaseIdentity
from storage.people.permissions import STAFF_ROLES, covering_grants

__all__ = ["CaseAccess", "CaseView", "OverdueCase", "PublicCase", "QueuePage", "UnitStats", "allowed_actions", "attachments_of",
           "auto_close", "case_view", "history", "mine", "notify_overdue", "overdue", "public_cases", "queue",
           "scrub", "stats_by_unit", "visible_case"]

# ACTIONS button name → transition name (official side)
_OFFICIAL = {"ack": "acknowledge", "start": "start", "info": "request_info", "resume": "resume", "reply": "reply",
             "resolve": "resolve", "transfer": "transfer", "reject": "reject", "assign": "assign",
             "extend": "extend", "note": "note"}
_SCOPE_ROLES = STAFF_ROLES + ("inspector",)


@dataclass
class CaseAccess:
    case: Case
    role: str  # author, follower, handler, inspector

    @property
    def staff(self) -> bool:
        return self.role in ("handler", "inspector")


async def visible_case(session: AsyncSession, code_or_id: str | int, person: Person, grants: Iterable[RoleGrant],
                       *, prefix: str = "KB") -> CaseAccess:
    """The case if ``person`` may see it; ``NotFound`` otherwise (``MalformedCode`` for a bad code)."""
    if isinstance(code_or_id, int):
        case = await session.get(Case, code_or_id)
    else:
        code = parse_code(code_or_id, prefix)
        case = (await session.exec(select(Case).where(Case.code == code))).first()
    if case is None:
        raise NotFound()
    grants = list(grants)
    if await covering_grants(session, grants, case.unit_id, STAFF_ROLES, case.category):
        return CaseAccess(case, "handler")
    if person.id is not None and case.author_id == person.id:
        return CaseAccess(case, "author")
    if await covering_grants(session, grants, case.unit_id, ("inspector",)):
        return CaseAccess(case, "inspector")
    if person.id is not None and await session.get(CaseFollower, (case.id, person.id)) is not None:
        return CaseAccess(case, "follower")
    raise NotFound()


async def allowed_actions(session: AsyncSession, cfg: CasesConfig, access: CaseAccess,
                          grants: Iterable[RoleGrant], *, now: datetime) -> list[str]:
    """Button names this person may use now: official ``ACTIONS`` (plus ``resume``) or resident actions."""
    case = access.case
    out: list[str] = []
    if access.role == "handler":
        for name, action in _OFFICIAL.items():
            if case.status in TRANSITIONS[action][0]:
                if name == "extend" and case.extensions >= cfg.routes[case.route].deadline.max_extensions:
                    continue
                out.append(name)
        ident = await session.get(CaseIdentity, case.id)
        if ident is not None and ident.confidential and [
                g for g in await covering_grants(session, grants, ident.holder_unit_id, ("unit_head",))
                if g.unit_id == ident.holder_unit_id]:
            out.append("reveal")
    elif access.role == "author":
        if case.status in TRANSITIONS["add_info"][0]:
            out += ["add_info", "withdraw"]
        if case.status in TRANSITIONS["rate"][0]:
            if case.rating is None:
                out.append("rate")
            w = cfg.windows
            if case.reopen_count == 0 and case.answered_at is not None and \
                    now <= cfg.calendar.add_days(case.answered_at, w.reopen_window_days, w.unit):
                out.append("reopen")
    elif access.role == "follower":
        out.append("unfollow")
    return out


async def history(session: AsyncSession, case_id: int, *, staff: bool) -> list[CaseEvent]:
    """The case's events, oldest first; residents see the public ones."""
    q = select(CaseEvent).where(CaseEvent.case_id == case_id)
    if not staff:
        q = q.where(col(CaseEvent.public).is_(True))
    return list(await session.exec(q.order_by(col(CaseEvent.at), col(CaseEvent.id))))


async def attachments_of(session: AsyncSession, case_id: int, *, staff: bool = True) -> list[CaseAttachment]:
    q = select(CaseAttachment).where(CaseAttachment.case_id == case_id)
    if not staff:
        q = q.where(col(CaseAttachment.public).is_(True))
    return list(await session.exec(q.order_by(col(CaseAttachment.id))))


@dataclass
class CaseView:
    """Everything a flow needs to show one case to this viewer (plain text; channels escape)."""

    case: Case
    role: str
    author_label: str
    identity: dict[str, Any] | None  # non-confidential identity (khiếu nại) for handlers only
    unit_name: str
    village_name: str | None
    progress: float
    overdue: bool
    attachments: list[CaseAttachment]
    events: list[CaseEvent]
    actions: list[str]
    templates: list[str] = field(default_factory=list)


async def case_view(session: AsyncSession, cfg: CasesConfig, access: CaseAccess, grants: Iterable[RoleGrant], *,
                    now: datetime, locale: str) -> CaseView:
    case = access.case
    grants = list(grants)
    ident = await session.get(CaseIdentity, case.id)
    identity = None
    if access.role == "author":
        author = gettext(locale, N_("you"))
    elif access.role == "follower" or case.author_id is None and ident is None:
        author = gettext(locale, N_("a resident"))
    elif case.anonymous:
        author = gettext(locale, N_("anonymous"))
    elif ident is not None and ident.confidential:
        author = REVEALED_MASK if ident.holder_unit_id == case.unit_id else gettext(
            locale, N_("[removed on transfer]"))
    elif ident is not None:
        author = ident.full_name
        if access.staff:
            identity = {"full_name": ident.full_name, "phone": ident.phone, "address": ident.address}
    else:
        p = await session.get(Person, case.author_id) if case.author_id else None
        author = (p.display_name or "") if p else ""
        if access.staff and p is not None and p.phone:
            author = f"{author} ({p.phone})".strip()
    unit = await session.get(Unit, case.unit_id)
    village = await session.get(Unit, case.village_id) if case.village_id else None
    staff = access.staff
    return CaseView(
        case=case, role=access.role, author_label=author or gettext(locale, N_("a resident")), identity=identity,
        unit_name=unit.name if unit else "", village_name=village.name if village else None,
        progress=progress(case.created_at, case.answer_due, now, cfg.calendar),
        overdue=case.is_open and case.paused_at is None and now > case.answer_due,
        attachments=await attachments_of(session, case.id, staff=staff),  # type: ignore[arg-type]
        events=await history(session, case.id, staff=staff),  # type: ignore[arg-type]
        actions=await allowed_actions(session, cfg, access, grants, now=now),
        templates=cfg.reply_templates(case.category, locale) if access.role == "handler" else [],
    )


async def mine(session: AsyncSession, person_id: int, *, page: int = 0, page_size: int = 10) -> list[Case]:
    """Cases the person filed or follows, newest first."""
    followed = select(CaseFollower.case_id).where(CaseFollower.person_id == person_id)
    q = select(Case).where(or_(Case.author_id == person_id, col(Case.id).in_(followed)))
    q = q.order_by(col(Case.created_at).desc(), col(Case.id).desc()).offset(page * page_size).limit(page_size)
    return list(await session.exec(q))


@dataclass
class QueuePage:
    items: list[Case]
    page: int
    has_more: bool


async def _units_under(session: AsyncSession, unit_id: int) -> list[int]:
    """The unit and up to two levels below it (province → ward → village), in one round trip."""
    child = select(Unit.id).where(Unit.parent_id == unit_id)
    q = select(Unit.id).where(or_(Unit.id == unit_id, Unit.parent_id == unit_id, col(Unit.parent_id).in_(child)))
    ids = sorted(i for i in await session.exec(q) if i is not None)
    return [unit_id] + [i for i in ids if i != unit_id]


async def _scope(session: AsyncSession, grants: Iterable[RoleGrant]) -> Any:
    """SQL condition for the cases the grants cover (None: everything; False-y list: nothing)."""
    conds = []
    for g in grants:
        if g.revoked_at is not None or g.role not in _SCOPE_ROLES:
            continue
        if g.role == "district_admin":
            return None
        if g.unit_id is None:
            continue
        units = await _units_under(session, g.unit_id)
        cond = Case.unit_id == units[0] if len(units) == 1 else col(Case.unit_id).in_(units)
        if g.role == "official" and g.categories:
            cond = and_(cond, col(Case.category).in_(g.categories))
        conds.append(cond)
    if not conds:
        raise PermissionDenied()
    return conds[0] if len(conds) == 1 else or_(*conds)


async def queue(session: AsyncSession, grants: Iterable[RoleGrant], *, status: str | None = None,
                category: str | None = None, village_id: int | None = None, page: int = 0, page_size: int = 10,
                now: datetime | None = None) -> QueuePage:
    """Cases in scope, open ones by default, ordered by due date — overdue ones (earliest due) come first."""
    scope = await _scope(session, grants)
    q = select(Case)
    if scope is not None:
        q = q.where(scope)
    q = q.where(Case.status == status) if status else q.where(col(Case.is_open).is_(True))
    if category:
        q = q.where(Case.category == category)
    if village_id is not None:
        q = q.where(Case.village_id == village_id)
    q = q.order_by(col(Case.answer_due), col(Case.id)).offset(page * page_size).limit(page_size + 1)
    rows = list(await session.exec(q))
    return QueuePage(rows[:page_size], page, len(rows) > page_size)


@dataclass(frozen=True)
class OverdueCase:
    """A light row for the scheduler's scan (no ORM object, no description): memory and time stay small."""

    id: int
    code: str
    unit_id: int
    route: str
    category: str
    status: str
    answer_due: datetime
    overdue_notified_at: datetime | None


_OVERDUE_COLS = (Case.id, Case.code, Case.unit_id, Case.route, Case.category, Case.status, Case.answer_due,
                 Case.overdue_notified_at)


async def overdue(session: AsyncSession, now: datetime, *, limit: int = 500) -> list[OverdueCase]:
    """Open cases past their answer date (not paused), most overdue first, at most ``limit``."""
    q = (select(*_OVERDUE_COLS).where(col(Case.is_open).is_(True), col(Case.answer_due) < now,
                                      col(Case.paused_at).is_(None))
         .order_by(col(Case.answer_due)).limit(limit))
    return [OverdueCase(*row) for row in await session.exec(q)]  # type: ignore[call-overload]


async def notify_overdue(session: AsyncSession, cfg: CasesConfig, now: datetime, *, limit: int = 500) -> int:
    """Escalate each overdue case to its unit heads once; returns how many were escalated."""
    q = (select(Case).where(col(Case.is_open).is_(True), col(Case.answer_due) < now, col(Case.paused_at).is_(None),
                            col(Case.overdue_notified_at).is_(None))
         .order_by(col(Case.answer_due)).limit(limit))
    n = 0
    for case in list(await session.exec(q)):
        case.overdue_notified_at = now
        case.escalated = True
        await record(session, case, "overdue", now=now, actor_id=None, actor_role="system",
                     from_status=case.status, to_status=case.status, public=False)
        await notify.notify_escalation(session, cfg, case, N_("Petition {code} is overdue: it was due {due} "
                                                             "({route}, {category}, {unit})."), now=now)
        n += 1
    return n


async def auto_close(session: AsyncSession, cfg: CasesConfig, now: datetime, *, limit: int = 500) -> int:
    """Close answered cases the resident did not reopen within the configured days."""
    w = cfg.windows
    q = (select(Case).where(Case.status == "answered", col(Case.answered_at) < now - timedelta(days=w.auto_close_after_days))
         .order_by(col(Case.answered_at)).limit(limit))
    n = 0
    for case in list(await session.exec(q)):
        assert case.answered_at is not None
        if now <= cfg.calendar.add_days(case.answered_at, w.auto_close_after_days, w.unit):
            continue
        case.version += 1
        case.updated_at = now
        set_status(case, "closed")
        case.closed_at = now
        await record(session, case, "close", now=now, actor_id=None, actor_role="system", from_status="answered",
                     to_status="closed")
        await notify.notify_residents(session, cfg, case, N_("Your petition {code} is now closed."), now=now)
        n += 1
    return n


# --- public list ---------------------------------------------------------------------------------

_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_UPPER = "A-ZÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_NAME = re.compile(r"\b(ông|bà|anh|chị|cô|chú|bác|em|cháu|cụ|Ông|Bà|Anh|Chị|Cô|Chú|Bác|Em|Cháu|Cụ)"
                   r"((?:\s+[" + _UPPER + r"][\w]*){1,4})")
_ID = re.compile(r"(?<!\d)\d{9}(?:\d{3})?(?!\d)")


def scrub(text: str | None) -> str:
    """Remove phone numbers, e-mails, ID numbers and names after a form of address."""
    if not text:
        return ""
    t = _EMAIL.sub("[…]", text)
    t = _PHONE.sub("[…]", t)
    t = _ID.sub("[…]", t)
    return _NAME.sub(lambda m: f"{m.group(1)} […]", t)


@dataclass(frozen=True)
class PublicCase:
    route: str
    category: str
    created_at: datetime
    answered_at: datetime | None
    text: str
    answer: str
    outcome: str | None


async def public_cases(session: AsyncSession, ward_id: int, *, page: int = 0, page_size: int = 10
                       ) -> list[PublicCase]:
    """Answered cases of the ward whose authors agreed to publish, newest answer first, anonymised."""
    q = (select(Case).where(Case.ward_id == ward_id, col(Case.publish_consent).is_(True),
                            col(Case.status).in_(("answered", "closed")),
                            col(Case.route).in_(("gop_y", "kien_nghi", "phan_anh")))
         .order_by(col(Case.answered_at).desc(), col(Case.id).desc()).offset(page * page_size).limit(page_size))
    return [PublicCase(c.route, c.category, c.created_at, c.answered_at, scrub(c.description), scrub(c.answer_text),
                       c.outcome) for c in await session.exec(q)]


# --- statistics ----------------------------------------------------------------------------------

@dataclass
class UnitStats:
    unit_id: int
    received: int = 0
    answered: int = 0
    answered_on_time: int = 0
    overdue: int = 0
    avg_rating: float | None = None
    ratings: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return None if not self.answered else self.answered_on_time / self.answered


async def stats_by_unit(session: AsyncSession, since: datetime, *, now: datetime) -> list[UnitStats]:
    """Per responsible unit: received and answered since ``since``, on time, open overdue now, ratings."""
    out: dict[int, UnitStats] = {}

    def row(uid: int) -> UnitStats:
        return out.setdefault(uid, UnitStats(uid))

    for uid, n in await session.exec(select(Case.unit_id, func.count()).where(col(Case.created_at) >= since)
                                     .group_by(col(Case.unit_id))):
        row(uid).received = n
    on_time = func.sum(sa_case((col(Case.answered_at) <= col(Case.answer_due), 1), else_=0))
    for uid, n, ok in await session.exec(select(Case.unit_id, func.count(), on_time)
                                         .where(col(Case.answered_at) >= since).group_by(col(Case.unit_id))):
        row(uid).answered, row(uid).answered_on_time = n, int(ok or 0)
    for uid, n in await session.exec(select(Case.unit_id, func.count())
                                     .where(col(Case.is_open).is_(True), col(Case.answer_due) < now,
                                            col(Case.paused_at).is_(None)).group_by(col(Case.unit_id))):
        row(uid).overdue = n
    for uid, avg, n in await session.exec(select(Case.unit_id, func.avg(Case.rating), func.count())
                                          .where(col(Case.rated_at) >= since, col(Case.rating).is_not(None))
                                          .group_by(col(Case.unit_id))):
        row(uid).avg_rating, row(uid).ratings = (round(float(avg), 2) if avg is not None else None), n
    return sorted(out.values(), key=lambda s: s.unit_id)

