"""What the scheduler runs for decisions, each idempotent and restart-safe:

- open the decisions whose opening time has come (a guarded status change: opened once);
- the reminders before the close to households that have not voted (``Decision.reminded`` counts
  those sent, and each has its own dedupe prefix, so a restart neither skips nor repeats one; a
  reminder whose moment passed while the bot was down is sent late, but only the latest one);
- the close at its time, even after a restart (``closes_at <= now``, guarded), with the tally;
- the village head's reminders of the report due to the commune (dedupe key per reminder).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col

from handlers.decisions import notify
from handlers.framework.manifest import Job, JobContext
from storage.decisions import closing, queries, services
from storage.decisions.config import decision_config
from storage.decisions.models import Decision


async def open_due(job: JobContext) -> int:
    factory, total = job.services.session_factory, 0
    async with factory() as s:
        ids = await queries.due_to_open(s, job.now)
    for did in ids:
        async with factory() as s:
            if await services.open_decision(s, did, now=job.now):
                total += 1
            await s.commit()
    return total


async def remind_before_close(job: JobContext) -> int:
    cfg = decision_config(job.services.deployment_dir)
    factory, total = job.services.session_factory, 0
    async with factory() as s:
        ballots = await queries.open_ballots(s)
    for d in ballots:
        assert d.id is not None
        if d.closes_at <= job.now:
            continue
        # which reminders are due now: the latest whose moment has passed
        due = [i for i, before in enumerate(cfg.rules.reminders) if job.now >= d.closes_at - before]
        if not due or max(due) < d.reminded:
            continue
        step = max(due)
        async with factory() as s:
            res = await s.exec(
                update(Decision)
                .where(col(Decision.id) == d.id, col(Decision.reminded) == d.reminded, col(Decision.status) == "open")
                .values(reminded=step + 1)
            )
            if (res.rowcount or 0) == 1:
                fresh = await s.get(Decision, d.id)
                assert fresh is not None
                total += await notify.queue_reminder(s, fresh, step)
            await s.commit()
    return total


async def close_due(job: JobContext) -> int:
    cfg = decision_config(job.services.deployment_dir)
    factory, total = job.services.session_factory, 0
    async with factory() as s:
        ids = await closing.due_to_close(s, job.now)
    for did in ids:
        async with factory() as s:
            if await closing.close(s, did, cfg, now=job.now):
                total += 1
            await s.commit()
    return total


async def remind_reports(job: JobContext) -> int:
    cfg = decision_config(job.services.deployment_dir)
    cal = cfg.calendar
    factory, total = job.services.session_factory, 0
    async with factory() as s:
        pending = await queries.reports_due(s)
        for d in pending:
            assert d.report_due_at is not None
            left = cal.working_days_between(job.now, d.report_due_at) if job.now < d.report_due_at else -1
            for before in cfg.rules.report_remind_before:
                if left <= before:
                    total += await notify.queue_report_reminder(s, d, left, f"b{before}")
            if left < 0:
                total += await notify.queue_report_reminder(s, d, left, "overdue")
        await s.commit()
    return total


JOBS = (
    Job("decisions.open_due", open_due, every=timedelta(seconds=20)),
    Job("decisions.remind_before_close", remind_before_close, every=timedelta(seconds=60)),
    Job("decisions.close_due", close_due, every=timedelta(seconds=5)),
    Job("decisions.remind_reports", remind_reports, every=timedelta(minutes=30)),
)
