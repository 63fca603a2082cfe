"""Reading petitions: who may see one, what they may do, the officials' queue, the overdue scan for
the scheduler, who is told about a case, similar open cases and the anonymised public list
(statistics are in ``stats``).

Visibility rule: the author, followers, staff of the responsible unit (or above) and inspectors in
scope see a case; everyone else gets ``NotFound``, the same answer as for a code that does not exist.
A follower sees only what the public list shows: the status, the public answer and, when its author
agreed to publication, the anonymised text — never the files, the location or the history's texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound, PermissionDenied
from bot.core.i18n.catalog import N_, gettext
from bot.core.roles import CASE_READERS, Role
from bot.core.textfold import fold
from storage.people.models import Person, RoleGrant
from storage.petitions import permissions
from storage.petitions.codes import parse_code
from storage.petitions.config import CasesConfig
from storage.petitions.deadlines import progress
from storage.petitions.models import Case, CaseAttachment, CaseEvent, CaseFollower, CaseIdentity
from storage.petitions.rules import PUBLISHABLE_ROUTES, REVEALED_MASK, STAFF_ACTIONS, CaseAction, allowed_from
from storage.units.models import Unit

__all__ = [
    "CaseAccess",
    "CaseView",
    "OverdueCase",
    "PublicCase",
    "QueuePage",
    "allowed_actions",
    "attachments_of",
    "case_view",
    "history",
    "mine",
    "overdue",
    "public_cases",
    "queue",
    "recent_own_case",
    "scrub",
    "similar_open_cases",
    "staff_recipients",
    "submitted_case",
    "visible_case",
]

A = CaseAction


@dataclass
class CaseAccess:
    case: Case
    role: str  # author, follower, handler, inspector

    @property
    def staff(self) -> bool:
        return self.role in ("handler", "inspector")


async def visible_case(
    session: AsyncSession, code_or_id: str | int, person: Person, grants: Iterable[RoleGrant], *, prefix: str = "KB"
) -> CaseAccess:
    """The case if ``person`` may see it; ``NotFound`` otherwise (``MalformedCode`` for a bad code)."""
    if isinstance(code_or_id, int):
        case = await session.get(Case, code_or_id)
    else:
        code = parse_code(code_or_id, prefix)
        case = (await session.exec(select(Case).where(Case.code == code))).first()
    if case is None:
        raise NotFound()
    role = await permissions.viewer_role(session, case, person, grants)
    if role is None:
        raise NotFound()
    return CaseAccess(case, role)


async def allowed_actions(
    session: AsyncSession, cfg: CasesConfig, access: CaseAccess, grants: Iterable[RoleGrant], *, now: datetime
) -> list[CaseAction]:
    """The actions this viewer may take now (``access.role`` already says whether they handle it)."""
    case = access.case
    out: list[CaseAction] = []
    if access.role == "handler":
        for action in STAFF_ACTIONS:
            if allowed_from(action, case.status):
                if action is A.EXTEND and case.extensions >= cfg.routes[case.route].deadline.max_extensions:
                    continue
                out.append(action)
        ident = await session.get(CaseIdentity, case.id)
        if ident is not None and ident.confidential and await permissions.can_reveal_identity(session, grants, ident):
            out.append(A.REVEAL)
    elif access.role == "author":
        if allowed_from(A.ADD_INFO, case.status):
            out += [A.ADD_INFO, A.WITHDRAW]
        if allowed_from(A.RATE, case.status):
            if case.rating is None:
                out.append(A.RATE)
            w = cfg.windows
            if (
                case.reopen_count == 0
                and case.answered_at is not None
                and now <= cfg.calendar.add_days(case.answered_at, w.reopen_window_days, w.unit)
            ):
                out.append(A.REOPEN)
    elif access.role == "follower":
        out.append(A.UNFOLLOW)
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
    actions: list[CaseAction]
    templates: list[str] = field(default_factory=list)
    description: str | None = None
    """The text this viewer may read; None for a follower of a petition its author did not publish."""
    answer: str | None = None
    """The final answer as this viewer may read it (anonymised for a follower)."""
    public_only: bool = False
    """A follower: no files, no location, no rating, history without its texts."""


async def case_view(
    session: AsyncSession,
    cfg: CasesConfig,
    access: CaseAccess,
    grants: Iterable[RoleGrant],
    *,
    now: datetime,
    locale: str,
) -> CaseView:
    case = access.case
    grants = list(grants)
    ident = await session.get(CaseIdentity, case.id)
    identity = None
    if access.role == "author":
        author = gettext(locale, N_("you"))
    elif access.role == "follower" or (case.author_id is None and ident is None):
        author = gettext(locale, N_("a resident"))
    elif case.anonymous:
        author = gettext(locale, N_("anonymous"))
    elif ident is not None and ident.confidential:
        author = REVEALED_MASK if ident.holder_unit_id == case.unit_id else gettext(locale, N_("[removed on transfer]"))
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
    public_only = access.role == "follower"
    if public_only:
        description = scrub(case.description) if case.publish_consent else None
        answer = scrub(case.answer_text) or None
    else:
        description, answer = case.description, case.answer_text
    return CaseView(
        case=case,
        role=access.role,
        author_label=author or gettext(locale, N_("a resident")),
        identity=identity,
        unit_name=unit.name if unit else "",
        village_name=village.name if village else None,
        progress=progress(case.created_at, case.answer_due, now, cfg.calendar),
        overdue=case.is_open and case.paused_at is None and now > case.answer_due,
        attachments=[] if public_only else await attachments_of(session, case.id, staff=staff),  # type: ignore[arg-type]
        events=await history(session, case.id, staff=staff),  # type: ignore[arg-type]
        actions=await allowed_actions(session, cfg, access, grants, now=now),
        templates=cfg.reply_templates(case.category, locale) if access.role == "handler" else [],
        description=description,
        answer=answer,
        public_only=public_only,
    )


async def mine(session: AsyncSession, person_id: int, *, page: int = 0, page_size: int = 10) -> list[Case]:
    """Cases the person filed or follows, newest first."""
    followed = select(CaseFollower.case_id).where(CaseFollower.person_id == person_id)
    q = select(Case).where(or_(col(Case.author_id) == person_id, col(Case.id).in_(followed)))
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
    q = select(Unit.id).where(
        or_(col(Unit.id) == unit_id, col(Unit.parent_id) == unit_id, col(Unit.parent_id).in_(child))
    )
    ids = sorted(i for i in await session.exec(q) if i is not None)
    return [unit_id] + [i for i in ids if i != unit_id]


async def _scope(session: AsyncSession, grants: Iterable[RoleGrant]) -> Any:
    """SQL condition for the cases the grants cover (None: everything; False-y list: nothing)."""
    conds: list[ColumnElement[bool]] = []
    for g in grants:
        if g.revoked_at is not None or g.role not in CASE_READERS:
            continue
        if g.role == Role.DISTRICT_ADMIN:
            return None
        if g.unit_id is None:
            continue
        units = await _units_under(session, g.unit_id)
        cond: ColumnElement[bool] = col(Case.unit_id) == units[0] if len(units) == 1 else col(Case.unit_id).in_(units)
        if g.role == Role.OFFICIAL and g.categories:
            cond = and_(cond, col(Case.category).in_(g.categories))
        conds.append(cond)
    if not conds:
        raise PermissionDenied()
    return conds[0] if len(conds) == 1 else or_(*conds)


async def queue(
    session: AsyncSession,
    grants: Iterable[RoleGrant],
    *,
    status: str | None = None,
    category: str | None = None,
    village_id: int | None = None,
    page: int = 0,
    page_size: int = 10,
    now: datetime | None = None,
) -> QueuePage:
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


_OVERDUE_COLS = (
    col(Case.id),
    col(Case.code),
    col(Case.unit_id),
    col(Case.route),
    col(Case.category),
    col(Case.status),
    col(Case.answer_due),
    col(Case.overdue_notified_at),
)


async def overdue(session: AsyncSession, now: datetime, *, limit: int = 500) -> list[OverdueCase]:
    """Open cases past their answer date (not paused), most overdue first, at most ``limit``."""
    q = (
        sa_select(*_OVERDUE_COLS)
        .where(col(Case.is_open).is_(True), col(Case.answer_due) < now, col(Case.paused_at).is_(None))
        .order_by(col(Case.answer_due))
        .limit(limit)
    )
    conn = await session.connection()  # eight plain columns: Core, no ORM objects
    return [OverdueCase(**row._mapping) for row in await conn.execute(q)]


async def staff_recipients(
    session: AsyncSession, unit_id: int, category: str | None, roles: tuple[str, ...] = (Role.OFFICIAL, Role.UNIT_HEAD)
) -> list[int]:
    """People holding ``roles`` in exactly ``unit_id``; officials only when their categories fit."""
    grants = await session.exec(
        select(RoleGrant).where(
            RoleGrant.unit_id == unit_id, col(RoleGrant.role).in_(roles), col(RoleGrant.revoked_at).is_(None)
        )
    )
    out: list[int] = []
    for g in grants:
        if g.role == Role.OFFICIAL and g.categories and category and category not in g.categories:
            continue
        if g.person_id not in out:
            out.append(g.person_id)
    return out


async def similar_open_cases(
    session: AsyncSession,
    cfg: CasesConfig,
    *,
    ward_id: int | None,
    village_id: int | None,
    category: str,
    description: str,
    now: datetime,
    exclude_author_id: int | None = None,
    limit: int = 3,
) -> list[Case]:
    """Open cases a neighbour may follow instead of sending the same one: their authors agreed to
    publication (a follower must not learn more than the public list would show), same village (or
    ward, when no village) and category, from the last days, with similar folded text (rapidfuzz
    token_set_ratio ≥ threshold), best first."""
    since = now - timedelta(days=cfg.similar_days)
    q = select(Case).where(
        Case.category == category,
        col(Case.created_at) >= since,
        col(Case.is_open).is_(True),
        col(Case.route).in_(PUBLISHABLE_ROUTES),
        col(Case.publish_consent).is_(True),
    )
    if village_id is not None:
        q = q.where(Case.village_id == village_id)
    elif ward_id is not None:
        q = q.where(Case.ward_id == ward_id, col(Case.village_id).is_(None))
    else:
        return []
    key = fold(description)
    scored = []
    for c in await session.exec(q.order_by(col(Case.created_at).desc()).limit(500)):
        if exclude_author_id is not None and c.author_id == exclude_author_id:
            continue
        score = fuzz.token_set_ratio(key, c.description_folded)
        if score >= cfg.similar_threshold:
            scored.append((score, c))
    scored.sort(key=lambda sc: -sc[0])
    return [c for _, c in scored[:limit]]


async def recent_own_case(
    session: AsyncSession,
    person_id: int,
    description: str,
    *,
    now: datetime,
    minutes: int = 30,
    threshold: int = 90,
) -> Case | None:
    """The person's own petition of the last ``minutes`` whose text is almost the same as
    ``description`` (rapidfuzz ratio of the folded texts ≥ ``threshold``), the closest one; None
    otherwise. A confirmation that never arrived makes people type the same thing again."""
    q = (
        select(Case)
        .where(Case.author_id == person_id, col(Case.created_at) >= now - timedelta(minutes=minutes))
        .order_by(col(Case.created_at).desc())
        .limit(20)
    )
    key = fold(description)
    scored = [(fuzz.ratio(key, c.description_folded), c) for c in await session.exec(q)]
    best = max(scored, key=lambda sc: sc[0], default=None)
    return best[1] if best is not None and best[0] >= threshold else None


async def submitted_case(session: AsyncSession, person_id: int, idempotency_key: str) -> Case | None:
    """The petition ``person_id`` filed with this draft key (a repeated "Send" finds it), or None."""
    key = f"{person_id}:{idempotency_key}"[:120]
    return (await session.exec(select(Case).where(Case.idempotency_key == key))).first()


# --- public list ---------------------------------------------------------------------------------

_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_UPPER = "A-ZÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_NAME = re.compile(
    r"\b(ông|bà|anh|chị|cô|chú|bác|em|cháu|cụ|Ông|Bà|Anh|Chị|Cô|Chú|Bác|Em|Cháu|Cụ)"
    r"((?:\s+[" + _UPPER + r"][\w]*){1,4})"
)
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


async def public_cases(session: AsyncSession, ward_id: int, *, page: int = 0, page_size: int = 10) -> list[PublicCase]:
    """Answered cases of the ward whose authors agreed to publish, newest answer first, anonymised."""
    q = (
        select(Case)
        .where(
            Case.ward_id == ward_id,
            col(Case.publish_consent).is_(True),
            col(Case.status).in_(("answered", "closed")),
            col(Case.route).in_(PUBLISHABLE_ROUTES),
        )
        .order_by(col(Case.answered_at).desc(), col(Case.id).desc())
        .offset(page * page_size)
        .limit(page_size)
    )
    return [
        PublicCase(
            c.route, c.category, c.created_at, c.answered_at, scrub(c.description), scrub(c.answer_text), c.outcome
        )
        for c in await session.exec(q)
    ]
