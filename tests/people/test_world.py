"""The shared ``world`` fixture builds what ``tests/world.py`` promises: its units, its people with
their user ids, places, languages and roles."""

from __future__ import annotations

from sqlmodel import col, select

from storage import units
from storage.people.models import ChannelIdentity, Person, RoleGrant
from tests.world import RESIDENTS, STAFF, World


async def test_units_are_the_promised_ones(world: World) -> None:
    async with world.factory() as s:
        got = {}
        for key in ("ward_a", "ward_b", "village_a1", "village_a2"):
            unit = await units.get(s, getattr(world, key))
            assert unit is not None and unit.valid_to is None
            got[key] = (unit.code, unit.kind, unit.parent_id)
    assert got["ward_a"][:2] == ("13384", "ward") and got["ward_b"][:2] == ("13393", "ward")
    assert got["village_a1"] == ("13384-T04", "village", world.ward_a)
    assert got["village_a2"] == ("13384-T05", "village", world.ward_a)


async def test_people_have_the_promised_user_ids_places_languages_and_roles(world: World) -> None:
    expected_ids = {key: uid for key, uid, *_ in RESIDENTS + STAFF}
    assert world.user_ids == expected_ids
    assert world.user_ids["resident"] == "100" and world.user_ids["admin"] == "903"
    village = {"village_a1": world.village_a1, "village_a2": world.village_a2}
    async with world.factory() as s:
        for key, uid, where, locale, _name in RESIDENTS:
            p = await world.person(s, key)
            assert world.chat(key).user_id == uid
            ward = world.ward_b if where == "ward_b" else world.ward_a
            assert (p.ward_id, p.village_id, p.locale) == (ward, village.get(where), locale), key
            assert p.consent_given is True and p.onboarded_at is not None and p.erased_at is None
            assert await world.grants(s, key) == []
        unit = {"ward_a": world.ward_a, "ward_b": world.ward_b, **village, None: None}
        for key, uid, role, where, _name in STAFF:
            p = await world.person(s, key)
            assert world.chat(key).user_id == uid
            assert (p.ward_id, p.village_id, p.consent_given) == (None, None, True), key
            assert [(g.role, g.unit_id) for g in await world.grants(s, key)] == [(role, unit[where])], key
        identities = list(await s.exec(select(ChannelIdentity).order_by(col(ChannelIdentity.person_id))))
        assert {(i.channel, i.external_id) for i in identities} == {("test", uid) for uid in expected_ids.values()}
        assert len(list(await s.exec(select(Person)))) == len(expected_ids) == 13
        assert len(list(await s.exec(select(RoleGrant)))) == len(STAFF) == 8


async def test_a_world_chat_speaks_as_the_person(world: World) -> None:
    chat = world.chat("resident_en")
    await chat.say("/profile")
    assert chat.text.splitlines()[:2] == ["Your profile:", "Name: John Tran"]
