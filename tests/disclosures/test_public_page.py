"""The public register on the web (no sign-in), in real chromium at 360 px: the list, search,
one item with its documents and earlier versions, English with ?lang=en, everything escaped, a
strict CSP and no script; a document is served only while the item is public, or to staff with
the one-hour pass the chat gives them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import bot.disclosures_page as page_mod
from bot.disclosures_page import setup_disclosures_page
from bot.web import security_headers
from storage.db import utcnow
from storage.disclosures import queries, services
from storage.petitions.files import LocalFileStore, store_upload
from tests.browser import CHROMIUM_ARGS, launch_chromium
from tests.disclosures.support import cfg, local_today
from tests.world import World

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Site:
    url: str
    world: World
    disclosure_id: int
    document_id: int


@pytest.fixture
async def site(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Site]:
    store = LocalFileStore(tmp_path / "uploads")
    monkeypatch.setattr(page_mod, "get_store", lambda _cfg: store)
    stored = await store_upload(store, PDF, file_name="du-toan-2027.pdf")
    today = local_today(world)
    async with world.factory() as s:
        off, grants = await world.person(s, "official_a"), await world.grants(s, "official_a")
        d = await services.publish(
            s,
            cfg(world),
            off,
            grants,
            services.DisclosureInput(
                "du_toan_ngan_sach",
                world.ward_a,
                "Dự toán ngân sách phường năm 2027 <script>alert(1)</script>",
                "Tổng thu dự kiến 12 tỷ đồng.\nTổng chi 11 tỷ đồng, trong đó 2 tỷ cho đường thôn.",
                today,
                today + timedelta(days=29),
                documents=[services.NewDocument(stored)],
                ways=[("niem_yet_tru_so", today)],
            ),
            today=today,
        )
        await s.commit()
        await services.edit(
            s,
            cfg(world),
            off,
            grants,
            d.id,
            today=today,
            summary="Tổng thu dự kiến 12,5 tỷ đồng.\nTổng chi 11 tỷ đồng.",
        )
        await services.publish(
            s,
            cfg(world),
            off,
            grants,
            services.DisclosureInput(
                "thu_hoi_dat",
                world.village_a1,
                "Thu hồi đất mở rộng đường liên thôn",
                "Danh sách 12 hộ có đất bị thu hồi và mức bồi thường.",
                today,
                today + timedelta(days=44),
            ),
            today=today,
        )
        await s.commit()
        doc_id = (await queries.documents(s, d.id))[0].id
    app = web.Application(middlewares=[security_headers])
    setup_disclosures_page(app, world.services)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    host, port = runner.addresses[0][:2]
    yield Site(f"http://{host}:{port}", world, d.id, doc_id)
    await runner.cleanup()


async def _get(url: str) -> tuple[int, bytes, Any]:
    async with aiohttp.ClientSession() as http, http.get(url) as r:
        return r.status, await r.read(), r.headers


async def test_document_only_while_public_or_with_a_staff_pass(site: Site):
    doc_url = f"{site.url}/public/disclosures/{site.disclosure_id}/documents/{site.document_id}"
    status, body, headers = await _get(doc_url)
    assert status == 200 and body == PDF and headers["Content-Type"] == "application/pdf"
    assert "attachment" in headers["Content-Disposition"]
    assert (await _get(f"{site.url}/public/disclosures/{site.disclosure_id}/documents/{site.document_id + 99}"))[
        0
    ] == 404
    w = site.world
    async with w.factory() as s:
        off, grants = await w.person(s, "official_a"), await w.grants(s, "official_a")
        await services.take_down(s, off, grants, site.disclosure_id, "Đăng nhầm bản nháp")
        token = await services.issue_pass(s, off, grants, site.document_id)
        old = await services.issue_pass(s, off, grants, site.document_id, now=utcnow() - timedelta(hours=2))
        await s.commit()
    assert (await _get(doc_url))[0] == 404  # taken down: not for the public any more
    assert (await _get(f"{site.url}/public/disclosures/{site.disclosure_id}"))[0] == 404
    assert (await _get(doc_url + "?pass=wrong"))[0] == 404
    assert (await _get(doc_url + f"?pass={old}"))[0] == 404  # expired
    status, body, _ = await _get(doc_url + f"?pass={token}")
    assert status == 200 and body == PDF  # staff, always
    # Residents and other wards' staff get no pass.
    from bot.core.errors import NotFound

    async with w.factory() as s:
        for key in ("resident", "official_b"):
            with pytest.raises(NotFound):
                await services.issue_pass(s, await w.person(s, key), await w.grants(s, key), site.document_id)


async def test_staff_get_links_in_the_chat(site: Site):
    off = site.world.chat("official_a")
    await off._send(button=f"dkd:{site.disclosure_id}")
    assert f"/public/disclosures/{site.disclosure_id}/documents/{site.document_id}?pass=" in off.text
    res = site.world.chat("resident")
    await res._send(button=f"dkd:{site.disclosure_id}")
    assert "?pass=" not in res.text


async def test_page_escapes_and_has_a_strict_csp(site: Site):
    status, body, headers = await _get(f"{site.url}/public/disclosures")
    html = body.decode()
    assert status == 200 and "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<script" not in html  # no script at all
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "style-src 'self'" in csp
    status, body, _ = await _get(f"{site.url}/public/disclosures?lang=en")
    en = body.decode()
    assert '<html lang="en">' in en and "What the commune has made public" in en
    assert "budget estimate and financial plan (Art. 11(2))" in en


async def test_register_in_chromium_at_360px(site: Site):
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        await launch_chromium(pw)
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", is_mobile=True)
        page = await context.new_page()
        errors: list[str] = []
        page.on("response", lambda r: errors.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "404" not in m.text else None)
        await page.goto(site.url + "/public/disclosures")
        assert await page.title() == "Thông tin phường, xã công khai"
        items = page.locator("ol.items li")
        assert await items.count() == 2
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360
        await page.screenshot(path=str(ARTIFACTS / "disclosures-360-list.png"), full_page=True)
        await page.fill("#q", "thu hoi dat")
        await page.click("button[type=submit]")
        assert await items.count() == 1 and "Thu hồi đất" in await items.first.inner_text()
        await page.select_option("#kind", "du_toan_ngan_sach")
        await page.fill("#q", "")
        await page.click("button[type=submit]")
        assert await items.count() == 1
        await page.click("ol.items h2 a")
        await page.wait_for_selector("section h2")
        text = await page.inner_text("main")
        assert "12,5 tỷ" in text and "Các bản trước" in text and "Phiên bản 1" in text and "12 tỷ đồng" in text
        assert "Tải về: du-toan-2027.pdf" in text and "Niêm yết tại trụ sở UBND" in text
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360
        await page.screenshot(path=str(ARTIFACTS / "disclosures-360-item.png"), full_page=True)
        async with page.expect_download() as dl:
            await page.click("ul.docs a")
        download = await dl.value
        assert download.suggested_filename == "du-toan-2027.pdf"
        await page.click("header .lang")
        await page.wait_for_url("**lang=en")
        assert "Earlier versions" in await page.inner_text("main")
        await page.screenshot(path=str(ARTIFACTS / "disclosures-360-item-en.png"), full_page=True)
        assert errors == []
        await _no_axe_violations(
            browser, [site.url + "/public/disclosures", site.url + f"/public/disclosures/{site.disclosure_id}"]
        )
        await browser.close()


async def _no_axe_violations(browser: Any, urls: list[str]) -> None:
    """axe-core on each page (WCAG 2 A/AA rules); its script is injected, so this context bypasses our CSP."""
    from axe_playwright_python.async_playwright import Axe

    context = await browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", bypass_csp=True)
    page = await context.new_page()
    axe = Axe()
    for url in urls:
        await page.goto(url)
        results = await axe.run(page)
        assert results.violations_count == 0, results.generate_report()
    await context.close()


async def test_the_list_pages_through_older_items(site: Site, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(page_mod, "PAGE_SIZE", 1)
    status, body, _ = await _get(f"{site.url}/public/disclosures?kind=&q=")
    html = body.decode()
    assert status == 200 and html.count("<li>") == 1 and "Thu hồi đất" in html  # the newest
    assert 'href="/public/disclosures?kind=&amp;q=&amp;page=2"' in html and "Cũ hơn" in html
    status, body, _ = await _get(f"{site.url}/public/disclosures?page=2")
    html = body.decode()
    assert "Dự toán ngân sách phường" in html and "Mới hơn" in html and "Cũ hơn" not in html
    assert (await _get(f"{site.url}/public/disclosures?page=abc"))[0] == 200
