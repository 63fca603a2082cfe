"""An official posts a disclosure through the chat: kind from the list, title, summary, documents,
scope, period (too short refused with a clear message), other ways with dates, preview, publish;
it reaches every resident of the scope once."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage.disclosures.models import Disclosure, DisclosureWay
from tests.disclosures.support import local_today, post_in_chat, rows


async def test_official_posts_and_it_reaches_the_ward(world):
    off = await post_in_chat(world)
    assert "Niêm yết tại trụ sở UBND" in off.buttons()
    await off.press("Niêm yết tại trụ sở UBND")
    await off.press("Hôm nay")
    assert "✅ Niêm yết tại trụ sở UBND" in off.buttons()
    await off.press("Tiếp tục")
    assert "📌 Thông tin công khai cho phường Kim Bảng" in off.text
    assert "Kế hoạch phát triển kinh tế - xã hội" in off.text and "Điều 11 khoản 1" in off.text
    await off.press("Đăng công khai")
    assert "đã được đăng" in off.text
    async with world.factory() as s:
        d = (await s.exec(select(Disclosure))).one()
        ways = {w.way for w in await s.exec(select(DisclosureWay))}
    assert ways == {"niem_yet_tru_so", "tin_nhan"}
    assert d.recipients == 4 and d.kind == "ke_hoach_ktxh"
    got = await rows(world, d.id)
    ids = world.ids
    assert sorted(r.person_id for r in got) == sorted(
        [ids["resident"], ids["resident_en"], ids["neighbour"], ids["resident_a2"]]
    )
    assert all(r.kind == "disclosure" for r in got)
    en = next(r for r in got if r.person_id == ids["resident_en"])
    assert en.payload["text"].startswith("📌 Information made public for")


async def test_a_period_shorter_than_the_minimum_is_refused(world):
    today = local_today(world)
    off = await post_in_chat(world, days=(today + timedelta(days=9)).strftime("%d/%m/%Y"))
    assert "phải niêm yết ít nhất 30 ngày; thời gian bạn chọn chỉ có 10 ngày" in off.text
    assert (today + timedelta(days=29)).strftime("%d/%m/%Y") in off.text
    await off.say((today - timedelta(days=3)).strftime("%d/%m/%Y"))  # before the start
    assert "Ngày kết thúc phải sau ngày bắt đầu" in off.text
    await off.say((today + timedelta(days=29)).strftime("%d/%m/%Y"))  # exactly the minimum: accepted
    assert "Tiếp tục" in off.buttons()
    async with world.factory() as s:
        assert (await s.exec(select(Disclosure))).first() is None  # nothing published on the way
