"""The only place that builds petition pushes. Receivers connected at import to the storage signals
(``storage.petitions.signals``) queue them in the outbox inside the change's transaction.

Residents (the author on the channel they used, followers on theirs) get public facts only: code,
status, public text. A follower is told only what the public list would show: the status and the
anonymised answer, never the author's words or the office's messages to the author. The final answer
reaches its author with the rating buttons (1–5) and, while it may be reopened, "Not satisfied —
reopen": resident buttons are global, so they work from that message on every channel. Staff of
the responsible unit get new cases with Open and Acknowledge buttons; unit heads get escalations; a
staff group chat configured in ``cases.yaml`` gets new cases too. Every push is in its recipient's
language (``person_locale``) and says so (``Reply.locale``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import N_, gettext, person_locale
from bot.core.messages import Button, Reply
from bot.core.roles import Role
from handlers.petitions.buttons import resident_data, staff_button, stars_data
from handlers.petitions.labels import REOPEN_LABEL, format_due, route_label, status_label
from storage import outbox
from storage.outbox.models import OutboxMessage
from storage.people.models import Person
from storage.petitions.config import CasesConfig
from storage.petitions.models import Case, CaseFollower
from storage.petitions.queries import CaseAccess, allowed_actions, scrub, staff_recipients
from storage.petitions.rules import CaseAction
from storage.petitions.signals import CaseChanged, CaseUpdate, case_changed, case_created, case_overdue
from storage.units.models import Unit

__all__ = [
    "notify_escalation",
    "notify_new_case",
    "notify_residents",
    "notify_staff",
    "on_case_changed",
    "on_case_created",
    "on_case_overdue",
]

A = CaseAction
_EXCERPT = 300
STAFF_DEFAULT = "vi"  # staff without a language of their own read Vietnamese

NEW_CASE = N_("New petition {code}: {route}, {category}, {unit}. Answer due {due}.")

# What the author and followers are told after each action (placeholders: code, status, due, params).
RESIDENT_MESSAGES: dict[CaseAction, str] = {
    A.ACKNOWLEDGE: N_("Your petition {code} has been acknowledged. The answer is due by {due}."),
    A.START: N_("Your petition {code} is being handled."),
    A.REQUEST_INFO: N_(
        "The office handling your petition {code} asks for more information: {question}\n"
        "Please open the petition and add the information."
    ),
    A.RESUME: N_("Your petition {code} is being handled again. The answer is due by {due}."),
    A.REPLY: N_("Message about your petition {code}: {text}"),
    A.RESOLVE: N_("Your petition {code} has been answered:\n{text}\n\nYou can rate the answer from 1 to 5 stars."),
    A.TRANSFER: N_(
        "Your petition {code} has been transferred to {unit}, which is responsible for it. "
        "Reason: {reason}\nThe answer is due by {due}."
    ),
    A.REJECT: N_("Your petition {code} was declined. Reason: {reason}"),
    A.EXTEND: N_("The deadline for your petition {code} has been extended to {due}. Reason: {reason}"),
    A.REOPEN: N_(
        "Your petition {code} has been reopened and passed to the head of the unit. The new answer is due by {due}."
    ),
    A.CLOSE: N_("Your petition {code} is now closed."),
}
WITHDRAWN = N_("Petition {code} was withdrawn by its author.")

# What followers are told (public facts only: no reasons, questions or messages meant for the author).
FOLLOWER_MESSAGES: dict[CaseAction, str] = {
    A.ACKNOWLEDGE: N_("The petition {code} you follow has been acknowledged. The answer is due by {due}."),
    A.START: N_("The petition {code} you follow is being handled."),
    A.RESOLVE: N_("The petition {code} you follow has been answered:\n{text}"),
    A.TRANSFER: N_("The petition {code} you follow has been transferred to {unit}. The answer is due by {due}."),
    A.REJECT: N_("The petition {code} you follow was declined."),
    A.EXTEND: N_("The deadline for the petition {code} you follow has been extended to {due}."),
    A.REOPEN: N_("The petition {code} you follow has been reopened. The new answer is due by {due}."),
    A.CLOSE: N_("The petition {code} you follow is now closed."),
}


def _locale(person: Person | None, default: str = STAFF_DEFAULT) -> str:
    return person_locale(person, default)


def _answer_buttons(loc: str, case: Case, allowed: list[CaseAction]) -> tuple[tuple[Button, ...], ...]:
    """Rate 1–5 and, while allowed, reopen: under the pushed answer itself."""
    rows: list[tuple[Button, ...]] = []
    if A.RATE in allowed:
        rows.append(tuple(Button(f"{n}★", stars_data(n, case.code)) for n in range(1, 6)))
    if A.REOPEN in allowed:
        rows.append((Button(gettext(loc, REOPEN_LABEL), resident_data(A.REOPEN, case.code)),))
    return tuple(rows)


async def notify_residents(
    session: AsyncSession,
    cfg: CasesConfig,
    case: Case,
    msgid: str | None,
    *,
    include_author: bool = True,
    exclude: Iterable[int] = (),
    follower_msgid: str | None = None,
    now: datetime | None = None,
    **params: object,
) -> int:
    """Tell the author (on ``case.channel``) ``msgid`` and followers ``follower_msgid`` (default: the
    same) that something public happened; followers' ``params`` are anonymised (``scrub``).

    The messages may use {code}, {status}, {due} and the given ``params``. With ``now``, the author's
    message carries the buttons of what they may do with an answer (rate, reopen). Returns messages queued."""
    skip = set(exclude)
    follower_msgid = msgid if follower_msgid is None else follower_msgid
    targets: list[tuple[int, str | None, str | None]] = []
    if include_author and msgid and case.author_id is not None and case.author_id not in skip:
        targets.append((case.author_id, case.channel or None, msgid))
    if follower_msgid:
        followers = await session.exec(select(CaseFollower.person_id).where(CaseFollower.case_id == case.id))
        targets += [(pid, None, follower_msgid) for pid in followers if pid not in skip and pid != case.author_id]
    allowed: list[CaseAction] = []
    if now is not None and case.author_id is not None:
        allowed = await allowed_actions(session, cfg, CaseAccess(case, "author"), [], now=now)
    queued = 0
    for pid, channel, message in targets:
        person = await session.get(Person, pid)
        if person is None or person.erased_at is not None or message is None:
            continue
        author = pid == case.author_id
        loc = _locale(person, case.locale if author else STAFF_DEFAULT)
        shown = params if author else {k: scrub(v) if isinstance(v, str) else v for k, v in params.items()}
        text = gettext(
            loc,
            message,
            code=case.code,
            status=status_label(case.status, loc),
            due=format_due(cfg, case.answer_due, loc),
            **shown,
        )
        rows = await outbox.enqueue(
            session,
            pid,
            Reply(text, locale=loc, buttons=_answer_buttons(loc, case, allowed) if author else ()),
            kind="status",
            channel=channel,
            dedupe_key=f"case:{case.id}:v{case.version}:p{pid}",
            ref_type="case",
            ref_id=case.id,
            priority=3,
        )
        queued += len(rows)
    return queued


def _staff_text(cfg: CasesConfig, case: Case, loc: str, unit_name: str, msgid: str, **params: object) -> str:
    excerpt = case.description if len(case.description) <= _EXCERPT else case.description[:_EXCERPT] + "…"
    head = gettext(
        loc,
        msgid,
        code=case.code,
        route=route_label(case.route, loc),
        category=cfg.category_label(case.category, loc),
        unit=unit_name,
        due=format_due(cfg, case.answer_due, loc),
        **params,
    )
    return f"{head}\n\n{excerpt}"


def _new_case_reply(cfg: CasesConfig, case: Case, loc: str, unit_name: str, msgid: str) -> Reply:
    return Reply(
        _staff_text(cfg, case, loc, unit_name, msgid),
        locale=loc,
        buttons=(
            (
                staff_button(loc, N_("Open"), A.OPEN, case),
                staff_button(loc, N_("Acknowledge"), A.ACKNOWLEDGE, case),
            ),
        ),
    )


async def notify_new_case(
    session: AsyncSession, cfg: CasesConfig, case: Case, *, now: datetime, msgid: str = NEW_CASE
) -> int:
    """New (or transferred-in) case → officials and unit heads of the responsible unit, and the staff chat."""
    unit = await session.get(Unit, case.unit_id)
    unit_name = unit.name if unit else ""
    queued = 0
    for pid in await staff_recipients(session, case.unit_id, case.category):
        loc = _locale(await session.get(Person, pid))
        rows = await outbox.enqueue(
            session,
            pid,
            _new_case_reply(cfg, case, loc, unit_name, msgid),
            kind="case",
            ref_type="case",
            ref_id=case.id,
            dedupe_key=f"case:{case.id}:v{case.version}:staff:{pid}",
            priority=4,
        )
        queued += len(rows)
    if unit is not None and unit.code in cfg.staff_chats:
        channel, chat_id = cfg.staff_chats[unit.code]
        reply = _new_case_reply(cfg, case, STAFF_DEFAULT, unit_name, msgid)
        session.add(
            OutboxMessage(
                channel=channel,
                recipient=chat_id,
                person_id=None,
                kind="case",
                payload=reply.to_dict(),
                priority=4,
                not_before=now,
                ref_type="case",
                ref_id=case.id,
                dedupe_key=f"case:{case.id}:v{case.version}:chat#0",
            )
        )
        queued += 1
    return queued


async def notify_escalation(session: AsyncSession, cfg: CasesConfig, case: Case, msgid: str, **params: object) -> int:
    """Tell the unit heads of the responsible unit (reopened, overdue)."""
    unit = await session.get(Unit, case.unit_id)
    unit_name = unit.name if unit else ""
    queued = 0
    for pid in await staff_recipients(session, case.unit_id, None, roles=(Role.UNIT_HEAD,)):
        loc = _locale(await session.get(Person, pid))
        reply = Reply(
            _staff_text(cfg, case, loc, unit_name, msgid, **params),
            locale=loc,
            buttons=((staff_button(loc, N_("Open"), A.OPEN, case),),),
        )
        rows = await outbox.enqueue(
            session,
            pid,
            reply,
            kind="escalation",
            ref_type="case",
            ref_id=case.id,
            dedupe_key=f"case:{case.id}:v{case.version}:esc:{pid}",
            priority=3,
        )
        queued += len(rows)
    return queued


async def notify_staff(
    session: AsyncSession, cfg: CasesConfig, case: Case, person_id: int, msgid: str, **params: object
) -> int:
    """One staff member (e.g. a new assignee), with an Open button."""
    unit = await session.get(Unit, case.unit_id)
    loc = _locale(await session.get(Person, person_id))
    reply = Reply(
        _staff_text(cfg, case, loc, unit.name if unit else "", msgid, **params),
        locale=loc,
        buttons=((staff_button(loc, N_("Open"), A.OPEN, case),),),
    )
    rows = await outbox.enqueue(
        session,
        person_id,
        reply,
        kind="case",
        ref_type="case",
        ref_id=case.id,
        dedupe_key=f"case:{case.id}:v{case.version}:staff:{person_id}",
        priority=4,
    )
    return len(rows)


@case_created.connect
async def on_case_created(session: AsyncSession, ev: CaseUpdate) -> int:
    return await notify_new_case(session, ev.cfg, ev.case, now=ev.now)


@case_overdue.connect
async def on_case_overdue(session: AsyncSession, ev: CaseUpdate) -> int:
    return await notify_escalation(
        session, ev.cfg, ev.case, N_("Petition {code} is overdue: it was due {due} ({route}, {category}, {unit}).")
    )


@case_changed.connect
async def on_case_changed(session: AsyncSession, ev: CaseChanged) -> int:
    """Who hears about each action: the author and followers (``RESIDENT_MESSAGES``), and the staff concerned."""
    cfg, case, action = ev.cfg, ev.case, ev.action
    queued = 0
    if action in RESIDENT_MESSAGES:
        queued += await notify_residents(
            session,
            cfg,
            case,
            RESIDENT_MESSAGES[action],
            follower_msgid=FOLLOWER_MESSAGES.get(action, ""),
            now=ev.now if action is A.RESOLVE else None,
            **ev.params,
        )
    if action is A.TRANSFER:
        queued += await notify_new_case(
            session,
            cfg,
            case,
            now=ev.now,
            msgid=N_("Petition {code} transferred to {unit}: {route}, {category}. Answer due {due}."),
        )
    elif action is A.REOPEN:
        queued += await notify_escalation(
            session,
            cfg,
            case,
            N_(
                "Petition {code} was reopened by the resident, who is not satisfied with the answer ({route}, "
                "{category}, {unit}). Answer due {due}."
            ),
        )
    elif action is A.ASSIGN and case.assignee_id is not None:
        queued += await notify_staff(
            session,
            cfg,
            case,
            case.assignee_id,
            N_("Petition {code} has been assigned to you: {route}, {category}. Answer due {due}."),
        )
    elif action is A.WITHDRAW:
        queued += await notify_residents(session, cfg, case, WITHDRAWN, include_author=False)
        if case.assignee_id:
            queued += await notify_staff(session, cfg, case, case.assignee_id, WITHDRAWN)
    elif action is A.ADD_INFO:
        recipients = (
            [case.assignee_id] if case.assignee_id else await staff_recipients(session, case.unit_id, case.category)
        )
        for pid in recipients:
            queued += await notify_staff(
                session, cfg, case, pid, N_("The resident added information to petition {code}.")
            )
    return queued
