"""Units of the Kim Bảng deployment: seeding, versions by date, lineage, and the name resolver."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlmodel import func, select

from bot.core.textfold import fold, strip_prefixes
from storage import units
from storage.units.models import Unit, UnitLineage

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENT_DIR = ROOT / "bot" / "deployments" / "kim_bang"
UNITS_YAML = DEPLOYMENT_DIR / "units.yaml"
DEP = "kim_bang"
CURRENT_WARDS = ["Kim Bảng", "Kim Thanh", "Lê Hồ", "Lý Thường Kiệt", "Nguyễn Úy", "Tam Chúc"]
VILLAGES_PER_WARD = {"Kim Bảng": 5, "Kim Thanh": 4, "Lê Hồ": 4, "Lý Thường Kiệt": 5, "Nguyễn Úy": 5, "Tam Chúc": 4}


@pytest.fixture
async def seeded(session):
    await units.load_deployment_units(session, DEP, UNITS_YAML)
    await session.commit()
    return session


async def _count(session, model) -> int:
    return (await session.exec(select(func.count()).select_from(model))).one()


def test_fold_examples():
    assert fold(unicodedata.normalize("NFD", "Phường Lê Hồ")) == "phuong le ho"
    assert fold("ĐỒNG HÓA") == "dong hoa"
    assert fold("  P.Lê   Hồ, Ninh Bình! ") == "p le ho ninh binh"
    assert fold("Thuỵ Lôi") == fold("Thụy Lôi") == "thuy loi"
    assert fold("đường Đê") == "duong de"
    assert fold("") == ""
    assert strip_prefixes("tt que", ("thi tran", "tt")) == "que"
    assert strip_prefixes("xa", ("xa",)) == "xa"


async def test_loading_twice_is_idempotent(session):
    n1 = await units.load_deployment_units(session, DEP, UNITS_YAML)
    await session.commit()
    counts = (await _count(session, Unit), await _count(session, UnitLineage))
    n2 = await units.load_deployment_units(session, DEP, UNITS_YAML)
    await session.commit()
    assert n1 == n2 == counts[0]
    assert (await _count(session, Unit), await _count(session, UnitLineage)) == counts
    assert counts[1] == 2 + 17  # province, district→town, and the 17 old units


async def test_six_current_wards(seeded):
    wards = await units.current_communes(seeded, DEP)
    assert [w.name for w in wards] == CURRENT_WARDS
    assert all(w.kind == "ward" and w.valid_to is None for w in wards)
    province = await units.get(seeded, wards[0].parent_id)
    assert province is not None and (province.code, province.name) == ("37", "Ninh Bình")
    old = await units.current_communes(seeded, DEP, on=date(2025, 3, 1))
    assert len(old) == 17
    assert {u.kind for u in old} == {"ward", "commune"}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("xã Thanh Sơn", "Lý Thường Kiệt"),
        ("thanh son", "Lý Thường Kiệt"),
        ("Thanh Son", "Lý Thường Kiệt"),
        ("thanhson", "Lý Thường Kiệt"),
        ("van xa", "Kim Bảng"),
        ("P. Lê Hồ", "Lê Hồ"),
        ("phuong kim bang", "Kim Bảng"),
        ("tam chuc", "Tam Chúc"),
        ("nguyen uy", "Nguyễn Úy"),
        ("Tượng Lĩnh", "Nguyễn Úy"),
        ("quế", "Kim Bảng"),
        ("TT Quế", "Kim Bảng"),
        ("thị trấn Ba Sao", "Tam Chúc"),
        ("xã Hoàng Tây huyện Kim Bảng", "Kim Thanh"),
        ("phường Lê Hồ, Ninh Bình", "Lê Hồ"),
    ],
)
async def test_resolve_commune_exact_and_old_names(seeded, typed, expected):
    found = await units.resolve_commune(seeded, DEP, typed)
    assert found, typed
    assert found[0].name == expected
    assert found[0].valid_to is None and found[0].kind == "ward"


async def test_exact_match_is_unique_answer(seeded):
    # Old commune Nguyễn Úy and new ward Nguyễn Úy collapse into one answer.
    assert [u.name for u in await units.resolve_commune(seeded, DEP, "xã Nguyễn Úy")] == ["Nguyễn Úy"]
    assert [u.name for u in await units.resolve_commune(seeded, DEP, "Tân Sơn")] == ["Nguyễn Úy"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("thanh sn", "Lý Thường Kiệt"),
        ("tam chuk", "Tam Chúc"),
        ("ly thuong kiet", "Lý Thường Kiệt"),
        ("ly thuong kit", "Lý Thường Kiệt"),
        ("kha phog", "Tam Chúc"),
        ("dong hao", "Lê Hồ"),
    ],
)
async def test_resolve_commune_tolerates_typos(seeded, typed, expected):
    found = await units.resolve_commune(seeded, DEP, typed)
    assert found and found[0].name == expected
    assert len(found) <= units.MAX_CANDIDATES


@pytest.mark.parametrize("typed", ["xyz qwerty", "", "   ", "xã", "Hà Nội", "12345"])
async def test_resolve_commune_nonsense_is_empty(seeded, typed):
    assert await units.resolve_commune(seeded, DEP, typed) == []


async def test_resolve_commune_other_deployment_is_empty(seeded):
    assert await units.resolve_commune(seeded, "elsewhere", "thanh son") == []


async def test_by_code_is_versioned(seeded):
    old = await units.by_code(seeded, "13384", on=date(2025, 3, 1))
    new = await units.by_code(seeded, "13384")
    assert old is not None and new is not None
    assert (old.name, old.kind, old.valid_to) == ("Quế", "ward", date(2025, 6, 30))
    assert (new.name, new.kind, new.valid_to) == ("Kim Bảng", "ward", None)
    assert units.display_name(new) == "phường Kim Bảng"
    assert await units.by_code(seeded, "13438") is None  # Thanh Sơn no longer exists
    assert await units.by_code(seeded, "13384", deployment="elsewhere") is None
    district = await units.by_code(seeded, "347", on=date(2024, 6, 1))
    assert district is not None and units.display_name(district) == "huyện Kim Bảng"


async def test_current_successor_and_lineage(seeded):
    thanh_son = await units.by_code(seeded, "13438", on=date(2025, 3, 1))
    assert thanh_son is not None
    succ = await units.current_successor(seeded, thanh_son)
    assert (succ.code, succ.name) == ("13435", "Lý Thường Kiệt")
    ha_nam = await units.by_code(seeded, "35", on=date(2025, 3, 1))
    assert ha_nam is not None and (await units.current_successor(seeded, ha_nam)).name == "Ninh Bình"
    huyen = await units.by_code(seeded, "347", on=date(2024, 6, 1))
    assert huyen is not None
    # huyện → thị xã, then abolished: the last version reached.
    last = await units.current_successor(seeded, huyen)
    assert (last.kind, last.valid_to) == ("town", date(2025, 6, 30))
    ward = await units.by_code(seeded, "13393")
    assert ward is not None and await units.current_successor(seeded, ward) is ward


async def test_villages_and_ward_of(seeded):
    ward = await units.by_code(seeded, "13384")
    assert ward is not None and ward.id is not None
    villages = await units.villages_of(seeded, ward.id)
    assert len(villages) == VILLAGES_PER_WARD["Kim Bảng"]
    assert villages[0].code == "13384-T01" and villages[0].name == "Tổ dân phố Quế Sơn"
    assert all(v.code.startswith("13384-") for v in villages)
    assert await units.ward_of(seeded, villages[0]) == ward
    assert await units.ward_of(seeded, ward) == ward
    province = await units.get(seeded, ward.parent_id)
    assert province is not None and await units.ward_of(seeded, province) is None
    ids = await units.descendant_ids(seeded, ward.id)
    assert ids[0] == ward.id and set(ids[1:]) == {v.id for v in villages}
    assert ward.id not in await units.descendant_ids(seeded, ward.id, include_self=False)
    counts = {}
    for w in await units.current_communes(seeded, DEP):
        assert w.id is not None
        counts[w.name] = len(await units.villages_of(seeded, w.id))
    assert counts == VILLAGES_PER_WARD


async def test_resolve_village(seeded):
    ward = await units.by_code(seeded, "13396")  # Nguyễn Úy: Thôn 1, Thôn 2, Tổ dân phố 1, ...
    assert ward is not None and ward.id is not None

    async def names(text: str) -> list[str]:
        return [v.name for v in await units.resolve_village(seeded, ward.id, text)]

    assert await names("thôn 1") == ["Thôn 1"]
    assert await names("To dan pho 1") == ["Tổ dân phố 1"]
    assert (await names("tuong linh"))[0] == "Tổ dân phố Tượng Lĩnh"
    assert (await names("tdp tuong lin"))[0] == "Tổ dân phố Tượng Lĩnh"
    assert (await names("Thôn Tân Sơn"))[0] == "Thôn Tân Sơn"
    assert await names("xyz qwerty") == []
    assert await names("Quế Sơn") == []  # that group belongs to another ward


async def test_units_table(seeded):
    rows = await units.units_table(seeded, DEP)
    assert rows[0] == ("37", "province", "Ninh Bình", "")
    wards = [r for r in rows if r[1] == "ward"]
    assert [r[2] for r in wards] == ["Kim Bảng", "Lê Hồ", "Nguyễn Úy", "Kim Thanh", "Tam Chúc", "Lý Thường Kiệt"]
    assert all(r[3] == "Ninh Bình" for r in wards)
    assert ("13384-T01", "residential_group", "Tổ dân phố Quế Sơn", "Kim Bảng") in rows
    # Tree order: the ward's villages follow it directly.
    i = rows.index(("13384", "ward", "Kim Bảng", "Ninh Bình"))
    assert rows[i + 1][0] == "13384-T01"
    history = await units.units_table(seeded, DEP, include_history=True)
    assert len(history) == await _count(seeded, Unit)
    assert ("13438", "commune", "Thanh Sơn", "Kim Bảng") in history
    assert ("13384", "ward", "Quế", "Kim Bảng") in history


def test_deployment_yaml_facts():
    data = yaml.safe_load((DEPLOYMENT_DIR / "deployment.yaml").read_text(encoding="utf-8"))
    assert data["name"]["vi"] == "Kim Bảng (Ninh Bình)" and data["name"]["en"]
    assert data["code_prefix"] == "KB"
    cats = data["categories"]
    assert len(cats) == 8 and len({c["id"] for c in cats}) == 8
    assert all(c["vi"] and c["en"] for c in cats) and cats[-1]["id"] == "other"
    assert data["routing"] == []


async def test_resolve_commune_first_word_gives_choices(seeded):
    assert {u.name for u in await units.resolve_commune(seeded, DEP, "kim")} == {"Kim Bảng", "Kim Thanh"}
    assert await units.resolve_commune(seeded, DEP, "le") == []
