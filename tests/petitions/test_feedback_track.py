"""The resident after sending: /mine, /status (own, someone else's, malformed), add information,
withdraw, rate with a comment, reopen, /public, and the personal-data hooks (/mydata, /forget)."""

from __future__ import annotations

from sqlmodel import select

from bot.core.errors import NotFound
from bot.core.i18n import gettext
from handlers.petitions.labels import OUTCOME_LABELS
from storage.petitions.codes import example_code, new_code, parse_code
from storage.petitions.errors import MalformedCode
from storage.petitions.models import Case
from tests.harness import Chat
from tests.petitions.support import all_cases, make_official, onboard, submit_report


async def test_status_only_for_the_author_and_same_answer_as_unknown(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    a, b = Chat(dispatcher, "t1"), Chat(dispatcher, "t2")
    await onboard(a)
    await onboard(b)
    code = await submit_report(a)
    await a.say(f"/status {code.lower()}")
    assert code in a.text and "Tình trạng" in a.text and "Quá trình xử lý" in a.text
    assert "Người gửi" not in a.text  # residents see no staff-only lines
    await b.say(f"/status {code}")
    other = b.text
    assert code not in other
    await b.say(f"/status {new_code('KB', 2026)}")  # well-formed, but no such petition
    assert b.text == other == gettext("vi", NotFound.msgid)
    await b.say("/status ???")
    example = example_code("KB")
    assert b.text == gettext("vi", MalformedCode.msgid, code="???", example=example)
    await b.say("/status")
    assert b.text == f"Xin gửi lệnh kèm mã tra cứu, ví dụ: /status {example}"
    await b.say(f"/status {example}")  # the example itself is a well-formed code (no such petition)
    assert b.text == other


def test_the_example_code_passes_the_check_character() -> None:
    for prefix, year in (("KB", 2026), ("KB", 2031), ("LH", 2027)):
        example = example_code(prefix, year)
        assert example.startswith(f"{prefix}-{year % 100}-") and parse_code(example, prefix) == example


async def test_mine_add_info_and_withdraw(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    a = Chat(dispatcher, "t3")
    await onboard(a)
    code = await submit_report(a)
    await a.say("/mine")
    assert code in a.text
    await a.press(f"Xem {code}")
    await a.press("Bổ sung thông tin")
    await a.press("Gửi")
    assert "trước" in a.text
    await a.say("Đèn hỏng ở cột số 12, cạnh cổng nhà văn hóa.")
    await a.press("Gửi")
    assert "đã được bổ sung" in a.text
    await a.say(f"/status {code}")
    assert "— đã bổ sung thông tin: Đèn hỏng ở cột số 12, cạnh cổng nhà văn hóa." in a.text
    await a.press("Rút ý kiến")
    withdraw_data = next(b.data for r in a.last for row in r.buttons for b in row if "Đồng ý rút" in b.label)
    await a.press("Đồng ý rút")
    assert "Đã rút" in a.text
    await a._send(button=withdraw_data)  # double tap: harmless
    [case] = await all_cases(session_factory)
    assert case.status == "withdrawn"


async def test_answer_rate_reopen_public_and_personal_data(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    a = Chat(dispatcher, "t4")
    await onboard(a)
    code = await submit_report(a, "Đường vào thôn có ổ gà lớn ở đoạn gần cầu, xe máy dễ ngã.")
    off = await make_official(session_factory, dispatcher, "t-off", "Lý Thường Kiệt")
    await off.say(f"/status {code}")
    await off.press("Trả lời và kết thúc")
    await off.press(gettext("vi", OUTCOME_LABELS["resolved"]))
    await off.say("Phường đã vá ổ gà ngày 20/11. Cảm ơn ông/bà đã phản ánh.")
    await off.press("Xác nhận")
    assert "Đã gửi câu trả lời" in off.text
    await a.say(f"/status {code}")
    assert "Phường đã vá ổ gà" in a.text
    await a.press("Đánh giá câu trả lời")
    await a.say("7")
    assert "từ 1 đến 5" in a.text
    await a.press("2★")
    await a.say("Vá chưa kỹ, đã lại bong.")
    assert "Cảm ơn ông/bà đã đánh giá" in a.text
    await a.press("Yêu cầu xem xét lại")
    await a.say("ngắn")
    assert "ít nhất 10" in a.text
    await a.say("Ổ gà đã bong trở lại sau hai ngày mưa.")
    assert "mở lại" in a.text
    [case] = await all_cases(session_factory)
    assert case.status == "reopened" and case.rating == 2 and case.rating_comment == "Vá chưa kỹ, đã lại bong."
    # /public shows it only once answered and consented; reopened is not answered
    await a.say("/public")
    assert "Phường đã vá" not in a.text
    await a.say("/mydata")
    assert code in a.text
    await a.say("/forget")
    await a.press("xóa dữ liệu")
    async with session_factory() as s:
        fresh = (await s.exec(select(Case))).one()
    assert fresh.author_id is None


async def test_public_lists_published_answers(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    a, b = Chat(dispatcher, "t5"), Chat(dispatcher, "t6")
    await onboard(a)
    await onboard(b)
    code = await submit_report(
        a, "Cần thêm thùng rác ở chợ thôn Thanh Sơn 1 vì rác để tràn ra đường.", category="Môi trường"
    )
    off = await make_official(session_factory, dispatcher, "t-off2", "Lý Thường Kiệt")
    await off.say(f"/status {code}")
    await off.press("Trả lời và kết thúc")
    await off.press(off.buttons()[0])
    await off.press("Mẫu 1")
    assert "đơn vị thu gom rác" in off.text  # the template, to confirm or correct
    await off.say("UBND phường đã đặt thêm hai thùng rác ở chợ thôn từ ngày 25/11.")
    assert "hai thùng rác" in off.text
    await off.press("Xác nhận")
    await b.say("/public")
    assert "thùng rác ở chợ" in b.text and "hai thùng rác" in b.text and "Dân" not in b.text
