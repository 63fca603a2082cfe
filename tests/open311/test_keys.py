"""API keys as operators and other systems meet them: shown once and stored hashed, limited to one
unit, rate-limited, revocable at once, every request made with one audited; the CLI."""

from __future__ import annotations

import re

from sqlmodel import select

from storage import apikeys
from storage.apikeys.models import ApiKey
from storage.audit.models import AuditEvent
from storage.db import utcnow
from tests.app.test_cli import run_cli
from tests.open311.support import Api, make_key


async def _audit(api: Api) -> list[tuple[str, int]]:
    async with api.world.factory() as s:
        rows = list(await s.exec(select(AuditEvent).where(AuditEvent.action == "apikey.request")))
    return [(r.data["method"], r.data["status"]) for r in rows]


async def test_key_is_stored_hashed(api: Api) -> None:
    async with api.world.factory() as s:
        keys = list(await s.exec(select(ApiKey)))
    assert {k.key_hash for k in keys} == {apikeys.hash_key(api.key_a), apikeys.hash_key(api.key_b)}
    assert all(len(k.prefix) < 16 and (api.key_a.startswith(k.prefix) or api.key_b.startswith(k.prefix)) for k in keys)
    assert not any(api.key_a == getattr(k, f) or api.key_b == getattr(k, f) for k in keys for f in ApiKey.model_fields)


async def test_revoked_key_is_refused_and_audited(api: Api) -> None:
    assert (await api.post(address_string="Ngõ 5"))[0] == 201
    async with api.world.factory() as s:
        key = (await s.exec(select(ApiKey).where(ApiKey.key_hash == apikeys.hash_key(api.key_a)))).one()
        await apikeys.revoke_key(s, key.id or 0, by="test", now=utcnow())
        await s.commit()
    status, body = await api.post(address_string="Ngõ 5")
    assert status == 403 and body == [{"code": 403, "description": "api_key is not valid"}]
    status, body = await api.get("requests.json", api_key=api.key_a)
    assert status == 403
    assert await _audit(api) == [("POST", 201), ("POST", 403), ("GET", 403)]


async def test_missing_or_unknown_key(api: Api) -> None:
    status, body = await api.post(api_key="", address_string="Ngõ 5")
    assert status == 403 and body[0]["description"] == "api_key is required"
    status, body = await api.post(api_key="ll311_guess", address_string="Ngõ 5")
    assert status == 403 and body[0]["description"] == "api_key is not valid"
    status, _ = await api.get("requests.json", api_key="ll311_guess")
    assert status == 403


async def test_another_units_key(api: Api) -> None:
    # ward B's key cannot file for a village of ward A, nor read ward A's unpublished petitions
    status, body = await api.post(api_key=api.key_b, **{"attribute[village]": "13384-T04"})
    assert status == 403 and "may not file petitions for that place" in body[0]["description"]
    hidden = await api.file(**{"attribute[village]": "13384-T04"})  # not published
    shown = await api.file(**{"attribute[village]": "13384-T04", "attribute[publish]": "true"})
    status, _ = await api.get(f"requests/{hidden}.json", api_key=api.key_b)
    assert status == 404
    status, _ = await api.get(f"requests/{hidden}.json")
    assert status == 404
    status, [seen] = await api.get(f"requests/{hidden}.json", api_key=api.key_a)
    assert status == 200 and seen["description"]  # the key that filed it reads its text back
    _, listed_b = await api.get("requests.json", api_key=api.key_b)
    _, listed_a = await api.get("requests.json", api_key=api.key_a)
    _, public = await api.get("requests.json")
    assert [r["service_request_id"] for r in listed_b] == [shown] == [r["service_request_id"] for r in public]
    assert [r["service_request_id"] for r in listed_a] == [shown, hidden]
    # ward B's own key files for ward B without naming a village
    status, body = await api.post(api_key=api.key_b, address_string="Chợ Đồng Hóa")
    assert status == 201


async def test_rate_limit_per_key(api: Api) -> None:
    key = await make_key(api.world, "13384", rate_per_minute=1, burst=2)
    assert (await api.get("requests.json", api_key=key))[0] == 200
    assert (await api.get("requests.json", api_key=key))[0] == 200
    resp = await api.client.get("/open311/v2/requests.json", params={"api_key": key})
    assert resp.status == 429 and int(resp.headers["Retry-After"]) >= 1
    assert (await resp.json())[0]["code"] == 429
    assert (await _audit(api))[-3:] == [("GET", 200), ("GET", 200), ("GET", 429)]
    assert (await api.get("requests.json", api_key=api.key_a))[0] == 200  # other keys are not affected
    assert (await api.get("requests.json"))[0] == 200


def test_cli_create_list_revoke(db_env: dict[str, str], engine) -> None:  # type: ignore[no-untyped-def]
    res = run_cli("apikey", "create", "--name", "Cổng phường", "--unit", "13384", env=db_env)
    assert res.returncode == 0, res.stderr
    token = res.stdout.strip().splitlines()[-1]
    assert token.startswith("ll311_") and len(token) > 40
    res = run_cli("apikey", "list", env=db_env)
    assert res.returncode == 0 and "Cổng phường" in res.stdout and token not in res.stdout
    key_id = re.search(r"^(\d+)\s+ll311_", res.stdout, re.M)
    assert key_id is not None
    res = run_cli("apikey", "revoke", "--id", key_id.group(1), env=db_env)
    assert res.returncode == 0 and "revoked" in res.stdout
    res = run_cli("apikey", "list", "--active", env=db_env)
    assert "Cổng phường" not in res.stdout
    res = run_cli("apikey", "create", "--name", "X", "--unit", "00000", env=db_env)
    assert res.returncode == 2 and "--unit 00000" in res.stderr
    res = run_cli("apikey", "revoke", "--id", "999", env=db_env)
    assert res.returncode == 2 and "--id 999" in res.stderr
    res = run_cli("apikey", "forget-contact", "--phone", "0987 654 321", env=db_env)
    assert res.returncode == 0 and "0 API author(s) with phone 0987654321 erased" in res.stdout
    res = run_cli("apikey", "forget-contact", "--phone", "abc", env=db_env)
    assert res.returncode == 2 and "--phone abc" in res.stderr


async def test_reads_without_a_key_are_limited_per_address(api: Api) -> None:
    from bot.channels.webchat_limits import TokenBuckets
    from bot.open311.routes import STATE

    api.client.server.app[STATE].public_limit = TokenBuckets(3, 60.0)
    for _ in range(3):
        assert (await api.get("requests.json"))[0] == 200
    status, body = await api.get("requests.json")
    assert status == 429 and "without an api_key" in body[0]["description"]
    assert (await api.get("requests.json", api_key=api.key_a))[0] == 200  # a key has its own bucket
    assert (await api.get("services.json"))[0] == 200  # the catalogue is not limited
