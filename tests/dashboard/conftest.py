"""Dashboard fixtures: the server on the shared ``world`` (see ``support``) and a Chromium browser."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.browser import launch_chromium
from tests.dashboard.support import Server, start
from tests.world import World


@pytest.fixture
async def server(world: World) -> AsyncIterator[Server]:
    srv = await start(world)
    yield srv
    await srv.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        b = await launch_chromium(pw)
        yield b
        await b.close()
