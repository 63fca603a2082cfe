"""Each of the dashboard's operational pages in Chromium at 360 px and 1280 px: no serious or
critical axe-core violation, and screenshots in test-artifacts/dashboard/ to look at."""

from __future__ import annotations

import re
from typing import Any

from tests.dashboard.support import Server, axe_violations, shoot, sign_in
from tests.petitions.staff_world import DENOUNCER, file_case
from tests.world import World


async def _check(page: Any, name: str) -> None:
    await shoot(page, name)
    for width in (360, 1280):
        await page.set_viewport_size({"width": width, "height": 800})
        bad = await axe_violations(page)
        assert bad == [], (name, width, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in bad])
        overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (name, width, "wider than the screen")


async def test_pages_are_accessible_at_phone_and_desktop_widths(server: Server, world: World, browser: Any) -> None:
    case = await file_case(world)
    await file_case(
        world,
        village_id=world.village_a2,
        category="environment",
        description="Rác thải đổ bừa bãi cạnh kênh thôn A2, bốc mùi hôi thối.",
    )
    await file_case(
        world,
        route="to_cao",
        category="other",
        description="Tố cáo cán bộ địa chính thu tiền sai quy định khi cấp giấy chứng nhận.",
        identity=DENOUNCER,
    )
    page = await browser.new_page()
    await page.goto(await server.link("head_a"))
    await _check(page, "login")
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(re.compile(r"/admin/queue"))
    await _check(page, "queue")
    await page.goto(f"{server.url}/admin/case/{case.code}")
    await _check(page, "case")
    await page.goto(f"{server.url}/admin/audit")
    await _check(page, "audit")
    await page.goto(f"{server.url}/admin/case/KB-26-ZZZZZZ")
    await _check(page, "not-found")
    await page.get_by_role("button", name="English").click()
    await page.goto(f"{server.url}/admin/queue")
    await _check(page, "queue-en")


async def test_inspector_sees_no_action_form(server: Server, world: World, browser: Any) -> None:
    case = await file_case(world)
    page = await browser.new_page()
    await sign_in(page, server, "inspector_a")
    await page.goto(f"{server.url}/admin/case/{case.code}")
    assert await page.locator("form[action$='/act']").count() == 0
    assert await page.locator("input[name=pick]").count() == 0
    await _check(page, "case-inspector")
