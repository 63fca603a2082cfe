"""CSV export of the filtered queue: UTF-8 with a BOM and correct diacritics, every matching row
across batches, the filters applied, no personal data and never a denouncer's identity."""

from __future__ import annotations

import csv
import io

import pytest

import bot.dashboard.export as export_mod
from storage.units.models import Unit
from tests.dashboard.support import Server
from tests.petitions.staff_world import DENOUNCER, file_case
from tests.world import World


async def _csv(server: Server, key: str, query: str = "") -> tuple[int, bytes, str]:
    http = await server.client(key)
    async with http, http.get(f"{server.url}/admin/queue.csv?{query}") as r:
        return r.status, await r.read(), r.headers.get("Content-Type", "")


async def test_csv_has_bom_diacritics_and_every_row(
    server: Server, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_mod, "BATCH", 2)
    cases = [await file_case(world) for _ in range(5)]
    await file_case(world, "resident_b", village_id=None)  # ward B: not in official A's export
    status, body, ctype = await _csv(server, "official_a")
    assert status == 200 and ctype.startswith("text/csv") and "utf-8" in ctype
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body[3:].decode("utf-8"))))
    assert rows[0][:3] == ["Mã", "Loại", "Lĩnh vực"] and rows[0][-1] == "Địa chỉ"
    assert sorted(r[0] for r in rows[1:]) == sorted(c.code for c in cases)
    first = rows[1]
    async with world.factory() as s:
        village = await s.get(Unit, world.village_a1)
    assert village is not None and any(ch in village.name for ch in "ôơăâđ")
    assert "phản ánh" in first[1].lower() and first[4] == village.name
    assert first[10] == "mới" and first[9] and first[9][4] == "-"
    assert first[-1] == f"{server.url}/admin/case/{first[0]}"


async def test_csv_follows_the_filters(server: Server, world: World) -> None:
    await file_case(world)
    other = await file_case(world, village_id=world.village_a2)
    _, body, _ = await _csv(server, "official_a", f"village={world.village_a2}")
    rows = list(csv.reader(io.StringIO(body[3:].decode("utf-8"))))
    assert [r[0] for r in rows[1:]] == [other.code]


async def test_csv_has_no_personal_data(server: Server, world: World) -> None:
    await file_case(world)
    await file_case(
        world,
        route="to_cao",
        category="other",
        description="Tố cáo cán bộ địa chính thu tiền sai quy định khi cấp giấy chứng nhận.",
        identity=DENOUNCER,
    )
    _, body, _ = await _csv(server, "head_a")
    text = body.decode("utf-8")
    for secret in (DENOUNCER.full_name, DENOUNCER.phone or "", "Nguyễn Văn An", "0912345678", "Tố cáo cán bộ"):
        assert secret not in text
    assert len(text.strip().splitlines()) == 3


async def test_csv_refused_without_queue_rights(server: Server) -> None:
    status, _, ctype = await _csv(server, "village_head")
    assert status == 403 and ctype.startswith("text/html")
