"""What the scheduler runs for learning: the weekly campaign pushes.

One job checks every minute which active campaigns are due today (their weekday, at or after their
time) and pushes each once a day: ``CampaignRun`` is unique per campaign and day, so a restart, a
late start (the push still goes out that day) or a second process never pushes twice.
"""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy.exc import IntegrityError

from handlers.framework.manifest import Job, JobContext
from handlers.learning import notify  # noqa: F401  (connects the receiver that queues the lessons)
from storage.learning import queries, services


async def push_campaign(job: JobContext, campaign_id: int) -> int:
    """Push today's lesson of one campaign (0 when it already ran today)."""
    svc = job.services
    async with svc.session_factory() as s:
        try:
            n = await services.run(
                s, campaign_id, svc.local(job.now).date(), default_locale=svc.default_locale, now=job.now
            )
            await s.commit()
        except IntegrityError:  # another process pushed the same day at the same moment
            await s.rollback()
            return 0
    return n


async def push_due_campaigns(job: JobContext) -> int:
    """Every active campaign whose weekly time has passed today."""
    local_now = job.services.local(job.now)
    async with job.services.session_factory() as s:
        active = await queries.active(s)
    total = 0
    for c in active:
        hh, mm = (int(x) for x in c.at_time.split(":"))
        if local_now.weekday() == c.weekday and local_now.time() >= time(hh, mm):
            assert c.id is not None
            total += await push_campaign(job, c.id)
    return total


JOBS = (Job("learning.campaigns", push_due_campaigns, every=timedelta(minutes=1)),)
