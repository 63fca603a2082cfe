"""The notices job: a scheduled notice goes out once its time has come, once, even when two
scheduler runs overlap."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import select

from bot.scheduler import Scheduler
from handlers.features import APP
from storage.db import utcnow
from storage.notices.models import Notice, NoticeTarget
from storage.outbox.models import OutboxMessage


async def test_scheduled_notice_goes_out_once(world, session_factory):
    now = [utcnow()]
    sched = Scheduler(world.services, APP.jobs, clock=lambda: now[0])
    async with session_factory() as s:
        n = Notice(
            author_id=world.ids["official_a"],
            author_role="official",
            text="Họp",
            status="scheduled",
            send_at=now[0] + timedelta(hours=1),
        )
        s.add(n)
        await s.flush()
        s.add(NoticeTarget(notice_id=n.id, unit_id=world.ward_a))
        await s.commit()
    assert await sched.run("notices.send_due") == 0
    now[0] += timedelta(hours=2)
    results = await asyncio.gather(sched.run("notices.send_due"), sched.run("notices.send_due"))
    assert sorted(results) == [0, 4]
    async with session_factory() as s:
        rows = list(await s.exec(select(OutboxMessage).where(OutboxMessage.kind == "notice")))
        assert sorted(r.person_id for r in rows) == sorted(
            world.ids[k] for k in ("resident", "resident_en", "neighbour", "resident_a2")
        )
        sent = await s.get(Notice, n.id)
        assert sent is not None and sent.status == "sent" and sent.recipients == 4 and sent.sent_at == now[0]
