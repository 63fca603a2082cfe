"""What the scheduler runs for notices: send the scheduled notices whose time has come."""

from __future__ import annotations

from datetime import timedelta

from handlers.framework.manifest import Job, JobContext
from handlers.notices import notify  # noqa: F401  (connects the receiver that queues the messages)
from storage.notices import queries, services


async def send_due_notices(job: JobContext) -> int:
    """Queue every scheduled notice that is due, each in its own transaction (a guarded status
    change: two runs send it once)."""
    factory, total = job.services.session_factory, 0
    async with factory() as s:
        ids = await queries.due(s, job.now)
    for nid in ids:
        async with factory() as s:
            total += await services.dispatch(s, nid, now=job.now, default_locale=job.services.default_locale)
            await s.commit()
    return total


JOBS = (Job("notices.send_due", send_due_notices, every=timedelta(seconds=20)),)
