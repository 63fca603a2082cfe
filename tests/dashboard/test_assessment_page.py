"""The yearly assessment: a row per ward with every feature's figures and what each means, counts
for a ward with fewer than 5 answers, the CSV with a BOM and Vietnamese intact, the page in
Chromium (A4 print, 360 and 1280 px, no serious axe violation)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from tests.dashboard.stats_support import NOW, seed_known
from tests.dashboard.support import ARTIFACTS, Server, axe_violations, shoot, sign_in
from tests.world import World


async def test_a_row_per_ward_with_every_feature(server: Server, world: World) -> None:
    await seed_known(world)
    server.clock.at = NOW
    http = await server.client("admin")
    async with http, http.get(server.url + "/admin/assessment?year=2026") as r:
        assert r.status == 200
        body = await r.text()
    main = body.split('id="main"', 1)[1]
    for ward in ("Kim Bảng", "Lê Hồ", "Tam Chúc", "Toàn địa bàn"):
        assert f'<th scope="row">{ward}</th>' in main
    for figure in ("Số ý kiến nhận được", "Số thông báo đã gửi", "Số lượt đọc bài học"):
        assert figure in main
    kim_bang = main.split('<th scope="row">Kim Bảng</th>', 1)[1].split("</tr>", 1)[0]
    le_ho = main.split('<th scope="row">Lê Hồ</th>', 1)[1].split("</tr>", 1)[0]
    le_ho = re.sub(r'data-label="[^"]*"', "", le_ho)  # the headers repeated for phones
    assert "83,3 %" in kim_bang
    assert "1 trên 1" in le_ho and "%" not in le_ho  # fewer than 5 answers: counts


async def test_the_csv_has_a_bom_and_vietnamese(server: Server, world: World) -> None:
    await seed_known(world)
    server.clock.at = NOW
    http = await server.client("official_a")
    async with http, http.get(server.url + "/admin/assessment.csv?year=2026") as r:
        assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv")
        raw = await r.read()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "Đơn vị" and "Số ý kiến nhận được" in rows[0]
    assert [r[0] for r in rows[1:]] == ["Kim Bảng"]  # an official sees their own ward only
    assert rows[1][rows[0].index("Số ý kiến nhận được")] == "7"


async def test_the_assessment_in_chromium(server: Server, world: World, browser: Any) -> None:
    await seed_known(world)
    server.clock.at = NOW
    page = await browser.new_page()
    await sign_in(page, server, "admin")
    await page.goto(f"{server.url}/admin/assessment?year=2026")
    assert await axe_violations(page) == []
    await shoot(page, "assessment")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.emulate_media(media="print")
    await page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi
    await page.screenshot(path=str(ARTIFACTS / "assessment-print.png"), full_page=True)
    assert await page.locator("header.top").is_hidden()
