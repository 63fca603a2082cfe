"""What the scheduler runs for consultations: close the comment periods whose time has come (a guarded
status change: closed once, even after a restart), which asks the author for the summary."""

from __future__ import annotations

from datetime import timedelta

from handlers.consultations import notify  # noqa: F401  (connects the receiver)
from handlers.framework.manifest import Job, JobContext
from storage.consultations import services


async def close_due(job: JobContext) -> int:
    factory, total = job.services.session_factory, 0
    async with factory() as s:
        ids = await services.due_to_close(s, job.now)
    for cid in ids:
        async with factory() as s:
            total += await services.close_due(s, cid, job.now)
            await s.commit()
    return total


JOBS = (Job("consultations.close_due", close_due, every=timedelta(seconds=60)),)
