"""The queue page: the actor's units only, filters and search, pages that follow each other
without repeats, bulk assignment through the chat's service (a changed petition is reported and
left alone), and the reply templates with their blanks."""

from __future__ import annotations

import re

from tests.dashboard.support import Server, csrf_of
from tests.petitions.staff_world import file_case, fresh
from tests.world import World


async def _get(server: Server, key: str, path: str) -> str:
    http = await server.client(key)
    async with http, http.get(server.url + path) as r:
        assert r.status == 200, r.status
        return await r.text()


def _codes(html: str) -> list[str]:
    return re.findall(r'<a class="code" href="/admin/case/([^"]+)">', html)


async def test_scope_filters_and_search(server: Server, world: World) -> None:
    road = await file_case(world)
    rubbish = await file_case(
        world, village_id=world.village_a2, category="environment", description="Rác thải đổ bừa bãi cạnh kênh thôn A2."
    )
    other_ward = await file_case(world, "resident_b", village_id=None)
    assert sorted(_codes(await _get(server, "official_a", "/admin/queue"))) == sorted([road.code, rubbish.code])
    assert _codes(await _get(server, "official_b", "/admin/queue")) == [other_ward.code]
    assert _codes(await _get(server, "official_a", "/admin/queue?category=environment")) == [rubbish.code]
    assert _codes(await _get(server, "official_a", f"/admin/queue?village={world.village_a1}")) == [road.code]
    assert _codes(await _get(server, "official_a", "/admin/queue?q=rac+thai")) == [rubbish.code]  # no diacritics
    assert _codes(await _get(server, "official_a", f"/admin/queue?q={road.code.lower()}")) == [road.code]
    assert _codes(await _get(server, "official_a", f"/admin/queue?q={other_ward.code}")) == []
    assert _codes(await _get(server, "official_a", "/admin/queue?overdue=1")) == []
    server.clock.advance(days=40)
    assert sorted(_codes(await _get(server, "official_a", "/admin/queue?overdue=1"))) == sorted(
        [road.code, rubbish.code]
    )
    assert "quá hạn" in await _get(server, "official_a", "/admin/queue")


async def test_pages_follow_each_other(server: Server, world: World) -> None:
    made = []
    for _ in range(27):  # a resident may send a few a day: one a day here
        made.append(await file_case(world))
        server.clock.advance(days=1)
    first = await _get(server, "official_a", "/admin/queue")
    assert "Có 27 ý kiến phù hợp." in first
    link = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert link
    second = await _get(server, "official_a", link.group(1).replace("&amp;", "&"))
    seen = _codes(first) + _codes(second)
    assert len(seen) == 27 and sorted(seen) == sorted(c.code for c in made)
    assert 'rel="next"' not in second


async def test_bulk_assign_and_assigned_to_me(server: Server, world: World) -> None:
    a, b = await file_case(world), await file_case(world)
    http = await server.client("head_a")
    async with http:
        async with http.get(f"{server.url}/admin/queue") as r:
            html = await r.text()
        picks = re.findall(r'name="pick" value="([^"]+)"', html)
        assert len(picks) == 2
        case_id, version = picks[1].split(":")
        stale = f"{case_id}:{int(version) + 4}"  # as if the page were older than a change
        data = [
            ("csrf", csrf_of(html)),
            ("assignee", str(world.ids["official_a"])),
            ("pick", picks[0]),
            ("pick", stale),
        ]
        async with http.post(f"{server.url}/admin/queue/assign", data=data) as r:
            page = await r.text()
    assert "Đã giao 1 ý kiến." in page and "1 ý kiến không giao được" in page
    assigned = [c for c in (await fresh(world, a.id), await fresh(world, b.id)) if c.assignee_id]
    assert [c.assignee_id for c in assigned] == [world.ids["official_a"]]
    mine = _codes(await _get(server, "official_a", "/admin/queue?mine=1"))
    assert mine == [assigned[0].code]


async def test_reply_template_prefills_and_blanks_are_refused(server: Server, world: World) -> None:
    case = await file_case(world)
    html = await _get(server, "official_a", f"/admin/case/{case.code}")
    link = re.search(r'href="(\?template=0&amp;for=resolve[^"]*)"', html)
    assert link, "a template link"
    http = await server.client("official_a")
    async with http:
        async with http.get(f"{server.url}/admin/case/{case.code}" + link.group(1).replace("&amp;", "&")) as r:
            page = await r.text()
        text = re.search(r'<textarea id="text-resolve"[^>]*>([^<]*)</textarea>', page)
        assert text and text.group(1).strip()
        data = {"csrf": csrf_of(page), "action": "resolve", "version": str(case.version), "text": "Đã xử lý [ngày]."}
        async with http.post(f"{server.url}/admin/case/{case.code}/act", data=data) as r:
            assert r.status == 400 and "chỗ trống" in await r.text()
    assert (await fresh(world, case.id)).status == "new"
