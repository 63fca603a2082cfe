"""The scheduler (APScheduler 3 ``AsyncIOScheduler``, one for every channel) runs the jobs the
feature manifests register, plus the application's own housekeeping (forgetting old delivery ids).

The database is the source of truth: every job reads what is due from it and is idempotent
(dedupe keys, guarded status changes), so two processes or a restart never send anything twice.
A job that queued messages wakes the outbox sender. With several processes on PostgreSQL one of
them, elected by ``bot.leader.Leader``, runs the jobs; another takes over within seconds when it dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlmodel import col, delete

from bot.leader import Leader
from handlers.framework import Job, JobContext, Services
from storage.conversations.models import ProcessedEvent

log = logging.getLogger(__name__)
PROCESSED_KEEP = timedelta(days=7)


async def prune_processed(job: JobContext) -> int:
    """Forget delivery ids older than a week: platforms redeliver for a day at most (Telegram: 24 h)."""
    async with job.services.session_factory() as s:
        await s.exec(delete(ProcessedEvent).where(col(ProcessedEvent.at) < job.now - PROCESSED_KEEP))
        await s.commit()
    return 0


HOUSEKEEPING = (
    Job("app.prune_processed", prune_processed, every=timedelta(hours=6), first_after=timedelta(minutes=5)),
)


class Scheduler:
    """Runs ``jobs`` (the manifests' and the housekeeping ones) on ``services``' clock and time zone."""

    def __init__(
        self,
        services: Services,
        jobs: list[Job],
        *,
        wake: Callable[[], None] | None = None,
        clock: Callable[[], datetime] | None = None,
        leader: Leader | None = None,
    ) -> None:
        self.services = services
        self.tz = services.tz
        self.clock = clock or services.now
        self.jobs = {j.name: j for j in [*jobs, *HOUSEKEEPING]}
        self.wake = wake or services.wake_outbox
        self.scheduler = AsyncIOScheduler(timezone=self.tz)
        self._in_flight: set[asyncio.Task[Any]] = set()
        self.leader = leader
        self._campaign: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """True while this process schedules the jobs (always, without a leader election)."""
        return bool(self.scheduler.running)

    async def start(self) -> None:
        """Schedule the jobs now, or (with a ``Leader``) whenever this process is elected."""
        if self.leader is None:
            await self._start_jobs()
        else:
            self._campaign = asyncio.create_task(self.leader.campaign(self._start_jobs, self._stop_jobs))

    async def _start_jobs(self) -> None:
        self.scheduler = AsyncIOScheduler(timezone=self.tz)
        now = datetime.now(self.tz)
        opts: dict[str, Any] = {
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": 3600,
            "replace_existing": True,
        }
        for job in self.jobs.values():
            if job.every is not None:
                trigger: Any = IntervalTrigger(seconds=job.every.total_seconds())
                opts["next_run_time"] = now + job.first_after
            else:
                assert job.daily_at is not None
                trigger = CronTrigger(hour=job.daily_at.hour, minute=job.daily_at.minute, timezone=self.tz)
                opts.pop("next_run_time", None)
            self.scheduler.add_job(self._guard(job), trigger, id=job.name, **opts)
        self.scheduler.start()

    async def stop(self) -> None:
        """Stop campaigning and scheduling, then let jobs already running finish (they hold database
        connections); the leader's lock is released last."""
        if self._campaign is not None:
            self._campaign.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._campaign
            self._campaign = None
        await self._stop_jobs()

    async def _stop_jobs(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        running = [t for t in self._in_flight if not t.done()]
        if running:
            await asyncio.wait(running, timeout=60)

    async def run(self, name: str) -> int:
        """Run one job now (also used by tests); returns the messages it queued."""
        job = self.jobs[name]
        n = await job.run(JobContext(services=self.services, now=self.clock()))
        if n:
            self.wake()
        return n

    def _guard(self, job: Job) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._in_flight.add(task)
            try:
                queued = await self.run(job.name)
                log.debug("job %s ran (%d queued)", job.name, queued)
            except Exception:
                log.exception("scheduled job %s failed", job.name)
            finally:
                if task is not None:
                    self._in_flight.discard(task)

        run.__name__ = job.name
        return run
