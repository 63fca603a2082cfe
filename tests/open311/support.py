"""The Open311 API on localhost for tests: the real aiohttp routes on the ``world``'s database and
dispatcher services, API keys made through the storage services, and small helpers to call it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import insert

import handlers.petitions.notify  # noqa: F401  (submit queues the staff pushes, as in the app)
from bot import open311
from storage import apikeys, units
from storage.db import utcnow
from storage.petitions.models import Case
from tests.world import World

BASE = "/open311/v2"
REPORT = "Đèn đường ở đầu ngõ 5 bị hỏng đã hai tuần, buổi tối đi lại rất tối và nguy hiểm."


@dataclass
class Api:
    client: TestClient
    world: World
    key_a: str  # ward A (13384)
    key_b: str  # ward B (13393)

    async def post(self, fmt: str = "json", **form: Any) -> tuple[int, Any]:
        data = {"api_key": self.key_a, "service_code": "phan_anh.roads", "description": REPORT}
        data.update({k: v for k, v in form.items() if v is not None})
        resp = await self.client.post(f"{BASE}/requests.{fmt}", data=data)
        return resp.status, (await resp.json() if fmt == "json" else await resp.text())

    async def get(self, path: str, **params: Any) -> tuple[int, Any]:
        resp = await self.client.get(f"{BASE}/{path}", params={k: str(v) for k, v in params.items()})
        return resp.status, (await resp.json() if path.endswith(".json") else await resp.text())

    async def file(self, **form: Any) -> str:
        status, body = await self.post(**form)
        assert status == 201, body
        return str(body[0]["service_request_id"])


async def make_key(world: World, code: str, name: str = "Cổng thông tin", **kw: Any) -> str:
    async with world.factory() as s:
        unit = await units.by_code(s, code)
        assert unit is not None
        _key, token = await apikeys.create_key(s, name, unit, by="test", now=utcnow(), **kw)
        await s.commit()
    return token


@asynccontextmanager
async def api_client(world: World) -> AsyncIterator[Api]:
    web_app = web.Application()
    open311.setup(web_app, world.factory, world.services)
    client = TestClient(TestServer(web_app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield Api(client, world, await make_key(world, "13384"), await make_key(world, "13393", "Cổng B"))
    finally:
        await client.close()


async def seed_cases(
    world: World, n: int, *, start: datetime, step: timedelta, route: str = "phan_anh", publish: bool = True, **kw: Any
) -> list[str]:
    """``n`` petitions of ward A in one bulk insert, created ``step`` apart from ``start``; their codes."""
    rows = []
    for i in range(n):
        at = start + i * step
        rows.append(
            dict(
                code=f"KB-T{i:06d}",
                route=route,
                category="roads",
                status="new",
                is_open=True,
                version=1,
                author_id=world.ids["resident"],
                channel="test",
                locale="vi",
                anonymous=False,
                publish_consent=publish,
                ward_id=world.ward_a,
                unit_id=world.ward_a,
                description=f"Ổ gà số {i} trên đường liên thôn, xe máy dễ ngã.",
                description_folded=f"o ga so {i}",
                created_at=at,
                updated_at=at,
                ack_due=at + timedelta(days=7),
                answer_due=at + timedelta(days=14),
                reopen_count=0,
                escalated=False,
                extensions=0,
                **kw,
            )
        )
    async with world.factory() as s:
        await s.exec(insert(Case), params=rows)  # type: ignore[call-overload]
        await s.commit()
    return [r["code"] for r in rows]
