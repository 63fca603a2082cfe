"""Issue 10, item 14: a button older than the petition's last change says who changed it — the person
pressing it, another official, or nobody on the staff (the resident) — and never invents another
official; the fresh view follows."""

from __future__ import annotations

from storage import petitions
from tests.petitions.staff_world import button_data, file_case, fresh, pushes
from tests.world import World

YOU = "Ông/bà đã cập nhật ý kiến này sau tin nhắn đó"
OTHER = "Một cán bộ khác đã cập nhật ý kiến này sau tin nhắn đó"
CHANGED = "Ý kiến này đã thay đổi kể từ tin nhắn đó"


async def test_pressing_ones_own_earlier_acknowledge(world: World) -> None:
    case = await file_case(world)
    [_, ack] = button_data(await pushes(world, "official_a"))
    off = world.chat("official_a")
    await off._send(button=ack)
    assert off.text.startswith("Đã tiếp nhận")
    await off.say(f"/status {case.code}")
    await off.press("Bắt đầu xử lý")
    await off._send(button=ack)  # the notification's "Tiếp nhận", once more
    assert off.text.startswith(f"{YOU} (bắt đầu xử lý, lúc ")
    assert "cán bộ khác" not in off.text and f"Ý kiến {case.code}" in off.text
    assert (await fresh(world, case.id)).status == "in_progress"


async def test_another_official_and_the_resident(world: World) -> None:
    case = await file_case(world)
    off, colleague = world.chat("official_a"), world.chat("official_a2")
    await off.say(f"/status {case.code}")
    await colleague.say(f"/status {case.code}")
    await colleague.press("Tiếp nhận")
    await off.press("Tiếp nhận")  # shown at version 1, acknowledged since by the colleague
    assert off.text.startswith(f"{OTHER} (đã tiếp nhận, lúc ")
    await off.press("Bắt đầu xử lý")  # from the fresh view: it works
    assert (await fresh(world, case.id)).status == "in_progress"
    async with world.factory() as s:
        resident = await world.person(s, "resident")
        await petitions.withdraw(s, petitions.config_for(world.services), case.id, resident, now=world.services.now())
        await s.commit()
    await colleague.press("Đề nghị bổ sung")  # an old view, changed by the resident since
    assert colleague.text.startswith(CHANGED) and "cán bộ khác" not in colleague.text
    assert (await fresh(world, case.id)).status == "withdrawn"
