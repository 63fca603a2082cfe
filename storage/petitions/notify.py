"""Pushes about petitions through the outbox, each in its recipient's language.

Residents (author on the channel they used, followers on theirs) get public facts only: code,
status, public text. Staff of the responsible unit get new cases with action buttons
(``c:open:<id>``, ``c:ack:<id>``); unit heads get escalations. A staff group chat configured in
``cases.yaml`` gets new cases too.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n.catalog import N_, SUPPORTED, gettext
from bot.core.i18n.choice import choose_locale
from bot.core.messages import Button, Reply
from storage import outbox
from storage.petitions.config import CasesConfig
from storage.petitions.rules import BUTTON_PREFIX, route_label, status_label
from storage.outbox.models import OutboxMessage
from storage.people.models import Person, RoleGrant
from storage.units.models import Unit
from storage.petitions.models import Case, CaseFollower

__all__ = ["format_due", "locale_of", "notify_escalation", "notify_new_case", "notify_residents", "notify_staff",
           "staff_recipients"]

_EXCERPT = 300


def locale_of(person: Person | None, default: str = "vi") -> str:
    if person is None:
        return default
    return choose_locale(explicit=person.locale, detected=person.detected_locale,
                         platform_code=person.platform_locale, default=default, supported=SUPPORTED)


def format_due(cfg: CasesConfig, dt: datetime | None, locale: str = "vi") -> str:
    if dt is None:
        return ""
    d = dt.astimezone(cfg.calendar.tz).date()
    return d.strftime("%d/%m/%Y") if locale == "vi" else d.isoformat()


def _button(locale: str, label: str, action: str, case_id: int) -> Button:
    return Button(gettext(locale, label), f"{BUTTON_PREFIX}:{action}:{case_id}")


async def notify_residents(session: AsyncSession, cfg: CasesConfig, case: Case, msgid: str, *,
                           now: datetime, include_author: bool = True, exclude: Iterable[int] = (),
                           **params: object) -> int:
    """Tell the author (on ``case.channel``) and followers that something public happened.

    ``msgid`` may use {code}, {status}, {due} and the given ``params``. Returns messages queued."""
    skip = set(exclude)
    targets: list[tuple[int, str | None]] = []
    if include_author and case.author_id is not None and case.author_id not in skip:
        targets.append((case.author_id, case.channel or None))
    followers = await session.exec(select(CaseFollower.person_id).where(CaseFollower.case_id == case.id))
    targets += [(pid, None) for pid in followers if pid not in skip and pid != case.author_id]
    queued = 0
    for pid, channel in targets:
        person = await session.get(Person, pid)
        if person is None or person.erased_at is not None:
            continue
        loc = locale_of(person, case.locale if pid == case.author_id else "vi")
        text = gettext(loc, msgid, code=case.code, status=status_label(case.status, loc),
                       due=format_due(cfg, case.answer_due, loc), **params)
        rows = await outbox.enqueue(session, pid, Reply(text), kind="status", channel=channel,
                                    dedupe_key=f"case:{case.id}:v{case.version}:p{pid}",
                                    ref_type="case", ref_id=case.id, priority=3)
        queued += len(rows)
    return queued


async def staff_recipients(session: AsyncSession, unit_id: int, category: str | None,
                           roles: tuple[str, ...] = ("official", "unit_head")) -> list[int]:
    """People holding ``roles`` in exactly ``unit_id``; officials only when their categories fit."""
    grants = await session.exec(select(RoleGrant).where(RoleGrant.unit_id == unit_id,
                                                        col(RoleGrant.role).in_(roles),
                                                        col(RoleGrant.revoked_at).is_(None)))
    out: list[int] = []
    for g in grants:
        if g.role == "official" and g.categories and category and category not in g.categories:
            continue
        if g.person_id not in out:
            out.append(g.person_id)
    return out


def _staff_text(cfg: CasesConfig, case: Case, loc: str, unit_name: str, msgid: str, **params: object) -> str:
    excerpt = case.description if len(case.description) <= _EXCERPT else case.description[:_EXCERPT] + "…"
    head = gettext(loc, msgid, code=case.code, route=route_label(case.route, loc),
                   category=cfg.category_label(case.category, loc), unit=unit_name,
                   due=format_due(cfg, case.answer_due, loc), **params)
    return f"{head}\n\n{excerpt}"


async def notify_new_case(session: AsyncSession, cfg: CasesConfig, case: Case, *, now: datetime,
                          msgid: str = N_("New petition {code}: {route}, {category}, {unit}. Answer due {due}.")
                          ) -> int:
    """New (or transferred-in) case → officials and unit heads of the responsible unit, and the staff chat."""
    unit = await session.get(Unit, case.unit_id)
    unit_name = unit.name if unit else ""
    queued = 0
    for pid in await staff_recipients(session, case.unit_id, case.category):
        person = await session.get(Person, pid)
        loc = locale_of(person)
        reply = Reply(_staff_text(cfg, case, loc, unit_name, msgid),
                      buttons=((_button(loc, N_("Open"), "open", case.id),  # type: ignore[arg-type]
                                _button(loc, N_("Acknowledge"), "ack", case.id)),))  # type: ignore[arg-type]
        rows = await outbox.enqueue(session, pid, reply, kind="case", ref_type="case", ref_id=case.id,
                                    dedupe_key=f"case:{case.id}:v{case.version}:staff:{pid}", priority=4)
        queued += len(rows)
    if unit is not None and unit.code in cfg.staff_chats:
        channel, chat_id = cfg.staff_chats[unit.code]
        reply = Reply(_staff_text(cfg, case, "vi", unit_name, msgid),
                      buttons=((_button("vi", N_("Open"), "open", case.id),  # type: ignore[arg-type]
                                _button("vi", N_("Acknowledge"), "ack", case.id)),))  # type: ignore[arg-type]
        session.add(OutboxMessage(channel=channel, recipient=chat_id, person_id=None, kind="case",
                                  payload=reply.to_dict(), priority=4, not_before=now, ref_type="case",
                                  ref_id=case.id, dedupe_key=f"case:{case.id}:v{case.version}:chat#0"))
        queued += 1
    return queued


async def notify_escalation(session: AsyncSession, cfg: CasesConfig, case: Case, msgid: str, *,
                            now: datetime, **params: object) -> int:
    """Tell the unit heads of the responsible unit (reopened, overdue)."""
    unit = await session.get(Unit, case.unit_id)
    unit_name = unit.name if unit else ""
    queued = 0
    for pid in await staff_recipients(session, case.unit_id, None, roles=("unit_head",)):
        person = await session.get(Person, pid)
        loc = locale_of(person)
        reply = Reply(_staff_text(cfg, case, loc, unit_name, msgid, **params),
                      buttons=((_button(loc, N_("Open"), "open", case.id),),))  # type: ignore[arg-type]
        rows = await outbox.enqueue(session, pid, reply, kind="escalation", ref_type="case", ref_id=case.id,
                                    dedupe_key=f"case:{case.id}:v{case.version}:esc:{pid}", priority=3)
        queued += len(rows)
    return queued


async def notify_staff(session: AsyncSession, cfg: CasesConfig, case: Case, person_id: int, msgid: str,
                       **params: object) -> int:
    """One staff member (e.g. a new assignee), with an Open button."""
    unit = await session.get(Unit, case.unit_id)
    loc = locale_of(await session.get(Person, person_id))
    reply = Reply(_staff_text(cfg, case, loc, unit.name if unit else "", msgid, **params),
                  buttons=((_button(loc, N_("Open"), "open", case.id),),))  # type: ignore[arg-type]
    rows = await outbox.enqueue(session, person_id, reply, kind="case", ref_type="case", ref_id=case.id,
                                dedupe_key=f"case:{case.id}:v{case.version}:staff:{person_id}", priority=4)
    return len(rows)
