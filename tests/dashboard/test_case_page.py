"""The petition page: the chat's visibility (another ward's official gets the same 404 as for a
code that does not exist), inspectors read only, text shown as text, actions through the chat's
services (the resident is told; the timeline shows it; a second official acting on a changed
petition is told so), a denouncer's identity hidden except for the audited reveal."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import select

from storage import petitions
from storage.audit.models import AuditEvent
from storage.petitions.models import CaseEvent
from tests.dashboard.support import Server, csrf_of, sign_in
from tests.petitions.staff_world import DENOUNCER, file_case, fresh, pushes
from tests.world import World

XSS = 'Đường hỏng <script>alert("x")</script><img src=x onerror=alert(1)> ở ngõ 5 thôn A1'


async def _get(server: Server, key: str, path: str) -> tuple[int, str]:
    http = await server.client(key)
    async with http, http.get(server.url + path) as r:
        return r.status, await r.text()


async def test_another_wards_official_gets_the_not_found_page(server: Server, world: World) -> None:
    case = await file_case(world)
    status, body = await _get(server, "official_b", f"/admin/case/{case.code}")
    missing_status, missing = await _get(server, "official_b", "/admin/case/KB-26-ZZZZZZ")
    assert status == missing_status == 404
    strip = re.compile(r'value="[^"]+"')
    assert strip.sub("", body) == strip.sub("", missing)
    main = body.split('<main id="main" class="main">', 1)[1]
    assert case.code not in main and "sụt lún" not in main
    async with world.factory() as s:
        refused = list(await s.exec(select(AuditEvent).where(AuditEvent.action == "permission.denied")))
    assert [(e.actor_id, e.unit_id) for e in refused] == [(world.ids["official_b"], case.unit_id)]


async def test_xss_in_a_petition_shows_as_text(server: Server, world: World, browser: Any) -> None:
    case = await file_case(world, description=XSS)
    page = await browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: dialogs.append(d.message))
    await sign_in(page, server, "official_a")
    await page.goto(f"{server.url}/admin/case/{case.code}")
    text = await page.inner_text(".text >> nth=0")
    assert '<script>alert("x")</script>' in text and "<img src=x" in text
    assert await page.locator("main script, main img[src=x]").count() == 0
    assert dialogs == []


async def test_an_action_from_the_page_reaches_the_resident_and_the_timeline(
    server: Server, world: World, browser: Any
) -> None:
    case = await file_case(world)
    page = await browser.new_page()
    await sign_in(page, server, "official_a")
    await page.goto(f"{server.url}/admin/case/{case.code}")
    await page.get_by_text("Tiếp nhận", exact=True).first.click()  # the <summary>
    await page.locator("#act-acknowledge button").click()
    await page.wait_for_url(re.compile(r"done=acknowledge"))
    assert "Đã tiếp nhận" in await page.inner_text("main")
    await page.get_by_text("Trả lời và kết thúc", exact=True).first.click()
    await page.fill("#text-resolve", "Phường đã cho vá lại đoạn đường ở ngõ 3, mời ông kiểm tra.")
    await page.locator("#act-resolve button").click()
    await page.wait_for_url(re.compile(r"done=resolve"))
    history = await page.inner_text("#h-history + ol")
    assert "Cán bộ A" in history and "Phường đã cho vá lại" in history
    after = await fresh(world, case.id)
    assert after.status == "answered" and after.answer_text and "vá lại" in after.answer_text
    sent = " ".join(p.get("text", "") for p in await pushes(world, "resident"))
    assert "vá lại" in sent
    status = await world.chat("resident").say(f"/status {case.code}")  # the chat shows the same petition
    assert "vá lại" in "\n".join(r.text for r in status)
    async with world.factory() as s:
        audited = list(await s.exec(select(AuditEvent.action).where(AuditEvent.subject_id == str(case.id))))
    assert "case.acknowledge" in audited and "case.resolve" in audited


async def test_a_second_official_is_told_it_changed(server: Server, world: World) -> None:
    case = await file_case(world)
    first, second = await server.client("official_a"), await server.client("official_a2")
    async with first, second:
        forms = []
        for http in (first, second):
            async with http.get(f"{server.url}/admin/case/{case.code}") as r:
                forms.append({"csrf": csrf_of(await r.text()), "version": str(case.version)})
        async with first.post(
            f"{server.url}/admin/case/{case.code}/act", data={**forms[0], "action": "acknowledge"}
        ) as r:
            assert r.status == 200
        async with second.post(
            f"{server.url}/admin/case/{case.code}/act",
            data={**forms[1], "action": "reject", "text": "Không thuộc thẩm quyền của phường."},
        ) as r:
            assert r.status == 409
            assert "Một cán bộ khác vừa thay đổi" in await r.text()
    after = await fresh(world, case.id)
    assert after.status == "acknowledged"


async def test_inspector_reads_but_cannot_act(server: Server, world: World) -> None:
    case = await file_case(world)
    http = await server.client("inspector_a")
    async with http:
        async with http.get(f"{server.url}/admin/case/{case.code}") as r:
            body = await r.text()
            assert r.status == 200 and "sụt lún" in body
        assert 'name="action"' not in body
        data = {"csrf": csrf_of(body), "action": "acknowledge", "version": str(case.version)}
        async with http.post(f"{server.url}/admin/case/{case.code}/act", data=data) as r:
            assert r.status == 403
    assert (await fresh(world, case.id)).status == "new"
    async with world.factory() as s:
        acks = list(
            await s.exec(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == "acknowledge"))
        )
        refused = list(await s.exec(select(AuditEvent).where(AuditEvent.action == "permission.denied")))
    assert acks == [] and refused and refused[-1].unit_id == case.unit_id


async def test_denouncer_hidden_and_revealed_only_to_the_unit_head(server: Server, world: World) -> None:
    case = await file_case(
        world,
        route="to_cao",
        category="other",
        description="Tố cáo cán bộ địa chính thu tiền sai quy định khi cấp giấy chứng nhận.",
        identity=DENOUNCER,
    )
    status, body = await _get(server, "official_a", f"/admin/case/{case.code}")
    assert status == 200 and "[bảo mật]" in body
    assert DENOUNCER.full_name not in body and (DENOUNCER.phone or "") not in body
    assert 'value="reveal"' not in body
    http = await server.client("head_a")
    async with http:
        async with http.get(f"{server.url}/admin/case/{case.code}") as r:
            body = await r.text()
        assert DENOUNCER.full_name not in body and 'value="reveal"' in body
        data = {"csrf": csrf_of(body), "action": "reveal", "reason": "Cần xác minh trực tiếp với người tố cáo."}
        async with http.post(f"{server.url}/admin/case/{case.code}/act", data=data) as r:
            shown = await r.text()
        async with http.get(f"{server.url}/admin/case/{case.code}") as r:
            again = await r.text()
    assert DENOUNCER.full_name in shown and DENOUNCER.full_name not in again
    async with world.factory() as s:
        reveals = list(await s.exec(select(AuditEvent).where(AuditEvent.action == "case.identity_revealed")))
    assert [e.actor_id for e in reveals] == [world.ids["head_a"]]


async def test_attachments_only_to_those_allowed(server: Server, world: World, tmp_path: Any) -> None:
    from storage.petitions.files import LocalFileStore

    cfg = petitions.config_for(world.services)
    store = LocalFileStore(cfg.upload_dir)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    stored = await petitions.store_upload(store, png, file_name="anh.png")
    case = await file_case(world)
    from storage.petitions.models import CaseAttachment

    async with world.factory() as s:
        att = CaseAttachment(
            case_id=case.id or 0,
            kind=stored.kind,
            storage_key=stored.key,
            file_name="anh.png",
            mime_type=stored.mime_type,
            size=stored.size,
            sha256=stored.sha256,
        )
        s.add(att)
        await s.commit()
        att_id = att.id
    status, body = await _get(server, "official_a", f"/admin/case/{case.code}")
    assert f"/admin/case/{case.code}/file/{att_id}" in body and "<img" in body
    http = await server.client("official_a")
    async with http, http.get(f"{server.url}/admin/case/{case.code}/file/{att_id}") as r:
        assert r.status == 200 and await r.read() == png
    status, _ = await _get(server, "official_b", f"/admin/case/{case.code}/file/{att_id}")
    assert status == 404
