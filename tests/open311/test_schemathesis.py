"""The OpenAPI document tells the truth: schemathesis generates requests for every operation from
``/open311/v2/openapi.json`` and sends them to the real API on localhost (a real database, the Kim
Bảng world, a few petitions and a valid key); no answer may be a server error, and every answer
must match the document (status code, content type, JSON body). Examples are few per operation,
so the whole run stays well under a minute."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text
from sqlmodel import SQLModel

import storage.tables  # noqa: F401
from bot import open311
from storage.db import create_engine, session_factory
from tests.open311.support import REPORT, make_key
from tests.world import build_world

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class LiveApi:
    """The API served from its own thread and event loop (schemathesis calls it synchronously)."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.ready = threading.Event()
        self.base = ""
        self.key = ""
        self.codes: list[str] = []
        self.error: BaseException | None = None
        self.loop = asyncio.new_event_loop()
        self.stop: asyncio.Event | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported by the fixture
            self.error = exc
            self.ready.set()

    async def _serve(self) -> None:
        engine = create_engine(self.url)
        async with engine.begin() as conn:  # a clean database, as the shared ``engine`` fixture leaves it
            names = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
            if engine.dialect.name == "postgresql":
                quoted = ", ".join(f'"{n}"' for n in names)
                await conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            else:
                for n in names:
                    await conn.execute(text(f'DELETE FROM "{n}"'))
        world = await build_world(session_factory(engine))
        self.key = await make_key(world, "13384", rate_per_minute=100_000, burst=100_000)
        web_app = web.Application()
        open311.setup(web_app, world.factory, world.services)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}/open311/v2"
        self.stop = asyncio.Event()
        self.ready.set()
        await self.stop.wait()
        await runner.cleanup()
        await engine.dispose()

    def close(self) -> None:
        if self.stop is not None:
            self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_api(database_url: str) -> Iterator[LiveApi]:
    live = LiveApi(database_url)
    live.thread.start()
    assert live.ready.wait(30), "the API did not start"
    if live.error is not None:
        raise live.error
    import requests

    for village in ("13384-T04", "13384-T05"):
        form = {"api_key": live.key, "service_code": "phan_anh.roads", "description": REPORT}
        resp = requests.post(
            f"{live.base}/requests.json",
            data={**form, "attribute[village]": village, "attribute[publish]": "true"},
            timeout=10,
        )
        assert resp.status_code == 201, resp.text
        live.codes.append(resp.json()[0]["service_request_id"])
    yield live
    live.close()


def test_every_answer_matches_the_document(live_api: LiveApi) -> None:
    schema = schemathesis.openapi.from_url(f"{live_api.base}/openapi.json")  # the document as served
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 12  # six operations, in .json and .xml
    seen: list[str] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        def run(case: Any) -> None:
            if case.method == "POST" and isinstance(case.body, dict):
                case.body["api_key"] = live_api.key  # a real key, so generated petitions are really filed
            response = case.call_and_validate(base_url=live_api.base, checks=CHECKS)
            seen.append(f"{case.method} {case.path} {response.status_code}")

        run()
    statuses = {line.rsplit(" ", 1)[1] for line in seen}
    assert "200" in statuses and "400" in statuses, seen  # both good and refused requests were tried
