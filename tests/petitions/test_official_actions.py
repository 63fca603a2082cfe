"""Officials in chat: /queue (order, pages, filters), opening a case, every action through the
``c:`` buttons and the small text flow, permission refusals (audited), two officials at once,
denouncer confidentiality and the unit head's reveal."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.core.errors import NotFound
from bot.core.i18n import gettext
from storage.audit.models import AuditEvent
from storage.outbox.models import OutboxMessage
from storage.petitions.models import Case, CaseEvent
from tests.harness import Chat
from tests.petitions.support import all_cases, make_official, onboard, submit_report

LTK = "Lý Thường Kiệt"
TOPICS = ("Cống thoát nước bị tắc", "Cây đổ chắn ngang lối đi", "Loa truyền thanh không nghe được")


async def test_notification_ack_and_html_shown_as_text(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    off = await make_official(session_factory, dispatcher, "o1", LTK)
    a = Chat(dispatcher, "o-r1")
    await onboard(a)
    code = await submit_report(a, "<b>Đường</b> hỏng <script>alert(1)</script> ở ngõ 5, đề nghị sửa.")
    async with session_factory() as s:
        notes = [r for r in await s.exec(select(OutboxMessage)) if r.recipient == "o1"]
    assert notes, "the official is notified"
    ack = next(
        b["data"] for n in notes for row in n.payload["buttons"] for b in row if b["data"].startswith("c:acknowledge:")
    )
    await off._send(button=ack)
    assert "Đã tiếp nhận" in off.text
    assert "<b>Đường</b> hỏng <script>alert(1)</script>" in off.text  # plain text, verbatim; channels escape
    assert "Người gửi: Dân" in off.text and "Hạn trả lời" in off.text
    [case] = await all_cases(session_factory)
    assert case.status == "acknowledged"
    await off._send(button=ack)  # again, from the old notification: already done → fresh view
    assert off.text.startswith("Ông/bà đã cập nhật ý kiến này sau tin nhắn đó (đã tiếp nhận")
    assert code in off.text and "cán bộ khác" not in off.text
    await off._send(button=f"c:ack:{code}")  # the short name of older buttons is still understood
    assert off.text.startswith("Ông/bà đã cập nhật ý kiến này") and code in off.text


async def test_official_of_another_ward_is_refused_and_audited(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    await make_official(session_factory, dispatcher, "o2", LTK)
    other = await make_official(
        session_factory, dispatcher, "o3", "Kim Bảng", commune="kim bang", village="Thôn Ngọc Sơn"
    )
    a = Chat(dispatcher, "o-r2")
    await onboard(a)
    code = await submit_report(a)
    [case] = await all_cases(session_factory)
    await other._send(button=f"c:ack:{code}")
    assert other.text == gettext("vi", NotFound.msgid)  # as for a petition that does not exist
    await other._send(button=f"c:reply:{code}:1")
    assert other.text == gettext("vi", NotFound.msgid)
    await other.say(f"/status {code}")
    assert code not in other.text
    await other.say("/queue")
    assert code not in other.text
    async with session_factory() as s:
        denied = list(await s.exec(select(AuditEvent).where(AuditEvent.action == "permission.denied")))
        fresh = await s.get(Case, case.id)
    assert len(denied) == 2 and fresh is not None and fresh.status == "new"


async def test_queue_pages_filters_and_overdue_first(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    off = await make_official(session_factory, dispatcher, "o4", LTK)
    residents = [Chat(dispatcher, f"o-q{i}") for i in range(4)]
    cats = ["Giao thông", "Môi trường", "An ninh", "Đất đai", "Chính sách"]
    codes = []
    for i, r in enumerate(residents):
        await onboard(r)
        for j in range(3):
            codes.append(
                await submit_report(
                    r, f"{TOPICS[j]} ở xóm {i + 1}, đề nghị phường kiểm tra giúp bà con.", category=cats[(i + j) % 5]
                )
            )
    async with session_factory() as s:
        late = (await s.exec(select(Case).where(Case.code == codes[-1]))).one()
        late.answer_due = late.created_at - timedelta(days=3)
        s.add(late)
        await s.commit()
    await off.say("/queue")
    first_page = off.text
    assert codes[-1] in first_page.splitlines()[1] and "QUÁ HẠN" in first_page.splitlines()[1]
    shown = [c for c in codes if c in first_page]
    assert 5 <= len(shown) <= 10
    await off.press("Trang sau")
    assert [c for c in codes if c in off.text and c not in shown]
    await off.press("Lọc theo lĩnh vực")
    await off.press("Môi trường")
    assert "Lọc: " in off.text
    envs = [c for c in codes if c in off.text]
    async with session_factory() as s:
        want = {c.code for c in await s.exec(select(Case).where(Case.category == "environment"))}
    assert set(envs) == want
    await off.press("Bỏ lọc")
    await off.press("Lọc theo tình trạng")
    await off.press("đã trả lời")
    assert "Không có ý kiến nào" in off.text
    await off.press("Bỏ lọc")
    await off.press(f"Xem {codes[0]}")
    assert "Nội dung:" in off.text and "Tiếp nhận" in off.buttons()


async def test_two_officials_at_once_one_wins(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    o1 = await make_official(session_factory, dispatcher, "o5", LTK)
    o2 = await make_official(session_factory, dispatcher, "o6", LTK)
    a = Chat(dispatcher, "o-r3")
    await onboard(a)
    code = await submit_report(a)
    await o1.say(f"/status {code}")
    await o2.say(f"/status {code}")
    await o1.press("Từ chối")
    await o2.press("Từ chối")
    await o1.say("Việc này thuộc thẩm quyền của công ty điện lực.")
    await o2.say("Không thuộc phạm vi của phường.")
    await o1.press("Xác nhận")
    assert "Đã từ chối" in o1.text
    await o2.press("Xác nhận")
    assert o2.text.startswith("Một cán bộ khác đã cập nhật ý kiến này sau tin nhắn đó (đã từ chối")
    async with session_factory() as s:
        rejects = list(await s.exec(select(CaseEvent).where(CaseEvent.action == "reject")))
    assert len(rejects) == 1 and rejects[0].text and "điện lực" in rejects[0].text


async def test_request_info_then_resident_adds_it(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    off = await make_official(session_factory, dispatcher, "o7", LTK)
    a = Chat(dispatcher, "o-r4")
    await onboard(a)
    code = await submit_report(a)
    await off.say(f"/status {code}")
    await off.press("Đề nghị bổ sung")
    await off.say("Xin cho biết số cột điện gần nhất.")
    await off.press("Viết lại")
    await off.say("Xin ông/bà cho biết số cột điện gần nhất.")
    await off.press("Xác nhận")
    assert "tạm dừng" in off.text
    await a.say(f"/status {code}")
    assert "chờ" in a.text.lower()
    await a.press("Bổ sung thông tin")
    await a.say("Cột số 12.")
    await a.press("Gửi")
    [case] = await all_cases(session_factory)
    assert case.status != "waiting_for_resident" and case.paused_at is None


async def test_transfer_assign_and_inspector_read_only(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    off = await make_official(session_factory, dispatcher, "o8", LTK)
    colleague = await make_official(session_factory, dispatcher, "o9", LTK)
    insp = await make_official(session_factory, dispatcher, "o10", LTK, role="inspector")
    a = Chat(dispatcher, "o-r5")
    await onboard(a)
    code = await submit_report(a)
    await insp.say(f"/status {code}")
    assert code in insp.text and not insp.buttons()
    await insp.say("/queue")
    await insp.press(f"Xem {code}")
    assert "Nội dung:" in insp.text and not insp.buttons()
    await insp._send(button=f"c:ack:{code}")
    assert (await all_cases(session_factory))[0].status == "new"  # read-only
    await off.say(f"/status {code}")
    await off.press("Phân công")
    await off.press("Dân")  # both officials are called "Dân" in the harness; any is fine
    assert "Đã phân công" in off.text
    await off.press("Chuyển đơn vị")
    await off.press("Kim Bảng")
    await off.say("Thuộc địa bàn phường Kim Bảng.")
    await off.press("Xác nhận")
    assert "Đã chuyển" in off.text
    [case] = await all_cases(session_factory)
    assert case.status == "transferred"
    await colleague.say(f"/status {code}")
    assert code not in colleague.text


async def test_denunciation_is_masked_and_only_the_head_reveals(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    off = await make_official(session_factory, dispatcher, "o11", LTK)
    head = await make_official(session_factory, dispatcher, "o12", LTK, role="unit_head")
    a = Chat(dispatcher, "o-r6")
    await onboard(a)
    await a.say("to cao")
    await a.press("Tiếp tục")
    await a.say("Trần Thị Bình")
    await a.say("0912000111")
    await a.press("Thái độ")
    await a.press("Cả phường")
    await a.say("Một cán bộ yêu cầu nộp tiền ngoài quy định khi làm hồ sơ.")
    await a.press("Bỏ qua")
    await a.press("Gửi")
    [case] = await all_cases(session_factory)
    await off.say(f"/status {case.code}")
    assert "[bảo mật]" in off.text and "Trần Thị Bình" not in off.text and "0912000111" not in off.text
    assert "Xem danh tính" not in off.buttons()
    await off._send(button=f"c:reveal:{case.code}:{case.version}")
    assert "Trần Thị Bình" not in off.text
    await head.say(f"/status {case.code}")
    await head.press("Xem danh tính")
    await head.say("Cần xác minh để bảo vệ người tố cáo theo quy định.")
    await head.press("Xác nhận")
    assert "Trần Thị Bình" in head.text
    async with session_factory() as s:
        actions = [e.action for e in await s.exec(select(AuditEvent))]
    assert "case.identity_revealed" in actions and "permission.denied" in actions
