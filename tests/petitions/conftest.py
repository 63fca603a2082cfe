"""Petition fixtures on top of the shared ``world`` (``tests/world.py``): the chat dispatcher with
uploads in a temporary folder, and ``cases`` — the world's people loaded in one session, with
their grants and the deployment's petition config, for tests of the services themselves.

Importing ``handlers.petitions.notify`` connects the receivers that turn the services' signals
into pushes, exactly as the running application does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

import handlers.petitions.flows as feedback_mod
import handlers.petitions.notify  # noqa: F401  (connects the push receivers)
from bot.dispatch import Dispatcher
from handlers.framework import Services
from storage import petitions
from storage.petitions.files import LocalFileStore
from tests.channels.telegram_support import fake, rig  # noqa: F401  (the Telegram rig, for test_official_telegram)
from tests.petitions.support import PEOPLE, Cases
from tests.world import World


@pytest.fixture
def services(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Services:
    monkeypatch.setattr(feedback_mod, "get_store", lambda cfg: LocalFileStore(tmp_path / "uploads"))
    return world.services


@pytest.fixture
def dispatcher(world: World, services: Services) -> Dispatcher:
    return world.dispatcher


@pytest.fixture
async def cases(world: World, session: AsyncSession) -> Cases:
    people = {attr: await world.person(session, key) for attr, key in PEOPLE.items()}
    grants = {p.id or 0: await world.grants(session, key) for key, p in ((k, people[a]) for a, k in PEOPLE.items())}
    return Cases(
        session,
        petitions.config_for(world.services),
        world.ward_a,
        world.ward_b,
        world.village_a1,
        grants=grants,
        **people,
    )  # type: ignore[arg-type]
