"""The people feature's statistics: residents onboarded and consents given in a scope and period,
and onboarded residents by chat app, counted on real rows."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.i18n import catalog
from handlers.features import APP
from handlers.framework import Figure, StatsScope
from handlers.people.manifest import MANIFEST
from storage import units
from storage.people.invites import grant_role
from storage.people.models import ChannelIdentity
from tests.world import World, make_person

START, END = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)


def day(month: int, d: int, hour: int = 9, year: int = 2026) -> datetime:
    return datetime(year, month, d, hour, tzinfo=UTC)


async def add_people(world: World) -> None:
    """Residents of January 2026 (the world's own people onboarded today, outside the period)."""
    async with world.factory() as s:

        async def person(
            uid: str,
            ward: int,
            village: int | None = None,
            channel: str = "telegram",
            *,
            consent_at: datetime,
            onboarded_at: datetime | None,
            consent: bool = True,
        ) -> int:
            p = await make_person(s, uid, name=f"P{uid}", ward_id=ward, village_id=village, channel=channel)
            p.consent_given, p.consent_at, p.onboarded_at = consent, consent_at, onboarded_at
            assert p.id is not None
            return p.id

        await person("s1", world.ward_a, world.village_a1, consent_at=day(1, 5), onboarded_at=day(1, 5))
        both = await person("s2", world.ward_a, channel="zalo", consent_at=day(1, 10), onboarded_at=day(1, 10))
        s.add(ChannelIdentity(person_id=both, channel="web", external_id="s2-browser"))
        await person("s3", world.ward_a, consent_at=day(12, 30, year=2025), onboarded_at=day(1, 2))
        await person("s4", world.ward_a, consent_at=day(1, 31, 23), onboarded_at=END)  # onboarded at the end
        await person("s5", world.ward_b, consent_at=day(1, 6), onboarded_at=day(1, 6))  # another ward
        await person("s6", world.ward_a, consent=False, consent_at=day(1, 3), onboarded_at=day(1, 3))  # declined
        head = await person("s7", world.ward_a, world.village_a2, consent_at=day(1, 4), onboarded_at=day(1, 4))
        await grant_role(s, head, "village_head", world.village_a2, by="test")  # staff, not a resident
        await s.commit()


def values(figures: list[Figure]) -> dict[str, int | float | None]:
    return {f.key: f.value for f in figures}


async def test_people_figures_of_a_ward_and_of_the_whole_area(world: World) -> None:
    await add_people(world)
    assert MANIFEST.stats is not None
    async with world.factory() as s:
        ward_a = tuple(await units.descendant_ids(s, world.ward_a))
        in_a = await MANIFEST.stats(s, StatsScope(ward_a, START, END))
        everywhere = await MANIFEST.stats(s, StatsScope(None, START, END))
        today = await MANIFEST.stats(s, StatsScope(ward_a, END, datetime(2100, 1, 1, tzinfo=UTC)))
    assert values(in_a) == {
        "people.onboarded": 3,
        "people.consent_given": 3,
        "people.onboarded.telegram": 2,
        "people.onboarded.zalo": 1,
        "people.onboarded.web": 1,
    }
    assert values(everywhere) == {
        "people.onboarded": 4,
        "people.consent_given": 4,
        "people.onboarded.telegram": 3,
        "people.onboarded.zalo": 1,
        "people.onboarded.web": 1,
    }
    # From February on: s4, and the world's four residents of ward A (onboarded today on the test channel).
    assert values(today) == {
        "people.onboarded": 5,
        "people.consent_given": 4,
        "people.onboarded.telegram": 1,
        "people.onboarded.zalo": 0,
        "people.onboarded.web": 0,
    }


async def test_people_figures_are_translated_and_part_of_the_application(world: World) -> None:
    async with world.factory() as s:
        figures = await APP.statistics(s, StatsScope(None, START, END))
    people = [f for f in figures if f.key.startswith("people.")]
    assert [f.key for f in people] == [
        "people.onboarded",
        "people.consent_given",
        "people.onboarded.telegram",
        "people.onboarded.zalo",
        "people.onboarded.web",
    ]
    vi = catalog("vi")
    assert all(f.label in vi and f.explain in vi for f in people)
