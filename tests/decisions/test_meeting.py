"""A village meeting's decision: the village head enters households present and the votes per
option in the chat; numbers that do not add up are refused; the result goes out; the report to the
commune is due within 5 working days, with reminders to the village head until the minutes come."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from handlers.features import APP
from handlers.framework import StatsScope
from storage.outbox.models import OutboxMessage
from tests.decisions.support import add_households, decision, open_vote, run_jobs

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


async def test_meeting_tally_result_report_deadline_and_stats(world, session_factory):
    await add_households(world, world.village_a1, 10, start=8200)
    friday = datetime(2026, 12, 4, 19, 30, tzinfo=TZ)  # a Friday evening
    world.services.clock = lambda: friday
    d = await open_vote(world, world.village_a1, method="meeting", now=friday, hours=0)
    assert d.status == "open" and d.eligible == 10
    head = world.chat("village_head")
    await head.say(f"/decide {d.id}")
    await head.press("Nhập kết quả")
    await head.say("12")
    await head.say("5 1 0")
    assert "Số liệu chưa khớp" in head.text  # 12 present of 10 households
    await head._send(button=f"dtl:{d.id}")
    await head.say("7")
    await head.say("6 1 0")
    assert "ĐƯỢC THÔNG QUA" in head.text and "7/10" in head.text
    d = await decision(session_factory, d.id)
    assert d.status == "closed" and d.result["counts"] == [6, 1, 0] and d.result["voted"] == 7
    # five working days from Friday 4/12: Mon 7 … Fri 11/12
    assert d.report_due_at.astimezone(TZ).date() == datetime(2026, 12, 11).date()
    # reminders: two working days before, then on the day; once each
    await run_jobs(world.services, datetime(2026, 12, 8, 9, tzinfo=TZ))
    await run_jobs(world.services, datetime(2026, 12, 9, 9, tzinfo=TZ))
    await run_jobs(world.services, datetime(2026, 12, 9, 10, tzinfo=TZ))
    async with session_factory() as s:
        rem = list(
            await s.exec(
                select(OutboxMessage).where(
                    OutboxMessage.kind == "reminder", OutboxMessage.person_id == world.ids["village_head"]
                )
            )
        )
    assert len(rem) == 1 and "11/12/2026" in rem[0].payload["text"]
    # stats for the yearly assessment
    start, end = datetime(2026, 1, 1, tzinfo=TZ), datetime(2027, 1, 1, tzinfo=TZ)
    async with session_factory() as s:
        figs = {
            f.key: f.value for f in await APP.statistics(s, StatsScope((world.ward_a, world.village_a1), start, end))
        }
    assert figs["decisions.closed"] == 1 and figs["decisions.passed"] == 1
    assert figs["decisions.turnout"] == 0.7 and figs["decisions.reported_on_time"] == 0
    assert figs["households.confirmed"] == 10
