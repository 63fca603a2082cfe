"""What the scheduler runs for petitions: reminders to the officials, escalation when overdue, the
morning digest and the automatic closing of answered petitions.

Every job is idempotent through outbox dedupe keys (``reminder:<case>:<threshold>:<person>``,
``escalation:<case>:district:<person>``, ``digest:<person>:<day>``), so two processes or a restart
never send anything twice.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from sqlalchemy import and_, func, not_
from sqlalchemy import case as when
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import col, select

from bot.core.i18n import N_, gettext, person_locale
from bot.core.messages import Button, Reply
from bot.core.roles import HANDLERS, Role
from handlers.framework.manifest import Job, JobContext
from handlers.petitions import notify  # noqa: F401  (its receivers push what the services announce)
from handlers.petitions.buttons import HasCode, staff_button
from handlers.petitions.labels import format_due
from storage import outbox, petitions
from storage.outbox.models import OutboxMessage
from storage.people.models import Person, RoleGrant
from storage.people.permissions import covering_grants
from storage.petitions.deadlines import progress
from storage.petitions.models import Case
from storage.petitions.queries import staff_recipients
from storage.petitions.rules import CaseAction

THRESHOLDS = (50, 80, 100)
DIGEST_AT = time(7, 30)


def _open_button(loc: str, case: HasCode) -> tuple[tuple[Button, ...], ...]:
    return ((staff_button(loc, N_("Open"), CaseAction.OPEN, case),),)


async def remind(job: JobContext) -> int:
    """Remind the assignee (or the unit's officials) once per petition and threshold."""
    cfg, now, total = petitions.config_for(job.services), job.now, 0
    async with job.services.session_factory() as s:
        open_cases = list(await s.exec(select(Case).where(col(Case.is_open).is_(True), col(Case.paused_at).is_(None))))
    for case in open_cases:
        due: list[tuple[str, str]] = []
        if (
            case.status == "new"
            and case.acknowledged_at is None
            and now >= cfg.calendar.add_days(case.created_at, 1, "working")
        ):
            due.append(
                (
                    "ack",
                    N_(
                        "Reminder: petition {code} has not been acknowledged for a working day. "
                        "Please acknowledge it. Answer due {due}."
                    ),
                )
            )
        done = progress(case.created_at, case.answer_due, now, cfg.calendar) * 100
        hit = [t for t in THRESHOLDS if done >= t]
        if hit:  # only the highest threshold reached: a late start does not send stale ones
            due.append(
                (
                    str(hit[-1]),
                    N_("Reminder: petition {code} is past its answer date ({due}).")
                    if hit[-1] >= 100
                    else N_("Reminder: {pct}% of the time to answer petition {code} has passed. Answer due {due}."),
                )
            )
        for key, msgid in due:
            total += await _remind_one(job, cfg, case, key, msgid)
    return total


async def _remind_one(job: JobContext, cfg: Any, case: Case, key: str, msgid: str) -> int:
    queued = 0
    async with job.services.session_factory() as s:
        try:
            if (
                await s.exec(
                    select(OutboxMessage.id).where(
                        col(OutboxMessage.dedupe_key).startswith(f"reminder:{case.id}:{key}:")
                    )
                )
            ).first():
                return 0
            targets = [case.assignee_id] if case.assignee_id else await staff_recipients(s, case.unit_id, case.category)
            for pid in targets:
                loc = person_locale(await s.get(Person, pid), job.services.default_locale)
                text = gettext(loc, msgid, code=case.code, pct=key, due=format_due(cfg, case.answer_due, loc))
                queued += len(
                    await outbox.enqueue(
                        s,
                        pid,
                        Reply(text, buttons=_open_button(loc, case), locale=loc),
                        kind="reminder",
                        dedupe_key=f"reminder:{case.id}:{key}:{pid}",
                        ref_type="case",
                        ref_id=case.id,
                        priority=3,
                    )
                )
            await s.commit()
        except (IntegrityError, OperationalError):  # the other process queued it first
            await s.rollback()
            return 0
    return queued


async def escalate(job: JobContext) -> int:
    """Overdue: unit heads (once, through ``escalate_overdue`` and ``notify``) and every district admin (once)."""
    cfg, now, total = petitions.config_for(job.services), job.now, 0
    factory = job.services.session_factory
    async with factory() as s:
        try:
            total += await petitions.escalate_overdue(s, cfg, now)
            await s.commit()
        except IntegrityError:
            await s.rollback()
    async with factory() as s:
        late = await petitions.overdue(s, now)
        admins = list(
            await s.exec(
                select(RoleGrant.person_id)
                .where(RoleGrant.role == Role.DISTRICT_ADMIN, col(RoleGrant.revoked_at).is_(None))
                .distinct()
            )
        )
    for item in late:
        async with factory() as s:
            try:
                for pid in admins:
                    loc = person_locale(await s.get(Person, pid), job.services.default_locale)
                    text = gettext(
                        loc,
                        N_("Escalation: petition {code} is overdue since {due} and is not answered yet."),
                        code=item.code,
                        due=format_due(cfg, item.answer_due, loc),
                    )
                    total += len(
                        await outbox.enqueue(
                            s,
                            pid,
                            Reply(text, buttons=_open_button(loc, item), locale=loc),
                            kind="escalation",
                            dedupe_key=f"escalation:{item.id}:district:{pid}",
                            ref_type="case",
                            ref_id=item.id,
                            priority=3,
                        )
                    )
                await s.commit()
            except IntegrityError:
                await s.rollback()
    return total


async def auto_close(job: JobContext) -> int:
    async with job.services.session_factory() as s:
        n = await petitions.auto_close(s, petitions.config_for(job.services), job.now)
        await s.commit()
    return n


async def digest(job: JobContext) -> int:
    """One morning message per official: new, due soon, overdue in their scope; nothing if empty.
    Open petitions are counted in the database per (unit, category), so the job's cost does not
    grow with the number of petitions."""
    now = job.now
    day = job.services.local(now).date().isoformat()
    late_expr = and_(col(Case.answer_due) < now, col(Case.paused_at).is_(None))
    soon_expr = and_(col(Case.answer_due) < now + timedelta(days=2), not_(late_expr))
    new_expr = col(Case.created_at) >= now - timedelta(days=1)
    factory = job.services.session_factory
    async with factory() as s:
        grants = list(
            await s.exec(
                select(RoleGrant).where(col(RoleGrant.role).in_(HANDLERS), col(RoleGrant.revoked_at).is_(None))
            )
        )
        conn = await s.connection()  # five aggregate columns: Core, no ORM objects
        groups = list(
            await conn.execute(
                sa_select(
                    col(Case.unit_id),
                    col(Case.category),
                    func.sum(when((new_expr, 1), else_=0)),
                    func.sum(when((soon_expr, 1), else_=0)),
                    func.sum(when((late_expr, 1), else_=0)),
                )
                .where(col(Case.is_open).is_(True))
                .group_by(col(Case.unit_id), col(Case.category))
            )
        )
    by_person: dict[int, list[RoleGrant]] = {}
    for g in grants:
        by_person.setdefault(g.person_id, []).append(g)
    total = 0
    for pid, gs in by_person.items():
        async with factory() as s:
            try:
                total += await _digest_for(job, s, pid, gs, groups, day)
                await s.commit()
            except IntegrityError:  # the other process sent today's digest first
                await s.rollback()
    return total


async def _digest_for(job: JobContext, s: Any, pid: int, grants: list[RoleGrant], groups: list[Any], day: str) -> int:
    new = soon = late = 0
    for unit_id, category, n_new, n_soon, n_late in groups:
        if await covering_grants(s, grants, unit_id, HANDLERS, category):
            new, soon, late = new + int(n_new or 0), soon + int(n_soon or 0), late + int(n_late or 0)
    if not (new or soon or late):
        return 0
    loc = person_locale(await s.get(Person, pid), job.services.default_locale)
    text = gettext(
        loc,
        N_(
            "Good morning. Petitions in your area: {new} new since yesterday, "
            "{soon} due within two days, {late} overdue. Send /queue to open them."
        ),
        new=new,
        soon=soon,
        late=late,
    )
    return len(
        await outbox.enqueue(
            s, pid, Reply(text, locale=loc), kind="digest", dedupe_key=f"digest:{pid}:{day}", priority=6
        )
    )


JOBS = (
    Job("petitions.reminders", remind, every=timedelta(minutes=10), first_after=timedelta(seconds=30)),
    Job("petitions.escalation", escalate, every=timedelta(minutes=15), first_after=timedelta(seconds=45)),
    Job("petitions.digest", digest, daily_at=DIGEST_AT),
    Job("petitions.auto_close", auto_close, every=timedelta(hours=1), first_after=timedelta(minutes=1)),
)
