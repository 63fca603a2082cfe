"""Web chat protocol without a browser: page and headers, identity cookies, bad input, limits,
uploads sniffed by content, idempotent resends, pushes and replay, demo persona switching."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlmodel import select
from yarl import URL

from bot.channels.webchat_identity import COOKIE, Identities
from bot.channels.webchat_limits import RateLimiter, TokenBuckets
from bot.channels.webchat_uploads import sniff
from bot.core.i18n import gettext
from storage.channels.webchat import WebChatMessage
from tests.browser import ChatServer, start_server

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def server(session_factory: Any, tmp_path: Path) -> AsyncIterator[ChatServer]:
    srv = await start_server(session_factory, tmp_path / "uploads")
    yield srv
    await srv.stop()


def cookie(c: aiohttp.ClientSession, url: str) -> str:
    return c.cookie_jar.filter_cookies(URL(url))[COOKIE].value


def client() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def frames_until(ws: aiohttp.ClientWebSocketResponse, kind: str, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Every frame up to and including the first of type ``kind``."""
    out = []
    while True:
        f = await ws.receive_json(timeout=timeout)
        out.append(f)
        if f["type"] == kind:
            return out


async def hello(ws: aiohttp.ClientWebSocketResponse, after: int = 0) -> list[dict[str, Any]]:
    await ws.send_json({"type": "hello", "after": after, "lang": "vi"})
    return await frames_until(ws, "ready")


def texts(frames: list[dict[str, Any]]) -> list[str]:
    return [f["text"] for f in frames if f["type"] == "message"]


async def history(server: ChatServer) -> list[WebChatMessage]:
    async with server.services.session_factory() as s:
        return list(await s.exec(select(WebChatMessage).order_by(WebChatMessage.id)))  # type: ignore[arg-type]


async def test_page_headers_cookie_and_assets(server: ChatServer) -> None:
    async with client() as c:
        r = await c.get(server.url + "/")
        assert r.status == 200
        html = await r.text()
        assert '<html lang="vi">' in html
        assert gettext("vi", "Type a message…") in html  # rendered in Vietnamese, escaped by the template
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
        cookie = r.headers["Set-Cookie"]
        assert COOKIE in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        for asset in ("app.js", "app.css", "icon.svg", "send.svg"):
            assert (await c.get(f"{server.url}/static/webchat/{asset}")).status == 200
        embed = await (await c.get(server.url + "/embed.js")).text()
        assert "__STRINGS__" not in embed and "iframe" in embed
        assert "http://" not in html.replace("http://www.w3.org", "")  # no external assets
        i18n = await (await c.get(server.url + "/webchat/i18n.json?lang=en")).json()
        assert i18n["strings"]["send"] == "Send"
        vi = await (await c.get(server.url + "/webchat/i18n.json")).json()
        assert vi["strings"]["send"] == "Gửi"


async def test_bad_json_then_a_good_message(server: ChatServer) -> None:
    async with client() as c, c.ws_connect(server.url + "/ws") as ws:
        assert (await hello(ws))[-1] == {"type": "ready", "empty": True}
        await ws.send_str("{not json")
        err = await ws.receive_json()
        assert err["type"] == "error" and err["code"] == "bad_request"
        assert err["text"] == gettext("vi", "Sorry, that message could not be read. Please try again.")
        await ws.send_json({"type": "text", "text": "no id"})
        assert (await ws.receive_json())["code"] == "bad_request"
        await ws.send_json({"type": "button", "id": "client-0001", "data": "x" * 65})
        assert (await ws.receive_json())["code"] == "bad_request"
        await ws.send_json({"type": "text", "id": "client-0002", "text": "/start"})
        got = await frames_until(ws, "ack")
        assert got[0]["from"] == "me" and got[0]["client_id"] == "client-0002"
        assert any(
            gettext("vi", "I agree") == b["label"]
            for f in got
            if f["type"] == "message"
            for row in f.get("buttons", [])
            for b in row
        )


async def test_oversized_message_is_refused_politely_and_nothing_stored(server: ChatServer) -> None:
    async with client() as c, c.ws_connect(server.url + "/ws") as ws:
        await hello(ws)
        await ws.send_json({"type": "text", "id": "client-long", "text": "â" * 4001})
        err = await ws.receive_json()
        assert err["code"] == "too_long" and err["client_id"] == "client-long"
        assert "4001" in err["text"] and "4000" in err["text"]
    assert await history(server) == []


async def test_forged_cookie_gets_a_new_identity(server: ChatServer) -> None:
    async with client() as c:
        await c.get(server.url + "/")
        real = cookie(c, server.url)
        browser_id = real.rpartition(".")[0]
        async with c.ws_connect(server.url + "/ws") as ws:
            await hello(ws)
            await ws.send_json({"type": "text", "id": "client-0003", "text": "/start"})
            await frames_until(ws, "ack")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as c2:
        forged = f"{browser_id}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        async with c2.ws_connect(server.url + "/ws", headers={"Cookie": f"{COOKIE}={forged}"}) as ws:
            frames = await hello(ws)
            assert frames == [{"type": "ready", "empty": True}]  # the real browser's history is not shown
        new = cookie(c2, server.url)
        assert new.rpartition(".")[0] != browser_id


async def test_resend_with_the_same_id_is_processed_once(server: ChatServer) -> None:
    async with client() as c, c.ws_connect(server.url + "/ws") as ws:
        await hello(ws)
        for _ in range(2):
            await ws.send_json({"type": "text", "id": "client-same", "text": "/start"})
        first = await frames_until(ws, "ack")
        second = await frames_until(ws, "ack")
    assert len(first) > 1 and second == [{"type": "ack", "client_id": "client-same"}]
    rows = await history(server)
    assert [r.direction for r in rows].count("in") == 1


async def test_rate_limit_message(session_factory: Any, tmp_path: Path) -> None:
    now = [0.0]
    limiter = RateLimiter(per_identity=(3, 10.0), per_ip=(60, 10.0), clock=lambda: now[0])
    srv = await start_server(session_factory, tmp_path, rate_limiter=limiter)
    try:
        async with client() as c, c.ws_connect(srv.url + "/ws") as ws:
            await hello(ws)
            for i in range(3):
                await ws.send_json({"type": "text", "id": f"client-rl{i:03}", "text": "xin chao"})
                await frames_until(ws, "ack")
            await ws.send_json({"type": "text", "id": "client-rl999", "text": "xin chao"})
            err = await ws.receive_json()
            assert err["code"] == "rate_limited" and "4" in err["text"]  # 1 token takes 3.33 s → "4 seconds"
            now[0] = 4.0
            await ws.send_json({"type": "text", "id": "client-rl999", "text": "xin chao"})
            assert (await frames_until(ws, "ack"))[-1]["type"] == "ack"
    finally:
        await srv.stop()


def test_token_bucket_refills() -> None:
    now = [0.0]
    b = TokenBuckets(2, 10.0, clock=lambda: now[0])
    assert b.take("a") == 0 and b.take("a") == 0 and b.take("a") == pytest.approx(5.0)
    assert b.take("b") == 0
    now[0] = 5.0
    assert b.take("a") == 0


async def _upload(c: aiohttp.ClientSession, url: str, data: bytes, name: str, cid: str) -> aiohttp.ClientResponse:
    form = aiohttp.FormData()
    form.add_field("id", cid)
    form.add_field("file", data, filename=name, content_type="image/jpeg")
    return await c.post(url + "/upload", data=form)


async def test_uploads_are_typed_by_content(server: ChatServer) -> None:
    async with client() as c:
        assert (await _upload(c, server.url, PDF, "photo.jpg", "client-up01")).status == 403  # no identity yet
        await c.get(server.url + "/")
        r = await _upload(c, server.url, PDF, "photo.jpg", "client-up02")
        body = await r.json()
        assert r.status == 200 and body["kind"] == "document" and body["mime_type"] == "application/pdf"
        r = await _upload(c, server.url, b"MZ\x90\x00 not an image", "cat.jpg", "client-up03")
        assert r.status == 415 and "PDF" in (await r.json())["text"]
        r = await _upload(c, server.url, PNG + b"\x00" * (10 * 1024 * 1024), "big.png", "client-up04")
        assert r.status == 413 and "10 MB" in (await r.json())["text"]
        r = await c.post(
            server.url + "/upload",
            data=aiohttp.FormData({"id": "client-up05"}),
            headers={"Origin": "https://evil.example"},
        )
        assert r.status == 403
    stored = list((server.channel.files.root).rglob("*"))  # type: ignore[attr-defined]
    files = [p for p in stored if p.is_file()]
    assert len(files) == 1 and files[0].suffix == ".pdf" and files[0].read_bytes() == PDF
    rows = await history(server)
    shown = rows[0].payload
    assert rows[0].direction == "in" and shown["attachments"][0]["kind"] == "document"


def test_sniff() -> None:
    assert sniff(PDF, "x.jpg") == ("application/pdf", "document", ".pdf")
    assert sniff(b"\xff\xd8\xff\xe0abc", "x.pdf")[1] == "photo"  # type: ignore[index]
    assert sniff(b"PK\x03\x04....", "report.docx")[2] == ".docx"  # type: ignore[index]
    assert sniff(b"<html><script>", "x.png") is None


async def test_push_while_open_and_replay_after_reconnect(server: ChatServer) -> None:
    async with client() as c:
        async with c.ws_connect(server.url + "/ws") as ws:
            await hello(ws)
            await ws.send_json({"type": "text", "id": "client-p001", "text": "/start"})
            frames = await frames_until(ws, "ack")
            browser_id = cookie(c, server.url).rpartition(".")[0]
            await server.push(browser_id, "Thông báo: họp tổ dân phố 19 giờ.")
            live = await ws.receive_json(timeout=5)
            assert live["text"] == "Thông báo: họp tổ dân phố 19 giờ." and live["from"] == "bot"
        last = live["id"]
        await server.push(browser_id, "Phường đã tiếp nhận kiến nghị của ông/bà.")
        for _ in range(50):
            if any(r.payload.get("text", "").startswith("Phường đã") for r in await history(server)):
                break
            import asyncio

            await asyncio.sleep(0.05)
        async with c.ws_connect(server.url + "/ws") as ws:
            replayed = await hello(ws, after=last)
        assert texts(replayed) == ["Phường đã tiếp nhận kiến nghị của ông/bà."]
        async with c.ws_connect(server.url + "/ws") as ws:
            full = texts(await hello(ws))  # a reload shows the whole conversation
        assert full[0] == "/start" and full[-1].startswith("Phường đã") and len(full) == len(texts(frames)) + 2


async def test_signing_key_is_kept_in_the_database(session_factory: Any) -> None:
    a, b = Identities(None), Identities(None)
    await a.load(session_factory)
    await b.load(session_factory)
    value = a.sign("abcdefghijklmnopqrstuvwx")
    assert b.verify(value) == "abcdefghijklmnopqrstuvwx"
    assert Identities("other").verify(value) is None
    assert a.verify(value[:-2] + "xx") is None


async def test_demo_endpoints_only_in_demo_mode(server: ChatServer, session_factory: Any, tmp_path: Path) -> None:
    async with client() as c:
        assert (await c.get(server.url + "/webchat/demo/personas")).status == 404
        r = await c.post(server.url + "/webchat/demo/persona", json={"persona": "official"})
        assert r.status == 404
    from types import SimpleNamespace

    from bot.demo import seed_demo

    app = SimpleNamespace(session_factory=session_factory, services=server.services)
    await seed_demo(app)
    await seed_demo(app)  # idempotent
    demo = await start_server(session_factory, tmp_path / "demo", demo=True)
    try:
        async with client() as c:
            await c.get(demo.url + "/")
            personas = (await (await c.get(demo.url + "/webchat/demo/personas")).json())["personas"]
            assert {"resident", "village_head", "official", "unit_head", "inspector"} <= {p["key"] for p in personas}
            r = await c.post(demo.url + "/webchat/demo/persona", json={"persona": "official"})
            assert r.status == 200
            async with c.ws_connect(demo.url + "/ws") as ws:
                await hello(ws)
                await ws.send_json({"type": "command", "id": "client-demo1", "text": "/profile"})
                got = " ".join(texts(await frames_until(ws, "ack")))
            assert "Phạm Thu Hà" in got, got
            personas = (await (await c.get(demo.url + "/webchat/demo/personas")).json())["personas"]
            assert [p["key"] for p in personas if p["current"]] == ["official"]
    finally:
        await demo.stop()


def test_sniff_takes_the_audio_the_petition_files_take() -> None:
    from storage.petitions.files import sniff as petition_sniff

    samples = {
        b"OggS\x00\x02" + b"\x00" * 30: "audio/ogg",
        b"ID3\x04\x00" + b"\x00" * 30: "audio/mpeg",
        b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00": "audio/mp4",
        b"\x00\x00\x00\x1cftypisom\x00\x00\x02\x00": "audio/mp4",  # Chrome's MediaRecorder
        b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 20: "audio/wav",
    }
    for data, mime in samples.items():
        assert sniff(data, "x.bin") == (mime, "voice", sniff(data)[2]), data  # type: ignore[index]
        assert petition_sniff(data)[:2] == ("voice", mime), data  # the petition will keep it too
    assert sniff(b"\x1aE\xdf\xa3\x9fB\x86\x81\x01webm", "voice.webm") is None  # not recorded by the page
    assert sniff(b"#!AMR\n" + b"\x00" * 30, "x.amr") is None  # the petition files take it for a script
    assert sniff(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "x")[1] == "photo"  # type: ignore[index]


async def test_an_uploaded_file_reaches_the_dispatcher_with_its_bytes(server: ChatServer) -> None:
    seen: list[Any] = []
    original = server.channel.dispatcher.handle

    async def spy(inc: Any) -> Any:
        seen.append(inc)
        return await original(inc)

    server.channel.dispatcher.handle = spy  # type: ignore[method-assign]
    ogg = b"OggS\x00\x02" + b"\x00" * 100
    try:
        async with client() as c:
            await c.get(server.url + "/")
            r = await _upload(c, server.url, ogg, "ghi-am.ogg", "client-au01")
            assert r.status == 200 and (await r.json())["kind"] == "voice"
    finally:
        server.channel.dispatcher.handle = original  # type: ignore[method-assign]
    (att,) = seen[0].attachments
    assert att.kind == "voice" and att.mime_type == "audio/ogg" and att.content == ogg
    assert await server.channel.fetch_file(att) == ogg
