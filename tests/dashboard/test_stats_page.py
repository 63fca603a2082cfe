"""The statistics page as staff see it: the known ward's figures, counts instead of shares for a
ward with fewer than 5 answers, another ward's figures refused like a page that does not exist,
the whole area ranked for its administrator; Chromium at 360 and 1280 px with no serious axe
violation."""

from __future__ import annotations

from typing import Any

from tests.dashboard.stats_support import NOW, seed_known
from tests.dashboard.support import Server, axe_violations, shoot, sign_in
from tests.world import World

PERIOD = "from=2026-01&to=2026-03"


async def _get(server: Server, key: str, path: str) -> tuple[int, str]:
    http = await server.client(key)
    async with http, http.get(server.url + path) as r:
        return r.status, await r.text()


async def test_the_known_ward_figures_on_the_page(server: Server, world: World) -> None:
    await seed_known(world)
    server.clock.at = NOW
    status, body = await _get(server, "official_a", f"/admin/stats?{PERIOD}")
    assert status == 200
    main = body.split('id="main"', 1)[1]
    assert "83,3 %" in main  # acknowledged and answered on time, Vietnamese decimals
    assert "20,0 %" in main  # reopened
    assert "3,00 (2 lượt đánh giá)" in main
    assert "Fewer than" not in main and "Ít hơn 5" not in main


async def test_a_ward_with_fewer_than_five_answers_shows_counts(server: Server, world: World) -> None:
    await seed_known(world)
    server.clock.at = NOW
    status, body = await _get(server, "official_b", f"/admin/stats?{PERIOD}")
    assert status == 200
    main = body.split('id="main"', 1)[1]
    assert "1 trên 1" in main and "100,0 %" not in main
    assert "Ít hơn 5 ý kiến được trả lời" in main


async def test_another_wards_figures_are_not_found(server: Server, world: World) -> None:
    await seed_known(world)
    status, _ = await _get(server, "official_b", f"/admin/stats?unit={world.ward_a}&{PERIOD}")
    missing, _ = await _get(server, "official_b", f"/admin/stats?unit=999999&{PERIOD}")
    assert status == missing == 404
    resident, _ = await _get(server, "village_head", f"/admin/stats?{PERIOD}")
    assert resident == 403


async def test_the_area_ranks_units_with_enough_answers(server: Server, world: World) -> None:
    await seed_known(world)
    server.clock.at = NOW
    status, body = await _get(server, "admin", f"/admin/stats?unit=all&{PERIOD}")
    assert status == 200
    ranked, unranked = body.split("Các đơn vị có ít hơn 5 ý kiến được trả lời", 1)
    assert "Kim Bảng" in ranked.split("Đơn vị có từ 5", 1)[1]
    assert "Lê Hồ" in unranked.split("</table>", 1)[0]


async def test_the_page_in_chromium(server: Server, world: World, browser: Any) -> None:
    await seed_known(world)
    server.clock.at = NOW
    page = await browser.new_page()
    await sign_in(page, server, "head_a")
    await page.goto(f"{server.url}/admin/stats?{PERIOD}")
    assert await page.locator("h1").inner_text() != ""
    assert await axe_violations(page) == []
    await shoot(page, "stats")
    await page.set_viewport_size({"width": 360, "height": 800})
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    await page.get_by_role("button", name="English").click()
    await page.wait_for_load_state()
    assert (await page.locator("h1").inner_text()).startswith("Statistics: Kim Bảng")
    assert await page.locator("text=83.3 %").count() >= 2  # English decimals
    assert await axe_violations(page) == []
    await shoot(page, "stats-en")
