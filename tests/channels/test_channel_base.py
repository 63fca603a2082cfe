"""The channel-neutral helpers: joining plain replies, numbered choices for button-less platforms."""

from __future__ import annotations

from bot.channels.base import choice_for_number, coalesce, numbered_fallback
from bot.core.messages import Attachment, Button, Reply


def test_plain_replies_join_the_next_one() -> None:
    out = coalesce([Reply("Đã lưu."), Reply("Thôn nào?", buttons=((Button("Thôn 1", "1:a"),),))])
    assert len(out) == 1 and out[0].text == "Đã lưu.\n\nThôn nào?" and out[0].buttons


def test_a_joined_message_keeps_what_may_not_be_stored_out_of_its_stored_copy() -> None:
    secret = Reply("Phiếu của hộ: Tán thành.", stored_text="Phiếu của hộ đã được ghi nhận.")
    [out] = coalesce([secret, Reply("Ông/bà muốn làm gì?")])
    assert out.text == "Phiếu của hộ: Tán thành.\n\nÔng/bà muốn làm gì?"
    assert out.to_dict()["text"] == "Phiếu của hộ đã được ghi nhận.\n\nÔng/bà muốn làm gì?"
    [out] = coalesce([Reply("Đã lưu."), secret])
    assert out.to_dict()["text"] == "Đã lưu.\n\nPhiếu của hộ đã được ghi nhận."
    assert coalesce([Reply("Đã lưu."), Reply("Tiếp")])[0].stored_text is None


def test_buttons_attachments_and_contact_requests_stay_separate() -> None:
    with_buttons = Reply("Chọn", buttons=((Button("A", "1:a"),),))
    photo = Reply("Ảnh", attachments=(Attachment(kind="photo", content=b"x"),))
    contact = Reply("Số điện thoại?", request_contact=True)
    assert len(coalesce([with_buttons, Reply("Tiếp")])) == 2
    assert len(coalesce([Reply("Trước"), photo])) == 2
    assert len(coalesce([contact, Reply("Sau")])) == 2
    assert len(coalesce([Reply("Xong", remove_keyboard=True), contact])) == 2


def test_keyboard_removal_carries_over_and_length_is_bounded() -> None:
    out = coalesce([Reply("Đã lưu số.", remove_keyboard=True), Reply("Ông/bà muốn làm gì?")])
    assert len(out) == 1 and out[0].remove_keyboard
    assert len(coalesce([Reply("x" * 3000), Reply("y" * 2000)], max_len=4096)) == 2


def test_numbered_choices_map_back() -> None:
    r = Reply(
        "Chọn phường", buttons=((Button("Kim Bảng", "3:1"), Button("Lê Hồ", "3:2")), (Button("Tam Chúc", "3:3"),))
    )
    assert numbered_fallback(r).splitlines()[1:] == ["1. Kim Bảng", "2. Lê Hồ", "3. Tam Chúc"]
    assert (
        choice_for_number(r, " 3. ") == "3:3"
        and choice_for_number(r, "4") is None
        and choice_for_number(r, "ba") is None
    )
