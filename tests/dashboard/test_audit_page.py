"""The audit page: unit heads, the district and inspectors read every event of their units —
petition changes, sign-ins, refused attempts (another ward's official trying a petition's
address) — and nothing of other units; an official may not open it."""

from __future__ import annotations

from tests.dashboard.support import Server
from tests.petitions.staff_world import DENOUNCER, file_case
from tests.world import World


async def _get(server: Server, key: str, path: str) -> tuple[int, str]:
    http = await server.client(key)
    async with http, http.get(server.url + path) as r:
        return r.status, await r.text()


async def test_refusals_and_changes_of_the_unit(server: Server, world: World) -> None:
    case = await file_case(world)
    other = await file_case(world, "resident_b", village_id=None)
    status, _ = await _get(server, "official_b", f"/admin/case/{case.code}")
    assert status == 404
    for key in ("head_a", "inspector_a", "admin"):
        status, body = await _get(server, key, "/admin/audit")
        assert status == 200, key
        assert "case.submitted" in body and "permission.denied" in body and "Cán bộ B" in body
        assert "dashboard.login" in body
    _, only_refusals = await _get(server, "head_a", "/admin/audit?refusals=1")
    main = only_refusals.split('<main id="main" class="main">', 1)[1]
    assert "permission.denied" in main and "case.submitted" not in main
    _, of_b = await _get(server, "head_b", "/admin/audit?kind=case.")
    assert other.code in of_b and case.code not in of_b


async def test_officials_may_not_open_it(server: Server) -> None:
    status, _ = await _get(server, "official_a", "/admin/audit")
    assert status == 403


async def test_no_identity_on_the_audit_page(server: Server, world: World) -> None:
    await file_case(
        world,
        route="to_cao",
        category="other",
        description="Tố cáo cán bộ địa chính thu tiền sai quy định khi cấp giấy chứng nhận.",
        identity=DENOUNCER,
    )
    _, body = await _get(server, "head_a", "/admin/audit")
    assert DENOUNCER.full_name not in body and (DENOUNCER.phone or "") not in body
    assert "Nguyễn Văn An" not in body and "người dân" in body  # the resident who sent it: not by name
