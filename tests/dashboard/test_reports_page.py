"""Notices and campaigns: a notice's delivery report per chat app and per village with the
"seen" marks, for the staff who may send to its units (another ward's official: the 404 of
nothing), quiz results per village; the pages in Chromium without serious axe violations."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select, update

import handlers.notices.notify  # noqa: F401  (notices are built there)
from storage.learning.models import LessonProgress
from storage.notices import services as notices
from storage.outbox.models import OutboxMessage
from tests.dashboard.support import Server, axe_violations, shoot, sign_in
from tests.world import World


async def _notice(world: World) -> int:
    async with world.factory() as s:
        author = await world.person(s, "official_a")
        grants = await world.grants(s, "official_a")
        notice = await notices.create(s, author, grants, [world.ward_a], "Lịch tiêm phòng cho trẻ em vào thứ Bảy.")
        await notices.dispatch(s, notice.id or 0, now=world.services.now())
        rows = list(
            await s.exec(select(OutboxMessage).where(OutboxMessage.ref_id == notice.id).order_by(col(OutboxMessage.id)))
        )
        await s.exec(update(OutboxMessage).where(col(OutboxMessage.id) == rows[0].id).values(status="sent"))  # type: ignore[call-overload]
        await s.exec(update(OutboxMessage).where(col(OutboxMessage.id) == rows[1].id).values(status="unreachable"))  # type: ignore[call-overload]
        await notices.mark_seen(s, notice.id or 0, world.ids["resident"])
        s.add(
            LessonProgress(
                person_id=world.ids["resident"], lesson_id="x", choice=1, correct=True, answered_at=world.services.now()
            )
        )
        s.add(
            LessonProgress(
                person_id=world.ids["neighbour"],
                lesson_id="x",
                choice=2,
                correct=False,
                answered_at=world.services.now(),
            )
        )
        await s.commit()
        return notice.id or 0


async def test_a_notice_report_by_app_and_village(server: Server, world: World) -> None:
    nid = await _notice(world)
    http = await server.client("official_a")
    async with http:
        async with http.get(f"{server.url}/admin/reports/notice/{nid}") as r:
            assert r.status == 200
            body = await r.text()
        async with http.get(f"{server.url}/admin/reports") as r:
            overview = await r.text()
    main = body.split('id="main"', 1)[1]
    assert "Lịch tiêm phòng" in main and "Theo thôn của người nhận" in main
    village = main.split("Theo thôn của người nhận", 1)[1]
    assert "Thôn Ngọc Sơn" in village or "A1" in village
    assert "50,0 %" in overview  # quiz: one of two answers correct in village A1


async def test_another_wards_official_gets_not_found(server: Server, world: World) -> None:
    nid = await _notice(world)
    http = await server.client("official_b")
    async with http:
        async with http.get(f"{server.url}/admin/reports/notice/{nid}") as r:
            status = r.status
        async with http.get(f"{server.url}/admin/reports/notice/999999") as r:
            missing = r.status
    assert status == missing == 404


async def test_reports_in_chromium(server: Server, world: World, browser: Any) -> None:
    nid = await _notice(world)
    page = await browser.new_page()
    await sign_in(page, server, "official_a")
    for path, name in (("/admin/reports", "reports"), (f"/admin/reports/notice/{nid}", "notice-report")):
        await page.goto(server.url + path)
        assert await axe_violations(page) == []
        await shoot(page, name)
