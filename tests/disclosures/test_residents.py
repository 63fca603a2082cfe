"""Residents: /congkhai lists what is public for their ward and village, newest first, by words
and kind; opening one shows its summary, period and documents; "Hỏi về nội dung này" files a
kiến nghị through the petition flow, with its deadline, linked to the disclosure."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage.disclosures.models import DisclosureOpened, DisclosureQuestion
from storage.petitions.models import Case
from tests.disclosures.support import local_today, publish


async def test_congkhai_lists_searches_and_filters(world):
    old = await publish(world, title="Dự toán ngân sách 2027", summary="Phường công khai dự toán thu chi năm 2027.")
    new = await publish(
        world,
        kind="thu_hoi_dat",
        unit=world.village_a1,
        title="Thu hồi đất làm đường thôn Ngọc Sơn",
        summary="Kế hoạch thu hồi đất, bồi thường cho các hộ ven đường.",
    )
    other_village = await publish(world, unit=world.village_a2, title="Quy hoạch khu dân cư thôn A2 mới")
    elsewhere = await publish(world, "official_b", unit=world.ward_b, title="Dự toán ngân sách phường B")
    later = await publish(world, starts_on=local_today(world) + timedelta(days=5), title="Chưa tới ngày niêm yết")
    chat = world.chat("resident")
    await chat.say("/congkhai")
    text = chat.text
    assert text.index(new.title) < text.index(old.title)  # newest first
    for absent in (other_village, elsewhere, later):
        assert absent.title not in text
    await chat.say("/congkhai thu hoi dat")  # words, typed without diacritics
    assert new.title in chat.text and old.title not in chat.text
    await chat.say("cong khai")
    await chat.press("🔎 Dự toán ngân sách")
    assert old.title in chat.text and new.title not in chat.text
    await chat.say("/congkhai xyz không có")
    assert "Không có nội dung nào khớp" in chat.text


async def test_open_and_ask_files_a_linked_petition(world):
    d = await publish(world, title="Dự toán ngân sách 2027")
    chat = world.chat("resident")
    await chat.say("/congkhai")
    await chat.press("📄 Dự toán ngân sách 2027")
    assert "Niêm yết từ" in chat.text and "Phường công khai dự toán" in chat.text
    async with world.factory() as s:
        assert await s.get(DisclosureOpened, (d.id, world.ids["resident"])) is not None
    await chat.press("Hỏi về nội dung này")
    assert "kiến nghị" in chat.text
    await chat.press("Tiếp tục")
    await chat.press("Khác")
    await chat.press("Thôn của tôi")
    await chat.say("Xin hỏi khoản chi sửa đường thôn Ngọc Sơn trong dự toán là bao nhiêu tiền?")
    await chat.press("Bỏ qua")
    await chat.press("Không công khai")
    await chat.press("Gửi")
    async with world.factory() as s:
        case = (await s.exec(select(Case))).one()
        link = await s.get(DisclosureQuestion, case.id)
    assert case.route == "kien_nghi" and case.answer_due is not None
    assert link is not None and link.disclosure_id == d.id
    off = world.chat("official_a")
    await off._send(button=f"dkp:{d.id}")
    assert "Kiến nghị hỏi về nội dung này: 1" in off.text and case.code in off.text


async def test_taken_down_is_no_longer_shown_to_residents(world):
    d = await publish(world, title="Dự toán ngân sách 2027")
    off = world.chat("official_a")
    await off.say(f"/disclose takedown {d.id} Nhầm số liệu, sẽ đăng lại")
    assert "Đã gỡ" in off.text
    chat = world.chat("resident")
    await chat.say("/congkhai")
    assert d.title not in chat.text
    await chat._send(button=f"dko:{d.id}")
    assert "không còn được công khai" in chat.text
