"""The scheduler (APScheduler 3 ``AsyncIOScheduler``, one for every channel) with the database as
the source of truth: jobs are rebuilt from it at start and every job is idempotent, so two
processes or a restart never send anything twice.

Jobs: due scheduled notices (guarded status change); weekly campaign pushes (one ``CampaignRun``
per campaign and day); petition reminders to the assignee when not acknowledged within one
working day and at 50/80/100 % of the answer period (``reminder:<case>:<threshold>`` keys);
escalation of overdue petitions to unit heads and district admins; a 07:30 digest for each official
(skipped when empty); automatic closing of answered petitions; pruning of old delivery ids.
"""

from __future__ import annotations

import asyncio

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import col, delete, select

from bot.i18n import N_, gettext
from bot.messages import Button, Reply
from storage import campaigns, notices, outbox
from storage.models import OutboxMessage, Person, ProcessedEvent, RoleGrant

log = logging.getLogger(__name__)
THRESHOLDS = (50, 80, 100)
DIGEST_AT = time(7, 30)
STAFF = ("official", "unit_head", "district_admin")


def _locale(person: Person | None, default: str = "vi") -> str:
    return (person.locale if person and person.locale else default) or "vi"


PROCESSED_KEEP = timedelta(days=7)

class Scheduler:
    """``Scheduler(app)``; app has ``session_factory``, ``services``, ``settings``, ``channels``, ``outbox``."""

    def __init__(self, app: Any, *, clock: Callable[[], datetime] | None = None) -> None:
        self.app = app
        self.factory = app.session_factory
        self.services = app.services
        self.tz = self.services.tz
        self.clock = clock or self.services.now
        self.scheduler = AsyncIOScheduler(timezone=self.tz)
        self._in_flight: set[asyncio.Task[Any]] = set()
        self._campaign_jobs: set[str] = set()

    # --- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> None:
        s, now = self.scheduler, datetime.now(self.tz)
        opts: dict[str, Any] = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600,
                                "replace_existing": True}
        s.add_job(self._guard(self.notices_job), IntervalTrigger(seconds=20), id="notices", next_run_time=now, **opts)
        s.add_job(self._guard(self.sync_campaigns), IntervalTrigger(minutes=5), id="campaign-sync", **opts)
        s.add_job(self._guard(self.reminders_job), IntervalTrigger(minutes=10), id="reminders",
                  next_run_time=now + timedelta(seconds=30), **opts)
        s.add_job(self._guard(self.escalation_job), IntervalTrigger(minutes=15), id="escalation",
                  next_run_time=now + timedelta(seconds=45), **opts)
        s.add_job(self._guard(self.digest_job), CronTrigger(hour=DIGEST_AT.hour, minute=DIGEST_AT.minute,
                                                            timezone=self.tz), id="digest", **opts)
        s.add_job(self._guard(self.prune_job), IntervalTrigger(hours=6), id="prune",
                  next_run_time=now + timedelta(minutes=5), **opts)
        s.add_job(self._guard(self.auto_close_job), IntervalTrigger(hours=1), id="auto-close",
                  next_run_time=now + timedelta(minutes=1), **opts)
        s.start()
        await self.sync_campaigns(catch_up=True)
        self.services.extras["scheduler"] = self

    async def stop(self) -> None:
        """Stop scheduling, then let jobs already running finish (they hold database connections)."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        running = [t for t in self._in_flight if not t.done()]
        if running:
            await asyncio.wait(running, timeout=60)

    def _guard(self, fn: Callable[[], Awaitable[int]]) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._in_flight.add(task)
            try:
                n = await fn()
            except Exception:
                log.exception("scheduled job %s failed", fn.__name__)
                return
            finally:
                if task is not None:
                    self._in_flight.discard(task)
            if n:
                self._wake()
        run.__name__ = fn.__name__
        return run

    def _wake(self) -> None:
        sender = getattr(self.app, "outbox", None)
        if sender is not None:
            sender.wake()

    # --- notices and campaigns -----------------------------------------------------------------
    async def notices_job(self) -> int:
        now, total = self.clock(), 0
        async with self.factory() as s:
            ids = await notices.due(s, now)
        for nid in ids:
            async with self.factory() as s:
                total += await notices.dispatch(s, nid, now=now, default_locale=self.services.default_locale)
                await s.commit()
        return total

    async def sync_campaigns(self, catch_up: bool = False) -> int:
        """(Re)build one weekly job per active campaign; at start, run today's push if it was missed."""
        async with self.factory() as s:
            active = await campaigns.active(s)
        wanted = set()
        local_now = self.services.local(self.clock())
        ran = 0
        for c in active:
            job_id = f"campaign:{c.id}"
            wanted.add(job_id)
            hh, mm = (int(x) for x in c.at_time.split(":"))
            self.scheduler.add_job(self._guard(self._campaign_runner(c.id)),  # type: ignore[arg-type]
                                   CronTrigger(day_of_week=campaigns.WEEKDAYS[c.weekday], hour=hh, minute=mm,
                                               timezone=self.tz),
                                   id=job_id, replace_existing=True, coalesce=True, max_instances=1,
                                   misfire_grace_time=6 * 3600)
            if catch_up and local_now.weekday() == c.weekday and local_now.time() >= time(hh, mm):
                ran += await self.campaign_job(c.id)
        for stale in self._campaign_jobs - wanted:
            try:
                self.scheduler.remove_job(stale)
            except Exception:
                pass
        self._campaign_jobs = wanted
        if ran:
            self._wake()
        return 0

    def _campaign_runner(self, campaign_id: int) -> Callable[[], Awaitable[int]]:
        async def campaign_push() -> int:
            return await self.campaign_job(campaign_id)
        return campaign_push

    async def campaign_job(self, campaign_id: int) -> int:
        now = self.clock()
        async with self.factory() as s:
            try:
                n = await campaigns.run(s, campaign_id, self.services.local(now).date(),
                                        default_locale=self.services.default_locale, now=now)
                await s.commit()
            except IntegrityError:  # another process pushed the same day at the same moment
                await s.rollback()
                return 0
        return n

    # --- petitions -----------------------------------------------------------------------------
    def _cfg(self) -> Any:
        from storage.cases import config_for

        return config_for(self.services)

    async def reminders_job(self) -> int:
        """Remind the assignee (or the unit's officials) once per petition and threshold."""
        from storage.cases.notify import staff_recipients
        from storage.deadlines import progress
        from storage.models.cases import Case

        cfg, now, total = self._cfg(), self.clock(), 0
        async with self.factory() as s:
            open_cases = list(await s.exec(select(Case).where(col(Case.is_open).is_(True),
                                                              col(Case.paused_at).is_(None))))
        for case in open_cases:
            due: list[tuple[str, str]] = []
            if case.status == "new" and case.acknowledged_at is None \
                    and now >= cfg.calendar.add_days(case.created_at, 1, "working"):
                due.append(("ack", N_("Reminder: petition {code} has not been acknowledged for a working day. "
                                      "Please acknowledge it. Answer due {due}.")))
            done = progress(case.created_at, case.answer_due, now, cfg.calendar) * 100
            hit = [t for t in THRESHOLDS if done >= t]
            if hit:  # only the highest threshold reached: a late start does not send stale ones
                due.append((str(hit[-1]), N_("Reminder: petition {code} is past its answer date ({due}).")
                            if hit[-1] >= 100 else
                            N_("Reminder: {pct}% of the time to answer petition {code} has passed. Answer due {due}.")))
            for key, msgid in due:
                total += await self._remind(cfg, case, key, msgid, staff_recipients)
        return total

    async def _remind(self, cfg: Any, case: Any, key: str, msgid: str, staff_recipients: Any) -> int:
        queued = 0
        async with self.factory() as s:
            try:
                if (await s.exec(select(OutboxMessage.id).where(
                        col(OutboxMessage.dedupe_key).startswith(f"reminder:{case.id}:{key}:")))).first():
                    return 0
                targets = [case.assignee_id] if case.assignee_id else await staff_recipients(s, case.unit_id,
                                                                                            case.category)
                for pid in targets:
                    loc = _locale(await s.get(Person, pid), self.services.default_locale)
                    text = gettext(loc, msgid, code=case.code, pct=key, due=self._due(cfg, case.answer_due, loc))
                    queued += len(await outbox.enqueue(
                        s, pid, Reply(text, buttons=((Button(gettext(loc, N_("Open")), f"c:open:{case.id}"),),)),
                        kind="reminder", dedupe_key=f"reminder:{case.id}:{key}:{pid}", ref_type="case",
                        ref_id=case.id, priority=3))
                await s.commit()
            except (IntegrityError, OperationalError):  # the other process queued it first
                await s.rollback()
                return 0
        return queued

    def _due(self, cfg: Any, dt: datetime | None, loc: str) -> str:
        from storage.cases.notify import format_due

        return format_due(cfg, dt, loc)

    async def escalation_job(self) -> int:
        """Overdue: unit heads (once, by the petitions layer) and every district admin (once)."""
        from storage import cases

        cfg, now, total = self._cfg(), self.clock(), 0
        async with self.factory() as s:
            try:
                total += await cases.notify_overdue(s, cfg, now)
                await s.commit()
            except IntegrityError:
                await s.rollback()
        async with self.factory() as s:
            late = await cases.overdue(s, now)
            admins = list(await s.exec(select(RoleGrant.person_id).where(
                RoleGrant.role == "district_admin", col(RoleGrant.revoked_at).is_(None)).distinct()))
        for case in late:
            async with self.factory() as s:
                try:
                    total += await self._escalate(s, cfg, case, admins)
                    await s.commit()
                except IntegrityError:
                    await s.rollback()
        return total

    async def _escalate(self, s: Any, cfg: Any, case: Any, admins: list[int]) -> int:
        total = 0
        for pid in admins:
            loc = _locale(await s.get(Person, pid), self.services.default_locale)
            text = gettext(loc, N_("Escalation: petition {code} is overdue since {due} and is not answered yet."),
                           code=case.code, due=self._due(cfg, case.answer_due, loc))
            total += len(await outbox.enqueue(
                s, pid, Reply(text, buttons=((Button(gettext(loc, N_("Open")), f"c:open:{case.id}"),),)),
                kind="escalation", dedupe_key=f"escalation:{case.id}:district:{pid}", ref_type="case",
                ref_id=case.id, priority=3))
        return total

    async def prune_job(self) -> int:
        """Forget delivery ids older than a week: platforms redeliver for a day at most (Telegram: 24 h)."""
        async with self.factory() as s:
            await s.exec(delete(ProcessedEvent).where(col(ProcessedEvent.at) < self.clock() - PROCESSED_KEEP))  # type: ignore[call-overload]
            await s.commit()
        return 0

    async def auto_close_job(self) -> int:
        from storage import cases

        async with self.factory() as s:
            n = await cases.auto_close(s, self._cfg(), self.clock())
            await s.commit()
        return n

    async def digest_job(self) -> int:
        """One morning message per official: new, due soon, overdue in their scope; nothing if empty.
        Open petitions are counted in the database per (unit, category), so the job's cost does not
        grow with the number of petitions."""
        from sqlalchemy import and_, case, func, not_

        from storage.models.cases import Case

        now = self.clock()
        day = self.services.local(now).date().isoformat()
        late_expr = and_(col(Case.answer_due) < now, col(Case.paused_at).is_(None))
        soon_expr = and_(col(Case.answer_due) < now + timedelta(days=2), not_(late_expr))
        new_expr = col(Case.created_at) >= now - timedelta(days=1)
        async with self.factory() as s:
            grants = list(await s.exec(select(RoleGrant).where(col(RoleGrant.role).in_(STAFF),
                                                               col(RoleGrant.revoked_at).is_(None))))
            groups = list(await s.exec(
                select(Case.unit_id, Case.category,
                       func.sum(case((new_expr, 1), else_=0)), func.sum(case((soon_expr, 1), else_=0)),
                       func.sum(case((late_expr, 1), else_=0)))
                .where(col(Case.is_open).is_(True)).group_by(Case.unit_id, Case.category)))
        by_person: dict[int, list[RoleGrant]] = {}
        for g in grants:
            by_person.setdefault(g.person_id, []).append(g)
        total = 0
        for pid, gs in by_person.items():
            async with self.factory() as s:
                try:
                    total += await self._digest_for(s, pid, gs, groups, day)
                    await s.commit()
                except IntegrityError:  # the other process sent today's digest first
                    await s.rollback()
        return total

    async def _digest_for(self, s: Any, pid: int, grants: list[RoleGrant], groups: list[Any], day: str) -> int:
        from storage.permissions import covering_grants

        new = soon = late = 0
        for unit_id, category, n_new, n_soon, n_late in groups:
            if await covering_grants(s, grants, unit_id, STAFF, category):
                new, soon, late = new + int(n_new or 0), soon + int(n_soon or 0), late + int(n_late or 0)
        if not (new or soon or late):
            return 0
        loc = _locale(await s.get(Person, pid), self.services.default_locale)
        text = gettext(loc, N_("Good morning. Petitions in your area: {new} new since yesterday, "
                               "{soon} due within two days, {late} overdue. Send /queue to open them."),
                       new=new, soon=soon, late=late)
        return len(await outbox.enqueue(s, pid, Reply(text), kind="digest", dedupe_key=f"digest:{pid}:{day}",
                                        priority=6))
