"""Issue 10, item 13: answer templates show a short title on their button and the full text before
sending; a template's blanks are asked for one by one and a text with a blank left never reaches the
resident; the two ways of writing to the resident say which one only writes and which one answers
and closes the petition."""

from __future__ import annotations

from pathlib import Path

from storage.petitions.config import load_config
from tests.petitions.staff_world import file_case, fresh, pushes
from tests.world import World

TEMPLATE_1 = (
    "UBND phường đã tiếp nhận phản ánh về hạ tầng giao thông và đã cử cán bộ kiểm tra hiện trường. "
    "Việc sửa chữa dự kiến hoàn thành trước ngày [ngày hoàn thành]."
)


async def test_a_template_with_a_blank_is_completed_before_it_is_sent(world: World) -> None:
    case = await file_case(world)
    off = world.chat("official_a")
    await off.say(f"/status {case.code}")
    await off.press("Trả lời và kết thúc")
    await off.press("đã giải quyết")
    assert "Khi gửi, ý kiến được trả lời và kết thúc" in off.text
    assert off.buttons() == ["Mẫu 1: Đã cử cán bộ kiểm tra", "Mẫu 2: Thuộc đơn vị khác", "Hủy"]
    await off.press("Mẫu 1")
    assert TEMPLATE_1 in off.text  # the full text, in the preview
    assert "Mẫu còn chỗ trống cần điền: [ngày hoàn thành]" in off.text
    assert not [b for b in off.buttons() if "Xác nhận" in b]  # nothing to confirm yet
    await off.say("[ngày hoàn thành]")  # the blank typed back is no answer
    assert "Mẫu còn chỗ trống cần điền: [ngày hoàn thành]" in off.text
    await off.say("20/12/2026")
    done = TEMPLATE_1.replace("[ngày hoàn thành]", "20/12/2026")
    assert done in off.text
    assert off.buttons() == ["Xác nhận: gửi câu trả lời và kết thúc", "Viết lại", "Hủy"]
    await off.say(TEMPLATE_1)  # a corrected text that still has the blank goes back to the blank
    assert "Mẫu còn chỗ trống cần điền: [ngày hoàn thành]" in off.text
    await off.say("20/12/2026")
    await off.press("Xác nhận")
    assert "Đã gửi câu trả lời" in off.text
    answered = await fresh(world, case.id)
    assert answered.status == "answered" and answered.answer_text == done
    told = [p["text"] for p in await pushes(world, "resident")]
    assert done in told[-1] and "[" not in told[-1] and "..." not in told[-1]


async def test_a_message_only_writes_and_the_answer_closes(world: World) -> None:
    case = await file_case(world)
    off = world.chat("official_a")
    await off.say(f"/status {case.code}")
    assert "Nhắn người dân (chưa kết thúc)" in off.buttons() and "Trả lời và kết thúc" in off.buttons()
    await off.press("Nhắn người dân")
    assert "Tin nhắn chỉ gửi đến người dân, ý kiến vẫn đang xử lý" in off.text
    assert "“Trả lời và kết thúc”" in off.text
    await off.press("Mẫu 2")
    await off.say("Công ty Quản lý đường bộ")
    assert off.buttons()[0] == "Xác nhận: chỉ gửi tin nhắn (chưa kết thúc)"
    await off.press("Xác nhận")
    assert "Đã gửi trả lời" in off.text
    after = await fresh(world, case.id)
    assert after.status == "in_progress" and after.is_open and after.answer_text is None
    told = [p["text"] for p in await pushes(world, "resident")]
    assert "chuyển kiến nghị đến Công ty Quản lý đường bộ để xử lý" in told[-1]


async def test_templates_of_older_files_get_titles_and_blanks(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[2] / "bot" / "deployments" / "kim_bang"
    for name in ("deployment.yaml", "deadlines.yaml", "calendar.yaml"):
        (tmp_path / name).write_text((src / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "cases.yaml").write_text(
        "templates:\n  other:\n    vi:\n"
        '      - "UBND phường đã tiếp nhận và xem xét nội dung ông/bà nêu. Kết quả: ..."\n'
        '      - title: "Ngắn"\n        text: "Đã xong."\n',
        encoding="utf-8",
    )
    first, second = load_config(tmp_path).answer_templates("roads", "vi")
    assert first.title == "UBND phường đã tiếp nhận và…" and len(first.title) <= 29  # cut between words
    assert first.blanks == ["[…]"] and first.text.endswith("Kết quả: […]")
    assert (second.title, second.text, second.blanks) == ("Ngắn", "Đã xong.", [])
