"""What the scheduler runs for the register: the Art. 13 daily reminders. Every 30 minutes it
looks at the disclosures with a broadcast whose day ``n`` (1 … broadcast_days − 1, local days
after the day of publication) has come, and queues day ``n`` for the scope's residents who have
not opened it and have nothing of it still on its way; the dedupe keys make a second run (or a
second process) queue nothing."""

from __future__ import annotations

from datetime import timedelta

from handlers.disclosures import notify
from handlers.framework.manifest import Job, JobContext
from storage.disclosures import queries
from storage.disclosures.config import config_for
from storage.disclosures.models import Disclosure


async def send_daily_repeats(job: JobContext) -> int:
    svc, total = job.services, 0
    cfg = config_for(svc)
    today = svc.local(job.now).date()
    longest = max((k.broadcast_days for k in cfg.kinds), default=0)
    if longest < 2:
        return 0
    async with svc.session_factory() as s:
        items = await queries.repeat_candidates(s, today, job.now - timedelta(days=longest + 1))
        ids = [d.id for d in items if d.id is not None]
    for did in ids:
        async with svc.session_factory() as s:
            d = await s.get(Disclosure, did)
            if d is None or not queries.is_public(d, today) or not cfg.has_kind(d.kind):
                continue
            day_n = (today - svc.local(d.published_at).date()).days
            if not 1 <= day_n < d.broadcast_days:
                continue
            recipients = await queries.non_openers(s, d, svc.default_locale)
            total += await notify.queue_day(s, cfg.kind(d.kind), d, recipients, day_n)
            await s.commit()
    return total


JOBS = (Job("disclosures.daily_repeats", send_daily_repeats, every=timedelta(minutes=30)),)
