"""Zalo building blocks on their own: signature check, event parsing, and the client's error mapping
(HTTP 200 with an error code in the body) against the fake API."""

from __future__ import annotations

import aiohttp
import pytest

from bot.channels.zalo_client import (
    ZaloClient,
    ZaloError,
    ZaloNotFollower,
    ZaloOutsideWindow,
    ZaloRefreshTokenInvalid,
    ZaloTokenExpired,
)
from bot.channels.zalo_webhook import event_key, parse_body, parse_event, verify_signature
from tests.fakes.zalo_api import FakeZaloAPI

APP, KEY = "1234567890", "oa-secret-key"


def test_signature_plain_sha256_over_raw_bytes_with_or_without_mac() -> None:
    fake = FakeZaloAPI(app_id=APP, oa_secret_key=KEY)
    raw, headers = fake.event("user_send_text", "u", text="Chào  phường")
    body = parse_body(raw)
    sig = headers["X-ZEvent-Signature"]
    assert sig.startswith("mac=")
    assert verify_signature(sig, raw, body, APP, KEY)
    assert verify_signature(sig[4:], raw, body, APP, KEY)
    assert verify_signature(sig.upper().replace("MAC=", "mac="), raw, body, APP, KEY)
    assert not verify_signature(sig, raw + b" ", body, APP, KEY)  # re-serialised bodies do not match
    assert not verify_signature(sig, raw, body, APP, "other-key")
    assert not verify_signature(sig, raw, body, "999", KEY)  # another app's event
    assert not verify_signature(None, raw, body, APP, KEY)


def test_events_map_to_incoming() -> None:
    fake = FakeZaloAPI()
    body = parse_body(fake.event("user_send_text", "u1", text="#b:4:skip", msg_id="m1")[0])
    inc = parse_event(body).incoming
    assert inc is not None and inc.button == "4:skip" and inc.event_id == "m1" and inc.channel == "zalo"
    body = parse_body(fake.event("user_send_text", "u1", text="2")[0])
    assert parse_event(body, [["Một", "a:1"], ["Hai", "a:2"]]).incoming.button == "a:2"  # type: ignore[union-attr]
    assert parse_event(body, None).incoming.text == "2"  # type: ignore[union-attr]
    assert parse_event(body, [["Một", "a:1"]]).incoming.text == "2"  # type: ignore[union-attr]
    body = parse_body(fake.event("user_send_text", "u1", text="/Profile")[0])
    assert parse_event(body).incoming.command == "profile"  # type: ignore[union-attr]
    follow = parse_body(fake.event("follow", "u2")[0])
    p = parse_event(follow)
    assert p.user_id == "u2" and p.incoming is not None and p.incoming.command == "start"
    assert event_key(follow).startswith("follow:u2:")
    assert parse_event(parse_body(fake.event("unfollow", "u2")[0])).kind == "unfollow"
    f = parse_body(
        fake.event(
            "user_send_file",
            "u3",
            attachments=[
                {
                    "type": "file",
                    "payload": {"url": "https://f/x.pdf", "name": "don.pdf", "size": "1234", "type": "pdf"},
                }
            ],
        )[0]
    )
    att = parse_event(f).incoming.attachments[0]  # type: ignore[union-attr]
    assert att.kind == "document" and att.file_name == "don.pdf" and att.size == 1234
    seen = parse_body(b'{"event_name":"user_seen_message","app_id":"1","sender":{"id":"oa"},"timestamp":"1"}')
    assert parse_event(seen).kind == "ignore"


async def test_client_maps_error_codes_in_http_200_bodies() -> None:
    async with FakeZaloAPI() as fake, aiohttp.ClientSession() as http:
        client = ZaloClient(http, fake.url, fake.url)
        with pytest.raises(ZaloTokenExpired):
            await client.send_text("nope", "u1", "x")
        access, refresh = fake.issue_tokens()
        with pytest.raises(ZaloNotFollower):
            await client.send_text(access, "stranger", "x")
        fake.user("u1")  # follows, never wrote
        with pytest.raises(ZaloOutsideWindow):
            await client.send_text(access, "u1", "x")
        fake.event("user_send_text", "u1", text="hi")
        assert await client.send_text(access, "u1", "xin chào")
        with pytest.raises(ZaloError) as too_many:
            from bot.channels.zalo_client import ZaloButton

            await client.send_buttons(access, "u1", "x", [ZaloButton(str(i), f"#b:{i}") for i in range(6)])
        assert too_many.value.code == -201
        att = await client.upload_image(access, b"\xff\xd8\xff" + b"0" * 50)
        assert await client.send_image(access, "u1", attachment_id=att)
        pair = await client.refresh_token(fake.app_id, fake.app_secret, refresh)
        assert pair.expires_in == 90000 and pair.refresh_token != refresh
        with pytest.raises(ZaloRefreshTokenInvalid):
            await client.refresh_token(fake.app_id, fake.app_secret, refresh)  # single use
