"""A household ballot from end to end through the chat: the village head opens it, every
representative gets the ballot through the outbox, a member who is not the representative is told
who votes, votes are changed, /votes shows the household's vote, the close at its time pushes the
result to the households and the commune, the minutes send the report."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.core.messages import Attachment
from storage.db import utcnow
from storage.decisions.models import Decision, DecisionTurnout
from storage.outbox.models import OutboxMessage
from storage.outbox.services import reply_of
from tests.decisions.support import add_households, decision, run_jobs


async def _rows(factory, kind: str, decision_id: int) -> list[OutboxMessage]:
    async with factory() as s:
        return list(
            await s.exec(
                select(OutboxMessage).where(
                    OutboxMessage.kind == kind,
                    OutboxMessage.ref_type == "decision",
                    OutboxMessage.ref_id == decision_id,
                )
            )
        )


async def test_open_vote_change_close_and_report(world, session_factory):
    v = await add_households(world, world.village_a1, 3, start=7000)
    head = world.chat("village_head")
    await head.say("/decide")
    # a village head has one village: straight to the question
    await head.say("Làm đường bê tông ngõ 3, mỗi hộ góp 500.000 đồng?")
    await head.press("Bỏ qua")
    await head.press("Đóng góp xây dựng công trình công cộng")
    assert "Biểu quyết trực tuyến" not in head.buttons()  # online only for "other" matters
    await head.press("Phát phiếu")
    await head.press("Tán thành / Không tán thành")
    await head.press("Bỏ phiếu kín")
    closes = world.services.local(utcnow() + timedelta(days=2)).replace(hour=20, minute=0, second=0, microsecond=0)
    await head.say(closes.strftime("%H:%M %d/%m/%Y"))
    assert "Bỏ phiếu kín" in head.text and "Làm đường bê tông" in head.text
    await head.press("Mở biểu quyết")
    async with session_factory() as s:
        d = (await s.exec(select(Decision))).one()
    assert d.status == "open" and d.eligible == 3 and d.secret
    assert "3 hộ" in head.text

    ballots = await _rows(session_factory, "ballot", d.id)
    assert sorted(r.person_id for r in ballots) == sorted(v.reps)
    b = ballots[0].payload
    assert "Làm đường bê tông" in b["text"] and "kín" in b["text"]
    assert [row[0]["label"] for row in b["buttons"]] == ["Tán thành", "Không tán thành", "Không ý kiến"]

    mine = next(r for r in ballots if r.person_id == v.reps[0])
    rep = v.chat(0)
    rep.last = [reply_of(mine)]  # the ballot as it arrived in their chat
    await rep.press("Tán thành")
    assert "Tán thành" in rep.text
    await rep._send(button=f"vt:{d.id}:1")
    assert "đã đổi" in rep.text and "Không tán thành" in rep.text
    await rep.say("/votes")
    assert "Phiếu của hộ: Không tán thành" in rep.text

    # the close at its time (the job, as the scheduler runs it), results to the households and the commune
    await run_jobs(world.services, d.closes_at - timedelta(seconds=1))
    assert (await decision(session_factory, d.id)).status == "open"
    await run_jobs(world.services, d.closes_at)
    d = await decision(session_factory, d.id)
    assert d.status == "closed" and d.result["counts"] == [0, 1, 0] and d.result["voted"] == 1
    assert not d.result["quorum_met"] and not d.result["passed"]
    results = await _rows(session_factory, "result", d.id)
    assert {r.person_id for r in results} >= {
        *v.reps,
        world.ids["official_a"],
        world.ids["head_a"],
        world.ids["village_head"],
    }
    assert "1/3" in results[0].payload["text"]
    # late vote refused politely
    await rep._send(button=f"vt:{d.id}:0")
    assert "đã kết thúc" in rep.text
    # minutes → the report to the commune
    await head.say(f"/decide {d.id}")
    assert "Hạn gửi báo cáo" in head.text
    await head.press("Đính kèm biên bản")
    await head._send(attachments=(Attachment(kind="document", ref="file-1", file_name="bien-ban.pdf"),))
    assert "Đã đính kèm biên bản và gửi báo cáo" in head.text
    reports = await _rows(session_factory, "report", d.id)
    assert {r.person_id for r in reports} == {world.ids["official_a"], world.ids["official_a2"], world.ids["head_a"]}
    assert reports[0].payload["attachments"][0]["ref"] == "file-1"
    async with session_factory() as s:
        assert len(list(await s.exec(select(DecisionTurnout)))) == 1
