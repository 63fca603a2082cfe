"""What the scheduler runs for meetings: the reminders the day before and an hour before the start.

Idempotent and restart-safe: ``Meeting.reminded`` counts the reminders sent and is raised by a
guarded UPDATE (only one run claims a reminder), and each reminder's pushes have their own dedupe
prefix (a crash between claim and commit rolls both back). After downtime only the latest reminder
due is sent, never both; a meeting announced less than a day ahead skips the day-before one."""

from __future__ import annotations

from datetime import timedelta

from handlers.framework.manifest import Job, JobContext
from handlers.meetings import notify
from storage.meetings import services


async def remind(job: JobContext) -> int:
    factory, total = job.services.session_factory, 0
    async with factory() as s:
        due = await services.due_reminders(s, job.now)
    for m in due:
        async with factory() as s:
            fresh = await s.get(type(m), m.id)
            if fresh is not None:
                step = await services.claim_reminder(s, fresh, job.now)
                if step is not None:
                    total += await notify.queue_reminder(s, fresh, step)
            await s.commit()
    return total


JOBS = (Job("meetings.remind", remind, every=timedelta(seconds=60)),)
