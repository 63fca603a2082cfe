"""Demo mode: sample people in phường Kim Bảng (code 13384) so a newcomer can try the whole loop —
resident, village head, official — in one browser, without any bot token.

``seed_demo(app)`` is idempotent. Each persona is a ready person (consent given, onboarded) with a web
chat identity ``demo-persona-<key>``; in demo mode the web chat page switches the browser to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import select

from bot.core.i18n import N_
from storage import units
from storage.db import utcnow
from storage.people.invites import grant_role
from storage.people.models import ChannelIdentity, Person
from storage.units.models import Unit

DEMO_WARD_CODE = "13384"
DEMO_VILLAGE_CODE = "13384-T04"  # Thôn Ngọc Sơn (sample)


@dataclass(frozen=True)
class DemoPersona:
    key: str
    label: str  # msgid shown in the persona switcher
    name: str
    role: str | None  # None: resident only
    scope: str  # "ward" or "village": where the role (and the home address) is
    phone: str | None = None

    @property
    def browser_id(self) -> str:
        return f"demo-persona-{self.key}"


DEMO_PERSONAS: tuple[DemoPersona, ...] = (
    DemoPersona("resident", N_("Resident"), "Nguyễn Thị Lan", None, "village", "0912000001"),
    DemoPersona("resident2", N_("Another resident"), "Trần Văn Minh", None, "village"),
    DemoPersona("village_head", N_("Village head"), "Lê Văn Hùng", "village_head", "village", "0912000003"),
    DemoPersona("official", N_("Ward official"), "Phạm Thu Hà", "official", "ward", "0912000004"),
    DemoPersona("unit_head", N_("Head of the ward"), "Đỗ Quang Vinh", "unit_head", "ward"),
    DemoPersona("inspector", N_("Inspection Board member"), "Hoàng Thị Mai", "inspector", "ward"),
)


async def _unit(session: Any, deployment: str, code: str) -> Unit:
    unit = await units.by_code(session, code, deployment=deployment)
    if unit is None:
        raise RuntimeError(f"demo: unit {code} is missing; load the {deployment} deployment units first")
    return unit


async def seed_demo(app: Any) -> None:
    """Create (or complete) the demo people, their roles and web identities. Safe to run twice."""
    deployment = app.services.deployment
    async with app.session_factory() as s:
        ward = await _unit(s, deployment, DEMO_WARD_CODE)
        village = await _unit(s, deployment, DEMO_VILLAGE_CODE)
        now = utcnow()
        for p in DEMO_PERSONAS:
            ident = (
                await s.exec(
                    select(ChannelIdentity).where(
                        ChannelIdentity.channel == "web", ChannelIdentity.external_id == p.browser_id
                    )
                )
            ).first()
            if ident is None:
                person = Person(
                    display_name=p.name,
                    locale="vi",
                    consent_given=True,
                    consent_at=now,
                    consent_version=app.services.privacy_notice_version,
                    ward_id=ward.id,
                    village_id=village.id,
                    phone=p.phone,
                    onboarded_at=now,
                )
                s.add(person)
                await s.flush()
                assert person.id is not None
                s.add(
                    ChannelIdentity(person_id=person.id, channel="web", external_id=p.browser_id, chat_id=p.browser_id)
                )
                await s.flush()
                person_id = person.id
            else:
                person_id = ident.person_id
            if p.role is not None:
                unit = village if p.scope == "village" else ward
                await grant_role(s, person_id, p.role, unit.id, by="demo")
        await s.commit()
