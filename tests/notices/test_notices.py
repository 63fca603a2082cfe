"""Notices through the harness: audience limits, preview, send, schedule, cancel, report, "Đã xem",
/notices catch-up, each resident's language, /mydata and /forget.

World (``tests/world.py``): village A1 has three residents (one writes English), village A2 one,
ward B one; staff live nowhere, so notices never count them.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.outbox import OutboxSender, RateLimits
from storage.db import utcnow
from storage.notices import queries, services
from storage.notices.models import Notice, NoticeSeen, NoticeTarget
from storage.notices.permissions import can_send_notice_to
from storage.outbox.models import OutboxMessage
from tests.outbox.support import FakeChannel
from tests.world import make_people, make_staff

FAST = RateLimits(per_second=1000, per_chat_interval=0.0, group_per_minute=1000, margin=0.0)
NOT_FOUND = "Không tìm thấy nội dung nào với mã này."


async def _rows(factory, notice_id):
    async with factory() as s:
        return list(
            await s.exec(
                select(OutboxMessage).where(OutboxMessage.ref_type == "notice", OutboxMessage.ref_id == notice_id)
            )
        )


async def _only_notice(factory) -> Notice:
    async with factory() as s:
        return (await s.exec(select(Notice))).one()


async def _send_as_village_head(world, text: str) -> Notice:
    head = world.chat("village_head")
    await head.say("/notice")
    await head.say(text)
    await head.press("Gửi ngay")
    await head.press("Gửi")
    return await _only_notice(world.factory)


async def test_village_head_sends_to_own_village_only(world, session_factory):
    head = world.chat("village_head")
    await head.say("/notice")
    await head.say("Chiều nay 14 giờ họp thôn tại nhà văn hoá.")
    # a village head has one village: no audience question
    assert head.buttons() == ["Gửi ngay", "Chọn giờ gửi"]
    await head.press("Gửi ngay")
    assert "📢 Thông báo tới bà con Thôn Ngọc Sơn" in head.text  # the preview as residents see it
    assert "Chiều nay 14 giờ họp thôn" in head.text and "3 người dân" in head.text
    assert head.buttons() == ["✅ Đã xem", "Gửi", "Sửa nội dung", "Dừng"]
    await head.press("Gửi")
    assert "đang được gửi tới 3 người dân" in head.text
    n = await _only_notice(session_factory)
    assert n.status == "sent" and n.recipients == 3 and n.author_role == "village_head"
    rows = await _rows(session_factory, n.id)
    ids = world.ids
    assert sorted(r.person_id for r in rows) == sorted([ids["resident"], ids["resident_en"], ids["neighbour"]])
    assert {r.dedupe_key for r in rows} == {f"notice:{n.id}:{r.person_id}#0" for r in rows}
    # a village head cannot address the ward or another village, even by typing its code
    async with session_factory() as s:
        grants = await world.grants(s, "village_head")
        assert not await can_send_notice_to(s, grants, world.ward_a)
        assert not await can_send_notice_to(s, grants, world.village_a2)
        assert await can_send_notice_to(s, grants, world.village_a1)


async def test_each_resident_gets_the_notice_in_their_language(world, session_factory):
    n = await _send_as_village_head(world, "Họp thôn.")
    by_person = {r.person_id: r.payload for r in await _rows(session_factory, n.id)}
    en, vi = by_person[world.ids["resident_en"]], by_person[world.ids["resident"]]
    assert en["locale"] == "en" and en["text"].startswith("📢 Notice to residents of Thôn Ngọc Sơn")
    assert en["buttons"] == [[{"label": "✅ Seen", "data": f"seen:{n.id}"}]]
    assert vi["locale"] == "vi" and vi["text"].startswith("📢 Thông báo tới bà con Thôn Ngọc Sơn")
    assert vi["buttons"] == [[{"label": "✅ Đã xem", "data": f"seen:{n.id}"}]]


async def test_official_chooses_villages_in_own_ward(world, session_factory):
    off = world.chat("official_a")
    await off.say("/notice")
    await off.say("Lịch tiêm phòng cho trẻ em.")
    ward_a = [
        "phường Kim Bảng",
        "Tổ dân phố Quế Sơn",
        "Tổ dân phố Văn Xá 1",
        "Tổ dân phố Văn Xá 2",
        "Thôn Ngọc Sơn",
        "Thôn 1",
    ]
    assert off.buttons() == ward_a  # their ward and its villages, nothing of ward B
    await off.say("13393")  # another ward's code: refused
    assert "không thể gửi thông báo tới đơn vị đó" in off.text
    await off.press("Thôn 1")
    assert off.buttons() == [*ward_a[:-1], "Thôn 1 (đã chọn)", "Tiếp tục"]
    await off.press("Tiếp tục")
    await off.press("Gửi ngay")
    assert "1 người dân" in off.text
    await off.press("Gửi")
    n = await _only_notice(session_factory)
    assert [r.person_id for r in await _rows(session_factory, n.id)] == [world.ids["resident_a2"]]


async def test_schedule_cancel_and_dispatch_once(world, session_factory):
    off = world.chat("official_a")
    await off.say("/notice")
    await off.say("Cắt điện ngày mai.")
    await off.press("Kim Bảng")
    await off.press("Tiếp tục")
    await off.press("Chọn giờ")
    await off.say("không phải giờ")
    assert "không đọc được" in off.text
    when = world.services.local(utcnow() + timedelta(days=2)).replace(hour=19, minute=0)
    await off.say(when.strftime("%H:%M %d/%m"))
    assert "4 người dân" in off.text and "19:00" in off.text
    await off.press("Gửi")
    assert "đã được hẹn gửi" in off.text
    n = await _only_notice(session_factory)
    async with session_factory() as s:
        assert n.status == "scheduled"
        assert await queries.due(s, utcnow()) == []
        assert await queries.due(s, utcnow() + timedelta(days=3)) == [n.id]
    assert await _rows(session_factory, n.id) == []
    await off.press("Huỷ thông báo")
    assert f"Thông báo số {n.id} đã được huỷ" in off.text
    await off.say(f"/notice cancel {n.id}")  # a second time: refused
    assert off.text == "Thông báo này đã được gửi hoặc đã huỷ."
    async with session_factory() as s:
        assert await services.dispatch(s, n.id) == 0  # cancelled: never sent
        # a second notice, dispatched twice (two scheduler processes): sent once
        n2 = Notice(author_id=n.author_id, author_role="official", text="x", send_at=utcnow())
        s.add(n2)
        await s.flush()
        s.add(NoticeTarget(notice_id=n2.id, unit_id=world.ward_a))
        await s.flush()
        assert await services.dispatch(s, n2.id) == 4
        assert await services.dispatch(s, n2.id) == 0
        await s.commit()


async def test_report_and_seen(world, session_factory):
    n = await _send_as_village_head(world, "Họp thôn.")
    ch = FakeChannel("test")
    await OutboxSender(session_factory, {"test": ch}, limits={"test": FAST}).drain_once("test")
    assert len(ch.sent) == 3
    resident = world.chat("resident")
    await resident._send(button=f"seen:{n.id}")
    await resident._send(button=f"seen:{n.id}")  # twice counts once
    assert resident.text == "Cảm ơn ông/bà. Chúng tôi đã ghi nhận ông/bà đã đọc thông báo."
    head = world.chat("village_head")
    await head.say(f"/notice report {n.id}")
    assert head.text.splitlines() == [
        f"Báo cáo gửi thông báo số {n.id} (đã gửi):",
        "Số người dân: 3",
        "Đang chờ gửi: 0",
        "Đã gửi tới: 3",
        "Gửi không được: 0",
        "Không nhận được tin (đã chặn hoặc bỏ theo dõi): 0",
        "Chờ người dân nhắn lại mới gửi được: 0",
        "Đã bấm “Đã xem”: 1",
    ]
    # someone else's report is not visible
    await make_staff(session_factory, "906", "village_head", world.village_a2)
    stranger = world.chat("906")
    await stranger.say(f"/notice report {n.id}")
    assert stranger.text == NOT_FOUND
    other = world.chat("official_a")
    await other.say(f"/notice report {n.id}")  # the ward official covers the village
    assert "Đã gửi tới: 3" in other.text
    # residents cannot use /notice
    await resident.say("/notice")
    assert "dành cho cán bộ" in resident.text


async def test_notice_list_for_its_author(world, session_factory):
    head = world.chat("village_head")
    await head.say("/notice list")
    assert head.text == "Ông/bà chưa gửi thông báo nào. Gửi /notice để viết thông báo."
    n = await _send_as_village_head(world, "Thông báo thu gom rác vào sáng thứ Bảy hằng tuần.")
    await head.say("/notice ds")
    assert head.text.startswith(f"Số {n.id} · đã gửi · ")
    assert head.text.endswith("\nThông báo thu gom rác vào sáng thứ Bảy hằng tuần.")
    assert head.buttons() == ["Báo cáo gửi"]


async def test_notices_catch_up_for_late_joiners(world, session_factory):
    await _send_as_village_head(world, "Thông báo thu gom rác.")
    await make_people(session_factory, 1, channel="test", start=150, village_id=world.village_a1, ward_id=world.ward_a)
    late = world.chat("150")
    await late.say("/notices")
    assert late.text.splitlines()[0] == "Các thông báo gần đây của địa phương (mới nhất ở cuối):"
    assert "Thông báo thu gom rác." in late.text and late.buttons() == ["✅ Đã xem"]
    assert late.last[1].text.startswith("🗓 ") and late.last[1].locale == "vi"
    far = world.chat("resident_b")
    await far.say("/notices")
    assert far.text == "Ba tháng qua địa phương chưa có thông báo nào."


async def test_mydata_lists_and_forget_erases_seen_marks(world, session_factory):
    n = await _send_as_village_head(world, "Họp thôn.")
    resident = world.chat("resident")
    await resident.say("/mydata")
    assert "Số thông báo ông/bà đã bấm" not in resident.text
    await resident._send(button=f"seen:{n.id}")
    await resident.say("/mydata")
    assert "Số thông báo ông/bà đã bấm “Đã xem”: 1." in resident.text.splitlines()
    await resident.say("/forget")
    await resident.press("Có, xóa")
    async with session_factory() as s:
        assert list(await s.exec(select(NoticeSeen))) == []
        assert (await s.get(Notice, n.id)) is not None  # the notice itself stays
