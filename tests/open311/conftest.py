"""Open311 fixtures: ``api``, the API on localhost over the shared ``world`` (see ``support.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.open311.support import Api, api_client
from tests.world import World


@pytest.fixture
async def api(world: World) -> AsyncIterator[Api]:
    async with api_client(world) as a:
        yield a


from tests.app.test_cli import db_env  # noqa: E402, F401  (the CLI's database, for test_keys)
