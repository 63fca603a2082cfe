"""A small Kim Bảng world for the petition service tests (two wards, staff, residents), plus tracking-code tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import units
from storage import petitions
from storage.petitions import codes
from storage.people.models import ChannelIdentity, Person, RoleGrant

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENT_DIR = ROOT / "bot" / "deployments" / "kim_bang"
# Monday 2 March 2026, 09:00 in Vietnam (02:00 UTC): an ordinary working day.
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@dataclass
class World:
    session: AsyncSession
    cfg: petitions.CasesConfig
    ward_a: int
    ward_b: int
    village_a: int
    resident: Person
    resident_en: Person
    stranger: Person
    official_a: Person
    official_a2: Person
    head_a: Person
    official_b: Person
    head_b: Person
    inspector_a: Person
    grants: dict[int, list[RoleGrant]]

    def g(self, person: Person) -> list[RoleGrant]:
        return self.grants.get(person.id or 0, [])

    def new(self, **kw: object) -> petitions.NewCase:
        base: dict[str, object] = dict(route="phan_anh", category="roads",
                                       description="Đường thôn bị sụt lún, xe máy đi lại rất nguy hiểm.")
        base.update(kw)
        return petitions.NewCase(**base)  # type: ignore[arg-type]


async def _person(session: AsyncSession, name: str, ward: int, village: int | None = None, *,
                  locale: str | None = None, tg: str | None = None) -> Person:
    p = Person(display_name=name, ward_id=ward, village_id=village, locale=locale, phone="0912345678")
    session.add(p)
    await session.flush()
    session.add(ChannelIdentity(person_id=p.id, channel="telegram", external_id=tg or f"tg{p.id}",  # type: ignore[arg-type]
                                chat_id=tg or f"tg{p.id}"))
    return p


async def build_world(session: AsyncSession) -> World:
    await units.load_deployment_units(session, "kim_bang", DEPLOYMENT_DIR / "units.yaml")
    a = await units.by_code(session, "13384", deployment="kim_bang")
    b = await units.by_code(session, "13393", deployment="kim_bang")
    assert a and b and a.id and b.id
    village = (await units.villages_of(session, a.id))[0]
    people = {}
    for key, name, ward, vil, loc in [
        ("resident", "Nguyễn Văn An", a.id, village.id, "vi"), ("resident_en", "John Tran", a.id, village.id, "en"),
        ("stranger", "Lê Thị Cúc", a.id, village.id, None), ("official_a", "Cán bộ A", a.id, None, "vi"),
        ("official_a2", "Cán bộ A2", a.id, None, "vi"), ("head_a", "Chủ tịch A", a.id, None, "vi"),
        ("official_b", "Cán bộ B", b.id, None, "vi"), ("head_b", "Chủ tịch B", b.id, None, "vi"),
        ("inspector_a", "Thanh tra A", a.id, None, "vi"),
    ]:
        people[key] = await _person(session, name, ward, vil, locale=loc)
    grants: dict[int, list[RoleGrant]] = {}
    for key, role, unit in [("official_a", "official", a.id), ("official_a2", "official", a.id),
                            ("head_a", "unit_head", a.id), ("official_b", "official", b.id),
                            ("head_b", "unit_head", b.id), ("inspector_a", "inspector", a.id)]:
        g = RoleGrant(person_id=people[key].id, role=role, unit_id=unit)
        session.add(g)
        grants.setdefault(people[key].id, []).append(g)
    await session.flush()
    cfg = petitions.load_config(DEPLOYMENT_DIR)
    return World(session, cfg, a.id, b.id, village.id, grants=grants, **people)  # type: ignore[arg-type]


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await build_world(session)


# --- tracking codes ------------------------------------------------------------------------------

def test_new_code_shape_and_alphabet() -> None:
    for _ in range(200):
        code = codes.new_code("KB", 2026)
        pre, yy, rest = code.split("-")
        assert (pre, yy, len(rest)) == ("KB", "26", 6)
        assert not set(rest) & set("01OI")
        assert codes.parse_code(code) == code


def test_parse_is_tolerant() -> None:
    code = codes.new_code("KB", 2026)
    body = code.split("-")[2]
    assert codes.parse_code(f"  kb 26 {body.lower()} ") == code
    assert codes.parse_code(f"KB26{body}") == code
    assert codes.parse_code(f"26-{body}") == code          # prefix left out
    # O typed for 0 and I for 1 in the year part (only digits belong there)
    c30 = codes.new_code("KB", 2030)
    assert codes.parse_code(c30.replace("-30-", "-3O-")) == c30
    c11 = codes.new_code("KB", 2011)
    assert codes.parse_code(c11.replace("-11-", "-II-")) == c11


def test_check_character_catches_typos() -> None:
    code = codes.new_code("KB", 2026)
    body = code.split("-")[2]
    for i in range(len(body)):
        for ch in codes.ALPHABET:
            if ch == body[i]:
                continue
            typo = body[:i] + ch + body[i + 1:]
            with pytest.raises(petitions.MalformedCode):
                codes.parse_code(f"KB-26-{typo}")
    swapped = body[1] + body[0] + body[2:]
    if swapped != body:
        assert not codes.is_valid(f"KB-26-{swapped}") or codes.check_char("26", swapped[:-1]) == swapped[-1]


@pytest.mark.parametrize("bad", ["", "hello", "KB-26", "KB-26-0000000", "KB-26-ABCDEFGH", "KB-XX-7H3K9M",
                                 "<script>", "KB-26-7H3K9"])
def test_malformed_codes(bad: str) -> None:
    with pytest.raises(petitions.MalformedCode):
        codes.parse_code(bad)
