"""Notices through the harness: audience limits, preview, send, schedule, cancel, report, "Đã xem",
/notices catch-up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.dispatch import Dispatcher
from bot.outbox import OutboxSender, RateLimits
from storage.notices import services as notices
from storage.db import utcnow
from storage.outbox.models import OutboxMessage
from storage.people.models import Person
from storage.notices.models import Notice
from tests.harness import Chat
from tests.world import make_services
from tests.outbox.support import FakeChannel
from tests.world import make_people, make_staff, unit_id

FAST = RateLimits(per_second=1000, per_chat_interval=0.0, group_per_minute=1000, margin=0.0)


@pytest.fixture
async def world(session_factory):
    services = await make_services(session_factory)
    d = Dispatcher(services)
    ward = await unit_id(session_factory, "13384")
    v1 = await unit_id(session_factory, "13384-T04")
    v2 = await unit_id(session_factory, "13384-T05")
    other_ward = await unit_id(session_factory, "13393")
    w = {"services": services, "d": d, "ward": ward, "v1": v1, "v2": v2, "other": other_ward}
    w["in_v1"] = await make_people(session_factory, 3, channel="test", start=100, village_id=v1, ward_id=ward)
    w["in_v2"] = await make_people(session_factory, 2, channel="test", start=200, village_id=v2, ward_id=ward)
    w["elsewhere"] = await make_people(session_factory, 2, channel="test", start=300, ward_id=other_ward)
    await make_staff(session_factory, "900", "village_head", v1)
    await make_staff(session_factory, "901", "official", ward)
    await make_staff(session_factory, "902", "district_admin", None)
    return w


async def _rows(factory, notice_id):
    async with factory() as s:
        return list(await s.exec(select(OutboxMessage).where(OutboxMessage.ref_type == "notice",
                                                             OutboxMessage.ref_id == notice_id)))


async def test_village_head_sends_to_own_village_only(world, session_factory):
    head = Chat(world["d"], "900")
    await head.say("/notice")
    await head.say("Chiều nay 14 giờ họp thôn tại nhà văn hoá.")
    # a village head has one village: no audience question
    assert "Gửi ngay" in head.buttons()
    await head.press("Gửi ngay")
    assert "Thông báo tới bà con Thôn Ngọc Sơn" in head.text  # the preview as residents see it
    assert "Chiều nay 14 giờ họp thôn" in head.text and "3 người dân" in head.text
    assert "✅ Đã xem" in head.buttons()
    await head.press("Gửi")
    assert "đang được gửi tới 3 người dân" in head.text
    async with session_factory() as s:
        n = (await s.exec(select(Notice))).one()
        assert n.status == "sent" and n.recipients == 3
    rows = await _rows(session_factory, n.id)
    assert sorted(r.person_id for r in rows) == sorted(world["in_v1"])
    # a village head cannot address the ward, even by typing its code
    async with session_factory() as s:
        from storage.people.services import active_roles
        head_id = (await s.exec(select(Person.id).where(Person.display_name == "Cán bộ 900"))).one()
        grants = await active_roles(s, head_id)
        assert not await notices.may_address(s, grants, world["ward"])
        assert not await notices.may_address(s, grants, world["v2"])


async def test_official_chooses_villages_in_own_ward(world, session_factory):
    off = Chat(world["d"], "901")
    await off.say("/notice")
    await off.say("Lịch tiêm phòng cho trẻ em.")
    labels = off.buttons()
    assert "Phường Kim Bảng" in labels or any("Kim Bảng" in b for b in labels)
    assert any("Thôn 1" in b for b in labels) and not any("Lê Hồ" in b for b in labels)
    await off.say("13393")  # another ward's code: refused
    assert "không thể gửi thông báo tới đơn vị đó" in off.text
    await off.press("Thôn 1")
    await off.press("Tiếp tục")
    await off.press("Gửi ngay")
    assert "2 người dân" in off.text
    await off.press("Gửi")
    async with session_factory() as s:
        n = (await s.exec(select(Notice))).one()
    assert sorted(r.person_id for r in await _rows(session_factory, n.id)) == sorted(world["in_v2"])


async def test_schedule_cancel_and_dispatch_once(world, session_factory):
    off = Chat(world["d"], "901")
    await off.say("/notice")
    await off.say("Cắt điện ngày mai.")
    await off.press("Kim Bảng")
    await off.press("Tiếp tục")
    await off.press("Chọn giờ")
    await off.say("không phải giờ")
    assert "không đọc được" in off.text
    when = world["services"].local(utcnow() + timedelta(days=2)).replace(hour=19, minute=0)
    await off.say(when.strftime("%H:%M %d/%m"))
    assert "5 người dân" in off.text and "19:00" in off.text
    await off.press("Gửi")
    assert "đã được hẹn gửi" in off.text
    async with session_factory() as s:
        n = (await s.exec(select(Notice))).one()
        assert n.status == "scheduled"
        assert await notices.due(s, utcnow()) == []
        assert await notices.due(s, utcnow() + timedelta(days=3)) == [n.id]
    assert await _rows(session_factory, n.id) == []
    await off.press("Huỷ thông báo")
    assert "đã được huỷ" in off.text
    async with session_factory() as s:
        assert await notices.dispatch(s, n.id) == 0  # cancelled: never sent
        # a second notice, dispatched twice (two scheduler processes): sent once
        n2 = Notice(author_id=n.author_id, author_role="official", text="x", send_at=utcnow())
        s.add(n2)
        await s.flush()
        from storage.notices.models import NoticeTarget
        s.add(NoticeTarget(notice_id=n2.id, unit_id=world["ward"]))
        await s.flush()
        assert await notices.dispatch(s, n2.id) == 5
        assert await notices.dispatch(s, n2.id) == 0
        await s.commit()


async def test_report_and_seen(world, session_factory):
    head = Chat(world["d"], "900")
    await head.say("/notice")
    await head.say("Họp thôn.")
    await head.press("Gửi ngay")
    await head.press("Gửi")
    ch = FakeChannel("test")
    await OutboxSender(session_factory, {"test": ch}, limits={"test": FAST}).drain_once("test")
    assert len(ch.sent) == 3
    resident = Chat(world["d"], "100")
    async with session_factory() as s:
        n = (await s.exec(select(Notice))).one()
    await resident._send(button=f"seen:{n.id}")
    await resident._send(button=f"seen:{n.id}")  # twice counts once
    assert "đã đọc thông báo" in resident.text
    await head.say(f"/notice report {n.id}")
    assert "Đã gửi tới: 3" in head.text and "Đã bấm “Đã xem”: 1" in head.text
    # someone else's report is not visible
    other = Chat(world["d"], "901")
    await make_staff(session_factory, "903", "village_head", world["v2"])
    stranger = Chat(world["d"], "903")
    await stranger.say(f"/notice report {n.id}")
    assert "Không tìm thấy" in stranger.text or "Nothing" in stranger.text
    await other.say(f"/notice report {n.id}")  # the ward official covers the village
    assert "Đã gửi tới: 3" in other.text
    # residents cannot use /notice
    await resident.say("/notice")
    assert "dành cho cán bộ" in resident.text


async def test_notices_catch_up_for_late_joiners(world, session_factory):
    head = Chat(world["d"], "900")
    await head.say("/notice")
    await head.say("Thông báo thu gom rác.")
    await head.press("Gửi ngay")
    await head.press("Gửi")
    late = await make_people(session_factory, 1, channel="test", start=150, village_id=world["v1"],
                             ward_id=world["ward"])
    assert late
    r = Chat(world["d"], "150")
    await r.say("/notices")
    assert "Thông báo thu gom rác." in r.text and "✅ Đã xem" in r.buttons()
    far = Chat(world["d"], "300")
    await far.say("/notices")
    assert "Thông báo thu gom rác." not in far.text
