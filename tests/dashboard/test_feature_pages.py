"""The features' dashboard sections (/admin/f/<slug>): a village head sees their village's votes and
gets the 404 of nothing for another village's; the Inspection Board reads; a resident cannot sign
in; a secret ballot's page shows the counts per option and no household's choice; a question with
markup is shown as text; consultations list their comments by village; the pages in Chromium at
360 px without serious axe violations (screenshots in test-artifacts/dashboard/)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from bot.core.errors import NotFound, PermissionDenied
from handlers.framework.sections import SectionScope
from storage import dashboard
from storage.decisions import services as decisions
from storage.decisions.models import Decision
from storage.people.models import Person
from tests.dashboard.support import Server, axe_violations, shoot, sign_in
from tests.decisions.support import Village, add_households, open_vote, run_jobs
from tests.world import World

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


async def _vote(world: World, v: Village, i: int, option: int, d: Decision) -> None:
    async with world.factory() as s:
        person = await s.get(Person, v.reps[i])
        assert person is not None
        await decisions.vote(s, d.id or 0, person, option, channel="test", now=world.services.now())
        await s.commit()


async def _closed_secret(world: World, server: Server) -> tuple[Decision, Village]:
    v = await add_households(world, world.village_a1, 4, start=7000)
    d = await open_vote(world, world.village_a1, secret=True, hours=2, now=server.clock())
    for i, opt in enumerate((0, 0, 1)):
        await _vote(world, v, i, opt, d)
    await run_jobs(world.services, server.clock() + timedelta(hours=3))
    return d, v


async def _get(server: Server, key: str, path: str) -> tuple[int, str]:
    http = await server.client(key)
    async with http, http.get(server.url + path) as r:
        return r.status, await r.text()


async def test_village_head_sees_own_village_and_not_another(server: Server, world: World) -> None:
    own = await open_vote(world, world.village_a1, now=server.clock())
    other = await open_vote(world, world.village_a2, now=server.clock())
    async with world.factory() as s:
        o = await s.get(Decision, other.id)
        assert o is not None
        o.question = "Làm nhà văn hoá thôn A2?"
        await s.commit()
    status, body = await _get(server, "village_head", "/admin/f/decisions")
    assert status == 200
    main = body.split('id="main"', 1)[1]
    assert "Biểu quyết của thôn" in main and "Đóng góp làm đường" in main
    assert "nhà văn hoá thôn A2" not in main
    assert f'href="/admin/f/decisions/{own.id}"' in main
    assert (await _get(server, "village_head", f"/admin/f/decisions/{own.id}"))[0] == 200
    missing = ("/admin/f/decisions/999999", "/admin/f/nothing", "/admin/f/decisions/x")
    for path in (f"/admin/f/decisions/{other.id}", *missing):
        assert (await _get(server, "village_head", path))[0] == 404, path


async def test_the_inspection_board_reads_and_another_ward_sees_nothing(server: Server, world: World) -> None:
    d = await open_vote(world, world.village_a1, now=server.clock())
    status, body = await _get(server, "inspector_a", f"/admin/f/decisions/{d.id}")
    assert status == 200 and "Đóng góp làm đường" in body
    status, body = await _get(server, "official_b", "/admin/f/decisions")
    assert status == 200 and "Đóng góp làm đường" not in body
    assert (await _get(server, "official_b", f"/admin/f/decisions/{d.id}"))[0] == 404


async def test_a_resident_gets_no_session(server: Server, world: World) -> None:
    async with world.factory() as s:
        grants = await world.grants(s, "resident")
        with pytest.raises(PermissionDenied):
            await dashboard.issue_login_token(s, world.ids["resident"], grants, now=server.clock())
    async with aiohttp.ClientSession() as http, http.get(f"{server.url}/admin/f/decisions") as r:
        assert r.status == 401
        assert "Đóng góp" not in await r.text()


async def test_a_secret_ballot_shows_counts_and_no_household_choice(server: Server, world: World) -> None:
    d, _ = await _closed_secret(world, server)
    status, body = await _get(server, "village_head", f"/admin/f/decisions/{d.id}")
    assert status == 200
    main = body.split('id="main"', 1)[1]
    assert "Số phiếu theo phương án" in main and "3 / 4" in main
    for head in ("Chủ hộ 1", "Chủ hộ 2", "Chủ hộ 3", "7000", "7001"):
        assert head not in main, head
    status, listing = await _get(server, "village_head", "/admin/f/decisions")
    # 2 of 4 households agreeing is not "more than half of the households": not passed
    assert "Chủ hộ" not in listing and "Không thông qua" in listing


async def test_markup_in_a_question_is_shown_as_text(server: Server, world: World) -> None:
    d = await open_vote(world, world.village_a1, now=server.clock())
    async with world.factory() as s:
        row = await s.get(Decision, d.id)
        assert row is not None
        row.question = XSS
        row.explanation = XSS
        await s.commit()
    for path in ("/admin/f/decisions", f"/admin/f/decisions/{d.id}"):
        _, body = await _get(server, "village_head", path)
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body


async def test_the_section_checks_role_and_unit_itself(world: World) -> None:
    """The section, called directly (as another channel would), applies the same rule."""
    from handlers.decisions import dashboard as section

    d = await open_vote(world, world.village_a2, now=world.services.now())
    async with world.factory() as s:
        head = tuple(await world.grants(s, "village_head"))
        scope = SectionScope(head, "vi", world.services.now(), world.services.tz)
        tables = await section.rows(s, scope)
        assert all(r.item_id != str(d.id) for t in tables for r in t.rows)
        with pytest.raises(NotFound):
            await section.detail(s, scope, d.id or 0)


async def test_feature_pages_in_chromium(server: Server, world: World, browser: Any) -> None:
    d, _ = await _closed_secret(world, server)
    await open_vote(world, world.village_a1, now=server.clock())
    page = await browser.new_page()
    await sign_in(page, server, "village_head")
    pages = (
        ("/admin/f/decisions", "feature-decisions"),
        (f"/admin/f/decisions/{d.id}", "feature-decision"),
        ("/admin/f/meetings", "feature-meetings"),
    )
    await _check_pages(page, server, pages)


async def _check_pages(page: Any, server: Server, pages: tuple[tuple[str, str], ...]) -> None:
    for path, name in pages:
        await page.goto(server.url + path)
        await page.set_viewport_size({"width": 360, "height": 800})
        bad = await axe_violations(page)
        assert not bad, [(v["id"], [n["html"] for n in v["nodes"]][:3]) for v in bad]
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)
        await shoot(page, name)


async def _consultation(world: World, server: Server) -> int:
    from storage.consultations import services as consultations

    now = server.clock()
    async with world.factory() as s:
        author = await world.person(s, "official_a")
        c = await consultations.publish(
            s,
            author,
            await world.grants(s, "official_a"),
            [world.ward_a],
            title="Dự thảo quy chế " + XSS,
            summary="Quy định giờ giấc sinh hoạt chung của khu dân cư.",
            closes_at=now + timedelta(days=7),
            now=now,
        )
        for key, text in (("resident", "Nên cho sinh hoạt đến 22 giờ."), ("resident_a2", "Đồng ý " + XSS)):
            await consultations.comment(s, c.id or 0, await world.person(s, key), text=text, now=now)
        await s.commit()
        return c.id or 0


async def test_consultation_comments_grouped_by_village(server: Server, world: World) -> None:
    cid = await _consultation(world, server)
    status, listing = await _get(server, "official_a", "/admin/f/consultations")
    assert status == 200 and "Dự thảo quy chế" in listing and f"/admin/f/consultations/{cid}" in listing
    status, body = await _get(server, "inspector_a", f"/admin/f/consultations/{cid}")
    assert status == 200
    main = body.split('id="main"', 1)[1]
    assert "Nên cho sinh hoạt đến 22 giờ." in main and "Nguyễn Văn An" in main and "Trần Văn Bình" in main
    assert main.index("Nên cho sinh hoạt") < main.index("Đồng ý")  # village A1's group, then A2's
    assert "<script>alert" not in body and "&lt;script&gt;" in body
    # a village head does not manage drafts (as in the chat); another ward's official sees nothing
    assert (await _get(server, "village_head", "/admin/f/consultations"))[0] == 403
    status, other = await _get(server, "official_b", "/admin/f/consultations")
    assert status == 200 and "Dự thảo quy chế" not in other
    assert (await _get(server, "official_b", f"/admin/f/consultations/{cid}"))[0] == 404


async def test_meetings_with_answers_and_minutes(server: Server, world: World) -> None:
    from storage.meetings import services as meetings

    v = await add_households(world, world.village_a1, 3, start=7100)
    now = server.clock()
    async with world.factory() as s:
        head = await world.person(s, "village_head")
        m = await meetings.announce(
            s,
            head,
            await world.grants(s, "village_head"),
            village_id=world.village_a1,
            agenda="Bàn việc làm đường bê tông ngõ 3",
            place="Nhà văn hoá thôn",
            starts_at=now + timedelta(days=2),
            now=now,
        )
        for i, value in enumerate(("yes", "yes", "no")):
            rep = await s.get(Person, v.reps[i])
            assert rep is not None
            await meetings.answer(s, m.id or 0, rep, value, channel="test", now=now)
        await s.commit()
    status, body = await _get(server, "village_head", "/admin/f/meetings")
    assert status == 200
    upcoming = body.split("Họp thôn sắp tới", 1)[1].split("Các cuộc họp đã qua", 1)[0]
    assert "Bàn việc làm đường" in upcoming and "Nhà văn hoá thôn" in upcoming
    assert '<td data-label="Sẽ đến">2</td>' in upcoming and '<td data-label="Không đến được">1</td>' in upcoming
    status, page = await _get(server, "inspector_a", f"/admin/f/meetings/{m.id}")
    assert status == 200 and "Chưa có" in page
    assert (await _get(server, "official_b", f"/admin/f/meetings/{m.id}"))[0] == 404


async def test_official_pages_in_chromium(server: Server, world: World, browser: Any) -> None:
    from tests.disclosures.support import publish

    cid = await _consultation(world, server)
    d = await publish(world)
    page = await browser.new_page()
    await sign_in(page, server, "official_a")
    pages = (
        ("/admin/f/consultations", "feature-consultations"),
        (f"/admin/f/consultations/{cid}", "feature-consultation"),
        ("/admin/f/disclosures", "feature-disclosures"),
        (f"/admin/f/disclosures/{d.id}", "feature-disclosure"),
    )
    await _check_pages(page, server, pages)
    await page.goto(server.url + "/admin/f/decisions")
    nav = await page.get_by_role("navigation").inner_text()
    assert all(w in nav for w in ("Dự thảo lấy ý kiến", "Biểu quyết của thôn", "Họp thôn", "Công khai thông tin"))


async def test_disclosures_with_their_reach(server: Server, world: World) -> None:
    from tests.disclosures.support import publish

    d = await publish(world, title="Dự toán ngân sách 2027 " + XSS)
    status, body = await _get(server, "inspector_a", "/admin/f/disclosures")
    assert status == 200 and "Dự toán ngân sách 2027" in body and "<script>alert" not in body
    assert f"/admin/f/disclosures/{d.id}" in body
    status, page = await _get(server, "official_a", f"/admin/f/disclosures/{d.id}")
    assert status == 200 and "Số người dân được gửi" in page
    assert (await _get(server, "official_b", f"/admin/f/disclosures/{d.id}"))[0] == 404
    assert (await _get(server, "village_head", "/admin/f/disclosures"))[0] == 403


def test_sections_come_in_manifest_order_and_slugs_are_unique() -> None:
    from handlers.features import APP
    from handlers.framework.manifest import Manifest, application
    from handlers.framework.registry import Registry

    assert [s.slug for s in APP.dashboard] == ["disclosures", "decisions", "consultations", "meetings"]
    twice = [Manifest(n, Registry(n), dashboard=APP.dashboard[:1]) for n in ("a", "b")]
    with pytest.raises(ValueError, match="slug"):
        _ = application(twice).dashboard
