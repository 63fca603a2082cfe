"""Signing in with the link /dashboard sends: it works once, for 10 minutes; sessions idle out
after 8 hours; sign-out ends them; cookies are HttpOnly and SameSite=Strict; a POST without the
session's CSRF token is refused and changes nothing."""

from __future__ import annotations

import re

import aiohttp
from sqlmodel import select

from storage.audit.models import AuditEvent
from storage.dashboard.models import DashboardLoginToken, DashboardSession
from tests.dashboard.support import Server, csrf_of, sign_in, start
from tests.world import World


async def test_dashboard_command_sends_a_one_time_link_stored_as_a_hash(world: World, server: Server) -> None:
    replies = await world.chat("official_a").say("/dashboard")
    m = re.search(r"(http://\S+/admin/login/(\S+))", replies[0].text)
    assert m, replies[0].text
    async with world.factory() as s:
        rows = list(await s.exec(select(DashboardLoginToken)))
    assert len(rows) == 1 and m.group(2) not in rows[0].token_hash and len(rows[0].token_hash) == 64


async def test_residents_get_no_link(world: World) -> None:
    replies = await world.chat("resident").say("/dashboard")
    assert "/admin/login/" not in "\n".join(r.text for r in replies)


async def test_link_works_once_in_the_browser(server: Server, browser: object) -> None:
    page = await browser.new_page()  # type: ignore[attr-defined]
    link = await server.link("official_a")
    await page.goto(link)  # opening (a chat app's preview does this) uses nothing up
    await page.goto(link)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(re.compile(r"/admin/queue"))
    cookies = {c["name"]: c for c in await page.context.cookies()}
    assert cookies["loalang_admin"]["httpOnly"] and cookies["loalang_admin"]["sameSite"] == "Strict"
    other = await browser.new_page()  # type: ignore[attr-defined]
    await other.goto(link)
    await other.get_by_role("button", name="Đăng nhập").click()
    assert "không còn dùng được" in await other.content()
    assert "loalang_admin" not in {c["name"] for c in await other.context.cookies()}


async def test_link_expires_after_ten_minutes(server: Server, world: World) -> None:
    link = await server.link("official_a")
    server.clock.advance(minutes=10, seconds=1)
    async with aiohttp.ClientSession() as http, http.post(link, allow_redirects=False) as r:
        assert r.status == 403
    async with world.factory() as s:
        refused = list(await s.exec(select(AuditEvent).where(AuditEvent.action == "dashboard.login_refused")))
        sessions = list(await s.exec(select(DashboardSession)))
    assert [e.data["reason"] for e in refused] == ["expired"] and sessions == []


async def test_sign_in_audited_session_idles_out(server: Server, world: World) -> None:
    http = await server.client("official_a")
    async with http:
        async with http.get(f"{server.url}/admin/queue") as r:
            assert r.status == 200
        server.clock.advance(hours=7, minutes=59)
        async with http.get(f"{server.url}/admin/queue") as r:
            assert r.status == 200
        server.clock.advance(hours=8, minutes=1)
        async with http.get(f"{server.url}/admin/queue") as r:
            assert r.status == 401
    async with world.factory() as s:
        logins = list(await s.exec(select(AuditEvent).where(AuditEvent.action == "dashboard.login")))
    assert [e.actor_id for e in logins] == [world.ids["official_a"]]


async def test_sign_out(server: Server) -> None:
    http = await server.client("official_a")
    async with http:
        async with http.get(f"{server.url}/admin/queue") as r:
            token = csrf_of(await r.text())
        async with http.post(f"{server.url}/admin/logout", data={"csrf": token}) as r:
            assert r.status == 200
        async with http.get(f"{server.url}/admin/queue") as r:
            assert r.status == 401


async def test_post_without_csrf_is_refused_and_changes_nothing(server: Server, world: World) -> None:
    http = await server.client("official_a")
    async with http:
        for data in ({}, {"csrf": "forged"}):
            async with http.post(f"{server.url}/admin/lang", data={"lang": "en", **data}) as r:
                assert r.status == 403
        async with http.get(f"{server.url}/admin/queue") as r:
            assert 'lang="vi"' in await r.text()
    async with world.factory() as s:
        refusals = list(await s.exec(select(AuditEvent).where(AuditEvent.action == "permission.denied")))
    assert len(refusals) == 2 and all(e.data["reason"] == "csrf" for e in refusals)


async def test_not_signed_in_page_says_how(server: Server, browser: object) -> None:
    page = await browser.new_page()  # type: ignore[attr-defined]
    resp = await page.goto(f"{server.url}/admin/queue")
    assert resp.status == 401
    assert "/dashboard" in await page.inner_text("main")
    assert "default-src 'none'" in resp.headers["content-security-policy"]


async def test_language_switch(server: Server, browser: object) -> None:
    page = await browser.new_page()  # type: ignore[attr-defined]
    await sign_in(page, server, "official_a")
    await page.get_by_role("button", name="English").click()
    await page.wait_for_load_state()
    assert await page.get_attribute("html", "lang") == "en"
    assert await page.get_by_role("button", name="Sign out").count() == 1


async def test_unknown_dashboard_address_is_the_not_found_page(server: Server) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{server.url}/admin/nothing-here") as r:
        assert r.status == 404 and "Không tìm thấy" in await r.text()
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]


async def test_cookie_is_secure_behind_https(world: World) -> None:
    srv = await start(world, secure=True)
    try:
        async with aiohttp.ClientSession() as http, http.post(await srv.link("official_a"), allow_redirects=False) as r:
            cookie = r.headers["Set-Cookie"]
        assert r.status == 303 and "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    finally:
        await srv.stop()
