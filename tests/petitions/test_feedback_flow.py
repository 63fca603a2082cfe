"""The resident's submission flow (/feedback) through the dispatcher: every route, each step's bad
input, editing from the summary, drafts that survive, double taps, floods and similar petitions."""

from __future__ import annotations

import re

from sqlmodel import select

from bot.core.i18n import gettext
from bot.core.messages import Attachment
from handlers.petitions.labels import ROUTE_EXPLANATIONS
from storage.petitions.models import CaseAttachment, CaseIdentity
from tests.harness import Chat
from tests.petitions.support import JPEG, PDF, all_cases, onboard, photo, submit_report

RATE_LIMITED = (
    "You have sent many petitions in a short time. Please wait a while before sending another one. Your draft is kept."
)


async def test_report_with_photo_location_and_summary(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(dispatcher, "r1")
    await onboard(chat)
    await chat.say("/feedback")
    assert "Phản ánh" in " ".join(chat.buttons()) and "Tố cáo" in " ".join(chat.buttons())
    await chat.press("Phản ánh")
    assert "ẩn danh" in chat.text
    await chat.press("Tiếp tục")
    await chat.press("Môi trường")
    await chat.share_location(20.55, 105.91)
    assert "Đã nhận vị trí" in chat.text
    await chat.say("Rác thải đổ trộm ở bờ kênh đầu thôn đã ba ngày, bốc mùi rất khó chịu.")
    await chat._send(attachments=(photo(),))
    assert "1/5" in chat.text
    await chat.press("Xong")
    await chat.press("Gửi ẩn danh")
    await chat.press("Không công khai")
    assert "Xin ông/bà kiểm tra lại" in chat.text and "Rác thải đổ trộm" in chat.text
    assert "Tệp đính kèm: 1" in chat.text and "Ẩn danh: có" in chat.text
    await chat.press("Gửi")
    assert "Mã tra cứu: KB-" in chat.text and "ngày làm việc" in chat.text
    assert re.search(r"chậm nhất ngày \d\d/\d\d/\d{4}", chat.text)
    [case] = await all_cases(session_factory)
    assert case.route == "phan_anh" and case.category == "environment" and case.anonymous
    assert case.latitude == 20.55 and not case.publish_consent
    async with session_factory() as s:
        atts = list(await s.exec(select(CaseAttachment)))
    assert [a.kind for a in atts] == ["photo"]


async def test_keyword_to_cao_needs_identity_and_keeps_it_confidential(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(dispatcher, "r2")
    await onboard(chat)
    await chat.say("to cao")
    assert gettext("vi", ROUTE_EXPLANATIONS["to_cao"]) in chat.text and "[bảo mật]" in chat.text
    await chat.press("Tiếp tục")
    assert "họ và tên" in chat.text
    await chat.say("X")
    assert "từ 2 đến 100" in chat.text
    await chat.say("Nguyễn Văn An")
    await chat.say("không có số")
    assert "0912 345 678" in chat.text
    await chat.say("0912 345 678")
    await chat.press("Thái độ")
    await chat.press("Cả phường")
    await chat.say("Cán bộ địa chính đòi tiền khi làm thủ tục cấp giấy chứng nhận quyền sử dụng đất.")
    await chat.press("Bỏ qua")
    # no anonymity and no publishing question for a denunciation
    assert "Xin ông/bà kiểm tra lại" in chat.text and "Ẩn danh" not in chat.text
    assert "Nguyễn Văn An" in chat.text
    await chat.press("Gửi")
    assert "Mã tra cứu" in chat.text and "bí mật" in chat.text
    [case] = await all_cases(session_factory)
    assert case.route == "to_cao" and not case.anonymous and not case.publish_consent
    async with session_factory() as s:
        ident = await s.get(CaseIdentity, case.id)
    assert ident is not None and ident.full_name == "Nguyễn Văn An" and ident.confidential
    assert ident.phone == "0912345678"


async def test_too_long_description_keeps_the_draft(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(dispatcher, "r3")
    await onboard(chat)
    await chat.say("/feedback")
    await chat.press("Kiến nghị")
    await chat.press("Tiếp tục")
    await chat.press("Giao thông")
    await chat.press("Thôn của tôi")
    await chat.say("a" * 4001)
    assert "4.001" in chat.text and "4.000" in chat.text and "Bản nháp vẫn được giữ" in chat.text
    await chat.say("ngắn")
    assert "ít nhất 15" in chat.text
    await chat.say("Đề nghị lắp thêm đèn đường ở ngõ 5 thôn Thanh Sơn 1.")
    assert "tối đa 5" in chat.text  # moved on to the files step, earlier answers intact
    await chat.press("Bỏ qua")
    await chat.press("Đồng ý, công khai")
    assert "Lĩnh vực: Giao thông" in chat.text and "Thôn Thanh Sơn 1" in chat.text
    assert await all_cases(session_factory) == []


async def test_bad_files_are_refused_politely(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(dispatcher, "r4")
    await onboard(chat)
    await chat.say("phan anh")
    await chat.press("Tiếp tục")
    await chat.press("Khác")
    await chat.press("Thôn của tôi")
    await chat.say("Cống thoát nước trước nhà văn hóa bị tắc, nước tràn ra đường.")
    await chat._send(attachments=(photo(size=25 * 1024 * 1024, content=JPEG),))
    assert "MB" in chat.text and "25" in chat.text and "0/5" not in chat.text
    await chat._send(attachments=(photo(content=PDF, name="anh.jpg"),))  # a PDF named .jpg
    assert "1/5" in chat.text
    await chat._send(attachments=(Attachment(kind="document", file_name="x.exe", content=b"MZ" + b"\0" * 50, size=52),))
    assert "1/5" in chat.text
    await chat.say("xin chào")
    assert "ảnh" in chat.text
    await chat.press("Xong")
    await chat.press("Gửi có ghi tên")
    await chat.press("Không công khai")
    await chat.press("Gửi")
    async with session_factory() as s:
        atts = list(await s.exec(select(CaseAttachment)))
    assert [(a.kind, a.mime_type) for a in atts] == [("document", "application/pdf")]


async def test_double_tapped_submit_makes_one_petition(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(dispatcher, "r5")
    await onboard(chat)
    await chat.say("gop y")
    await chat.press("Tiếp tục")
    await chat.press("Chính sách")
    await chat.press("Cả phường")
    await chat.say("Đề nghị phường mở lớp tập huấn sử dụng điện thoại thông minh cho người cao tuổi.")
    await chat.press("Bỏ qua")
    await chat.press("Không công khai")
    send = next(b for r in chat.last for row in r.buttons for b in row if b.label == "Gửi")
    first = await chat._send(button=send.data)
    second = await chat._send(button=send.data)
    [case] = await all_cases(session_factory)
    assert first[0].text.startswith("Cảm ơn ông/bà") and f"Mã tra cứu: {case.code}" in first[0].text
    # the second press answers with the same code: nothing new was filed
    assert second[0].text.startswith("Ý kiến này đã được gửi") and f"Mã tra cứu: {case.code}" in second[0].text


async def test_flood_of_submissions_is_rate_limited(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(dispatcher, "r6")
    await onboard(chat)
    reports = {
        "Giao thông": "Cầu tre qua mương đầu thôn đã mục, trẻ con đi học rất nguy hiểm.",
        "Môi trường": "Bãi rác tự phát cạnh nghĩa trang bốc mùi hôi suốt cả tuần nay.",
        "An ninh": "Nhóm thanh niên tụ tập đua xe trên đê vào mỗi tối thứ bảy.",
        "Đất đai": "Một hộ lấn chiếm lối đi chung của xóm để xây tường rào.",
        "Chính sách": "Xin hướng dẫn thủ tục hưởng trợ cấp cho người khuyết tật trong thôn.",
    }
    for cat, text in reports.items():
        await submit_report(chat, text, category=cat)
    await chat.say("/feedback")
    await chat.press("Phản ánh")
    await chat.press("Tiếp tục")
    await chat.press("Khác")
    await chat.press("Thôn của tôi")
    await chat.say("Sự việc số sáu cần phường kiểm tra và xử lý sớm giúp bà con.")
    await chat.press("Bỏ qua")
    await chat.press("Gửi có ghi tên")
    await chat.press("Không công khai")
    await chat.press("Gửi")
    assert chat.text.startswith(gettext("vi", RATE_LIMITED))  # a polite refusal, the draft kept
    assert len(await all_cases(session_factory)) == 5
    await chat.say("/feedback")  # the draft is still there
    assert "Làm tiếp bản nháp" in chat.buttons()
    await chat.press("Làm tiếp bản nháp")
    assert "Sự việc số sáu" in chat.text


async def test_draft_survives_other_commands_and_summary_edits(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(dispatcher, "r7")
    await onboard(chat)
    await chat.say("/feedback")
    await chat.press("Phản ánh")
    await chat.press("Tiếp tục")
    await chat.press("Giao thông")
    await chat.say("/help")
    await chat.say("/feedback")
    assert "bản nháp" in chat.text
    await chat.press("Làm tiếp bản nháp")
    assert "ở đâu" in chat.text  # back at the place step
    await chat.press("Thôn khác")
    await chat.press("Thôn Liên Sơn")
    await chat.say("Mặt đường bê tông bị nứt và sụt lún ở đoạn gần trường học.")
    await chat.press("Bỏ qua")
    await chat.press("Gửi có ghi tên")
    await chat.press("Không công khai")
    assert "Thôn Liên Sơn" in chat.text
    await chat.press("Sửa nội dung")
    await chat.say("Mặt đường bê tông bị nứt, sụt lún nặng ở đoạn gần trường tiểu học.")
    assert "Xin ông/bà kiểm tra lại" in chat.text and "trường tiểu học" in chat.text
    await chat.press("Sửa loại")
    await chat.press("Khiếu nại")
    await chat.press("Tiếp tục")
    assert "họ và tên" in chat.text  # the new route needs an identity, then back to the summary
    await chat.press("Dùng tên")
    await chat.say("0987654321")
    assert "Xin ông/bà kiểm tra lại" in chat.text and "Khiếu nại" in chat.text and "Ẩn danh" not in chat.text
    await chat.press("Hủy")
    assert await all_cases(session_factory) == []


async def test_similar_open_petition_offers_to_follow(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    a, b = Chat(dispatcher, "r8"), Chat(dispatcher, "r9")
    await onboard(a)
    await onboard(b)
    text = "Đèn đường ở ngõ 5 thôn Thanh Sơn 1 bị hỏng đã hai tuần, buổi tối rất tối."
    code = await submit_report(a, text)
    await b.say("/feedback")
    await b.press("Phản ánh")
    await b.press("Tiếp tục")
    await b.press("Giao thông")
    await b.press("Thôn của tôi")
    await b.say(text)
    await b.press("Bỏ qua")
    await b.press("Gửi có ghi tên")
    await b.press("Không công khai")
    await b.press("Gửi")
    assert code in b.text and "tương tự" in b.text
    await b.press(f"Theo dõi {code}")
    assert "đang theo dõi" in b.text
    assert len(await all_cases(session_factory)) == 1
    await b.say("/mine")
    assert code in b.text


async def test_files_are_fetched_through_the_wired_hook(services, dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    fetched: list[tuple[str, str | None]] = []

    async def fetch(channel: str, att: Attachment) -> bytes:
        fetched.append((channel, att.ref))
        if att.ref == "broken":
            raise OSError("network down")
        return JPEG

    dispatcher.fetch_file = fetch
    chat = Chat(dispatcher, "r10")
    await onboard(chat)
    await chat.say("phan anh")
    await chat.press("Tiếp tục")
    await chat.press("Khác")
    await chat.press("Thôn của tôi")
    await chat.say("Cây đổ chắn ngang đường liên thôn sau trận gió đêm qua.")
    await chat._send(attachments=(Attachment(kind="photo", ref="tg-file-1", size=1000),))
    assert "1/5" in chat.text
    await chat._send(attachments=(Attachment(kind="photo", ref="broken", size=1000),))
    assert "gửi lại" in chat.text and "1/5" in chat.text
    await chat._send(attachments=(Attachment(kind="photo", ref="huge", size=30 * 1024 * 1024),))
    assert ("test", "huge") not in fetched  # refused before downloading
    assert fetched == [("test", "tg-file-1"), ("test", "broken")]
