"""Submitting a petition: validation by route rules, idempotency, rate limit, routing, deadlines, code,
confidential identity, attachments, first event and ``case_created`` — one call, one transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import RateLimited
from bot.core.i18n.catalog import N_
from bot.core.i18n.choice import person_locale
from bot.core.textfold import fold
from storage.people.models import Person
from storage.petitions.codes import new_code
from storage.petitions.config import CasesConfig, responsible_unit
from storage.petitions.deadlines import due_dates
from storage.petitions.errors import DescriptionLength, InvalidInput, RouteRuleViolation, TooManyAttachments
from storage.petitions.events import record
from storage.petitions.files import StoredFile
from storage.petitions.models import Case, CaseAttachment, CaseIdentity
from storage.petitions.rules import (
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    MAX_ATTACHMENTS,
    PUBLISHABLE_ROUTES,
    ROUTES,
    CaseAction,
)
from storage.petitions.signals import CaseUpdate, case_created
from storage.units.models import Unit

__all__ = ["IdentityInput", "NewCase", "SubmitResult", "check_description", "submit"]


@dataclass
class IdentityInput:
    """Who files a khiếu nại or tố cáo (required there; stored apart from the case)."""

    full_name: str
    phone: str | None = None
    address: str | None = None
    id_number: str | None = None


@dataclass
class NewCase:
    route: str
    category: str
    description: str
    ward_id: int | None = None
    village_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    place_text: str | None = None
    anonymous: bool = False
    publish_consent: bool = False
    identity: IdentityInput | None = None
    attachments: list[StoredFile] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["attachments"] = [a.to_dict() for a in self.attachments]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NewCase:
        d = dict(d)
        ident = d.pop("identity", None)
        atts = d.pop("attachments", None) or []
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        return cls(
            **known,
            identity=IdentityInput(**ident) if ident else None,
            attachments=[StoredFile.from_dict(a) for a in atts],
        )


@dataclass
class SubmitResult:
    case: Case
    created: bool


def check_description(text: str) -> str:
    """The trimmed description, or ``DescriptionLength`` with the count (flows call it per message)."""
    t = (text or "").strip()
    if not DESCRIPTION_MIN <= len(t) <= DESCRIPTION_MAX:
        raise DescriptionLength(count=len(t), min=DESCRIPTION_MIN, max=DESCRIPTION_MAX)
    return t


def _check_rules(cfg: CasesConfig, new: NewCase) -> None:
    if new.route not in ROUTES or new.route not in cfg.routes:
        raise InvalidInput()
    if new.category not in cfg.category_ids:
        raise InvalidInput()
    rule = cfg.routes[new.route]
    if new.anonymous and not rule.anonymous_allowed:
        raise RouteRuleViolation(N_("Only a report of a problem (phản ánh) can be sent anonymously."))
    if rule.identity_required:
        ident = new.identity
        if (
            ident is None
            or len((ident.full_name or "").strip()) < 2
            or not ((ident.phone or "").strip() or (ident.address or "").strip())
        ):
            raise RouteRuleViolation(
                N_("A complaint or a denunciation needs your full name and a phone number or address.")
            )
    if len(new.attachments) > MAX_ATTACHMENTS:
        raise TooManyAttachments(max=MAX_ATTACHMENTS)


async def _rate_limit(session: AsyncSession, cfg: CasesConfig, person_id: int, now: datetime) -> None:
    day_ago = now - timedelta(days=1)
    times = list(
        await session.exec(select(Case.created_at).where(Case.author_id == person_id, col(Case.created_at) >= day_ago))
    )
    last_hour = sum(1 for t in times if t >= now - timedelta(hours=1))
    if len(times) >= cfg.rate_per_day or last_hour >= cfg.rate_per_hour:
        raise RateLimited(
            N_(
                "You have sent many petitions in a short time. Please wait a while before sending "
                "another one. Your draft is kept."
            )
        )


async def _unique_code(session: AsyncSession, cfg: CasesConfig, now: datetime) -> str:
    year = now.astimezone(cfg.calendar.tz).year
    for _ in range(20):
        code = new_code(cfg.code_prefix, year)
        if (await session.exec(select(func.count()).select_from(Case).where(Case.code == code))).one() == 0:
            return code
    raise RuntimeError("could not find a free tracking code")


async def submit(
    session: AsyncSession,
    cfg: CasesConfig,
    person: Person,
    new: NewCase,
    *,
    channel: str,
    now: datetime,
    idempotency_key: str | None = None,
    locale: str | None = None,
) -> SubmitResult:
    """File a petition for ``person``. A repeated ``idempotency_key`` returns the first case unchanged."""
    assert person.id is not None
    key = f"{person.id}:{idempotency_key}"[:120] if idempotency_key else None
    if key is not None:
        existing = (await session.exec(select(Case).where(Case.idempotency_key == key))).first()
        if existing is not None:
            return SubmitResult(existing, False)
    description = check_description(new.description)
    _check_rules(cfg, new)
    await _rate_limit(session, cfg, person.id, now)

    ward_id = new.ward_id or person.ward_id
    village_id = new.village_id if new.village_id is not None else (person.village_id if not new.ward_id else None)
    if ward_id is None:
        raise InvalidInput(N_("Please choose your ward first."))
    if await session.get(Unit, ward_id) is None or (
        village_id is not None and await session.get(Unit, village_id) is None
    ):
        raise InvalidInput()
    rule = cfg.routes[new.route]
    unit_id = await responsible_unit(session, cfg, ward_id, new.category)
    ack_due, answer_due = due_dates(rule.deadline, cfg.calendar, now)
    case = Case(
        code=await _unique_code(session, cfg, now),
        route=new.route,
        category=new.category,
        status="new",
        author_id=person.id,
        channel=channel,
        locale=locale or person_locale(person, "vi"),
        anonymous=new.anonymous,
        publish_consent=new.publish_consent and new.route in PUBLISHABLE_ROUTES,
        ward_id=ward_id,
        village_id=village_id,
        unit_id=unit_id,
        description=description,
        description_folded=fold(description),
        latitude=new.latitude,
        longitude=new.longitude,
        place_text=(new.place_text or None),
        created_at=now,
        updated_at=now,
        ack_due=ack_due,
        answer_due=answer_due,
        idempotency_key=key,
    )
    if key is not None:
        # A concurrent double tap in another process: the unique key decides, the loser returns the winner.
        try:
            async with session.begin_nested():
                session.add(case)
                await session.flush()
        except IntegrityError:
            existing = (await session.exec(select(Case).where(Case.idempotency_key == key))).first()
            if existing is None:
                raise
            return SubmitResult(existing, False)
    else:
        session.add(case)
        await session.flush()
    assert case.id is not None
    if new.identity is not None and (rule.identity_required or not new.anonymous):
        ident = new.identity
        session.add(
            CaseIdentity(
                case_id=case.id,
                full_name=ident.full_name.strip(),
                phone=ident.phone,
                address=ident.address,
                id_number=ident.id_number,
                confidential=rule.confidential_identity,
                holder_unit_id=unit_id,
                created_at=now,
            )
        )
    for f in new.attachments:
        session.add(
            CaseAttachment(
                case_id=case.id,
                kind=f.kind,
                storage_key=f.key,
                file_name=f.file_name,
                mime_type=f.mime_type,
                size=f.size,
                sha256=f.sha256,
                added_by=person.id,
                added_at=now,
            )
        )
    await record(
        session,
        case,
        CaseAction.SUBMIT,
        now=now,
        actor_id=person.id,
        actor_role="resident",
        from_status=None,
        to_status="new",
        public=True,
        route=new.route,
        category=new.category,
        attachments=len(new.attachments),
    )
    await session.flush()
    # The author is answered by the flow itself (code and due date); staff are pushed.
    await case_created.send(
        session, CaseUpdate(cfg=cfg, case=case, action=CaseAction.SUBMIT, now=now, actor_id=person.id)
    )
    return SubmitResult(case, True)
