"""Issue 10, item 23: after a tố cáo is transferred, the denouncer's identity goes with the file only
to whoever settles it (Law on Denunciation 2018, Art. 47): the head of the unit now responsible may
reveal it, with a recorded reason; everyone else is refused before any reason is asked — the
sending unit's head (the petition is no longer theirs) as for a petition that does not exist."""

from __future__ import annotations

from bot.core.errors import NotFound, PermissionDenied
from bot.core.i18n import gettext
from storage.conversations.models import Conversation
from tests.harness import Chat
from tests.petitions.staff_world import DENOUNCER, audit_rows, file_case, fresh
from tests.world import World

ASKS_REASON = "Vì sao cần xem danh tính người tố cáo"


async def _denounce_and_transfer(world: World) -> tuple[int, str, str]:
    """A tố cáo in ward A, transferred to ward B through the chat. Returns its id, code and the
    head of ward A's old "Xem danh tính" button."""
    case = await file_case(
        world,
        route="to_cao",
        category="officials_conduct",
        identity=DENOUNCER,
        description="Một cán bộ yêu cầu nộp tiền ngoài quy định khi làm hồ sơ đất.",
    )
    head_a = world.chat("head_a")
    await head_a.say(f"/status {case.code}")
    assert "Người gửi: [bảo mật]" in head_a.text
    old_reveal = next(b.data for r in head_a.last for row in r.buttons for b in row if b.label == "Xem danh tính")
    off_a = world.chat("official_a")
    await off_a.say(f"/status {case.code}")
    await off_a.press("Chuyển đơn vị")
    await off_a.press("Lê Hồ")
    await off_a.say("Người bị tố cáo công tác tại phường Lê Hồ.")
    await off_a.press("Xác nhận")
    assert "Đã chuyển" in off_a.text
    assert case.id is not None
    return case.id, case.code, old_reveal


async def _asked_nothing(world: World, key: str) -> bool:
    async with world.factory() as s:
        conv = await s.get(Conversation, world.ids[key])
    return conv is None or conv.flow is None


async def test_the_receiving_units_head_reveals_after_a_transfer(world: World) -> None:
    case_id, code, _ = await _denounce_and_transfer(world)
    head_b = world.chat("head_b")
    await head_b.say(f"/status {code}")
    assert "Người gửi: [bảo mật]" in head_b.text and "Trần Thị Bình" not in head_b.text
    await head_b.press("Xem danh tính")
    assert ASKS_REASON in head_b.text
    await head_b.say("Cần gặp trực tiếp người tố cáo để xác minh nội dung.")
    await head_b.press("Xác nhận")
    assert "Trần Thị Bình" in head_b.text and "0912000111" in head_b.text
    [shown] = await audit_rows(world, "case.identity_revealed")
    assert shown.actor_id == world.ids["head_b"] and shown.unit_id == world.ward_b
    assert shown.data["reason"] == "Cần gặp trực tiếp người tố cáo để xác minh nội dung."
    [moved] = await audit_rows(world, "case.transfer")
    assert moved.data["identity_to_unit"] == world.ward_b
    assert (await fresh(world, case_id)).unit_id == world.ward_b


async def test_everyone_else_is_refused_before_the_reason(world: World) -> None:
    case_id, code, old_reveal = await _denounce_and_transfer(world)
    version = (await fresh(world, case_id)).version
    head_a = world.chat("head_a")  # the sending unit's head, from the button they were shown
    await head_a._send(button=old_reveal)
    assert head_a.text == gettext("vi", NotFound.msgid) and await _asked_nothing(world, "head_a")
    await head_a._send(button=f"c:reveal:{code}:{version}")
    assert head_a.text == gettext("vi", NotFound.msgid) and await _asked_nothing(world, "head_a")
    off_b = world.chat("official_b")  # the receiving unit's official: masked, no button, refused at once
    await off_b.say(f"/status {code}")
    assert "Người gửi: [bảo mật]" in off_b.text and "Xem danh tính" not in off_b.buttons()
    await off_b._send(button=f"c:reveal:{code}:{version}")
    assert off_b.text == gettext("vi", PermissionDenied.msgid) and await _asked_nothing(world, "official_b")
    other: Chat = world.chat("admin")  # a district admin above both units does not settle it either
    await other._send(button=f"c:reveal:{code}:{version}")
    assert ASKS_REASON not in other.text and await _asked_nothing(world, "admin")
    assert "Trần Thị Bình" not in head_a.text + off_b.text + other.text
    assert await audit_rows(world, "case.identity_revealed") == []
    assert len(await audit_rows(world, "permission.denied")) == 4  # every refusal is on record
