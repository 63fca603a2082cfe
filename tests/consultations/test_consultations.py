"""A draft for comment from end to end: an official publishes it to a village, its residents get it
(others do not), comment more than once (text and voice), the official sees them grouped by village
and replies, the period closes at its time (once), the summary goes to everyone who commented."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.core.messages import Attachment
from handlers.consultations import jobs
from handlers.framework import JobContext
from storage.consultations import services
from storage.consultations.models import Consultation, ConsultationComment
from storage.db import utcnow
from storage.outbox.models import OutboxMessage
from storage.outbox.services import reply_of


async def _pushes(factory, kind="consultation"):
    async with factory() as s:
        return list(await s.exec(select(OutboxMessage).where(OutboxMessage.kind == kind)))


async def test_publish_comment_reply_close_and_summary(world, session_factory):
    off = world.chat("official_a")
    await off.say("/consult")
    await off.press("Đăng dự thảo")
    await off.say("Dự thảo quy ước giữ gìn vệ sinh thôn Ngọc Sơn")
    await off._send(attachments=(Attachment(kind="document", ref="doc-1", file_name="du-thao.pdf"),))
    assert "Đã giữ tài liệu" in off.text
    await off.say("Mỗi hộ phân loại rác tại nhà; thu gom thứ Ba và thứ Sáu.")
    await off.press("Thôn Ngọc Sơn")
    await off.say("15")
    await off.press("Đăng lấy ý kiến")
    async with session_factory() as s:
        c = (await s.exec(select(Consultation))).one()
    assert c.recipients == 3 and c.attachment["ref"] == "doc-1"
    pushed = await _pushes(session_factory)
    assert sorted(r.person_id for r in pushed) == sorted(
        [world.ids["resident"], world.ids["resident_en"], world.ids["neighbour"]]
    )
    # a resident comments twice: text, then a voice message
    res = world.chat("resident")
    res.last = [reply_of(next(r for r in pushed if r.person_id == world.ids["resident"]))]
    await res.press("Góp ý")
    await res.say("Nên thu gom thêm ngày Chủ nhật.")
    assert "đã nhận được góp ý" in res.text
    await res.say("/consult")
    await res.press("Góp ý")
    await res._send(attachments=(Attachment(kind="voice", ref="voice-1"),))
    # somebody of another village cannot
    other = world.chat("resident_a2")
    await other._send(button=f"ccm:{c.id}")
    await other.say("Tôi cũng góp ý")
    assert "người dân nơi khác" in other.text
    async with session_factory() as s:
        comments = list(await s.exec(select(ConsultationComment)))
    assert len(comments) == 2 and {cm.person_id for cm in comments} == {world.ids["resident"]}
    # the official sees them grouped and replies
    await off.say(f"/consult {c.id}")
    assert "Thôn Ngọc Sơn (2)" in off.text and "Nên thu gom thêm ngày Chủ nhật." in off.text
    await off.press("Trả lời")
    await off.say("Cảm ơn bác, phường sẽ cân nhắc.")
    replies = [
        r
        for r in await _pushes(session_factory)
        if r.person_id == world.ids["resident"] and "Cảm ơn bác" in r.payload["text"]
    ]
    assert len(replies) == 1
    # the period closes at its time, once; the author is asked for the summary
    for _ in range(2):
        await jobs.close_due(JobContext(world.services, c.closes_at))
    async with session_factory() as s:
        assert (await s.get(Consultation, c.id)).status == "closed"
    asks = [r for r in await _pushes(session_factory) if r.person_id == world.ids["official_a"]]
    assert len(asks) == 1
    with pytest.raises(services.ConsultationClosed):
        async with session_factory() as s:
            p = await world.person(s, "resident")
            await services.comment(s, c.id, p, text="muộn", now=c.closes_at + timedelta(minutes=1))
    await off.say(f"/consult {c.id}")
    await off.press("Công bố kết quả tiếp thu")
    await off.say("Tiếp thu: thêm ngày Chủ nhật. Chưa tiếp thu: không có ý kiến khác.")
    summary = [r for r in await _pushes(session_factory) if "Tiếp thu: thêm ngày Chủ nhật" in r.payload["text"]]
    assert [r.person_id for r in summary] == [world.ids["resident"]]
    assert utcnow() < c.closes_at  # the test ran the close with the job's own clock
