"""The public transparency page, without signing in: per-ward figures, the published answered
petitions anonymised and searchable — and never a name, a phone number or a denouncer's text,
whatever is searched; cached a minute (it says when it was computed), rate-limited per address."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest

from bot.dashboard import public_page
from tests.dashboard.stats_support import DENOUNCED_TEXT, NOW, PUBLISHED_TEXT, seed_known
from tests.dashboard.support import Server, axe_violations, shoot
from tests.petitions.staff_world import DENOUNCER, file_case
from tests.world import RESIDENTS, STAFF, World

PERSONAL = [
    "0912345678",
    "0987654321",
    "Nguyễn Văn Tư",
    "Phạm Minh",
    "Lê Văn Khải",
    DENOUNCER.full_name,
    DENOUNCER.phone,
]

ECHO = re.compile(r'(value|href)="[^"]*"')


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    public_page.CACHE.clear()
    public_page.LIMITS._buckets.clear()


async def _get(server: Server, path: str) -> tuple[int, str, Any]:
    async with aiohttp.ClientSession() as http, http.get(server.url + path) as r:
        return r.status, await r.text(), r.headers


async def _seed(world: World) -> None:
    await seed_known(world)
    # a denunciation filed through the services, its author asking for publication
    await file_case(
        world,
        route="to_cao",
        category="officials_conduct",
        identity=DENOUNCER,
        publish_consent=True,
        description="Tố cáo trưởng thôn thu tiền sai quy định của hộ bà Trần Thị Bình.",
    )


async def test_no_personal_data_whatever_is_searched(server: Server, world: World) -> None:
    await _seed(world)
    server.clock.at = NOW
    names = [r[4] for r in RESIDENTS] + [s[4] for s in STAFF]
    for query in (
        "",
        "?q=den",
        "?q=to+cao",
        "?q=Khải",
        "?q=0912345678",
        "?category=land",
        "?category=officials_conduct",
        "?lang=en",
    ):
        status, body, _ = await _get(server, "/public" + query)
        assert status == 200
        body = ECHO.sub("", body)  # the words the visitor typed come back in the search box and links
        for secret in [*PERSONAL, *names, DENOUNCED_TEXT, "thu tiền sai", "KB-STAT"]:
            assert secret not in body, (query, secret)
    status, body, headers = await _get(server, "/public?q=đèn đường")
    assert "Đèn đường ở ngõ 7 bị hỏng, ông […] số […] nhờ sửa." in body  # scrubbed, not dropped
    assert "Đã thay bóng đèn. Liên hệ anh […] qua […]." in body
    assert PUBLISHED_TEXT not in body
    assert "Content-Security-Policy" in headers and "public" in headers["Cache-Control"]


async def test_search_by_words_and_field(server: Server, world: World) -> None:
    await _seed(world)
    server.clock.at = NOW
    _, hit, _ = await _get(server, "/public?q=den+duong")
    _, miss, _ = await _get(server, "/public?q=ngập+lụt")
    _, other_field, _ = await _get(server, "/public?category=environment")
    assert "ngõ 7" in hit and "ngõ 7" not in miss and "ngõ 7" not in other_field


async def test_cached_a_minute_and_rate_limited(server: Server, world: World) -> None:
    await _seed(world)
    server.clock.at = NOW
    _, first, _ = await _get(server, "/public")
    await file_case(world, description="Cống thoát nước ở đầu thôn bị tắc, nước tràn ra đường.")
    _, again, _ = await _get(server, "/public")
    assert again == first  # the same page for a minute, with the time it was computed
    assert "20/03/2026" in first
    statuses = [(await _get(server, f"/public?q=w{i}"))[0] for i in range(25)]
    assert 429 in statuses and statuses[0] == 200
    assert (await _get(server, "/public"))[0] == 200  # the cached page is still served


async def test_the_public_page_in_chromium(server: Server, world: World, browser: Any) -> None:
    await _seed(world)
    server.clock.at = NOW
    page = await browser.new_page()
    await page.goto(f"{server.url}/public")
    assert await axe_violations(page) == []
    await shoot(page, "public")
    await page.set_viewport_size({"width": 360, "height": 800})
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
