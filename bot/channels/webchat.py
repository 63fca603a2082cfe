"""The web chat channel: a mobile-first page served by the app, talking over a WebSocket.

Routes (added to the app's aiohttp application): ``GET /`` the page, ``GET /static/webchat/…`` its
assets (no CDN, no external font), ``GET /embed.js`` the one-line portal embed, ``GET /ws`` the
WebSocket, ``POST /upload`` photos and documents, ``GET /webchat/i18n.json`` the page's strings,
``GET /webchat/file/…`` files sent to this browser, and in demo mode ``/webchat/demo/…`` (persona switch).

Why a WebSocket rather than SSE + POST: one connection carries both directions in order, the client's
message ids and acks ride on it, and aiohttp serves it natively; uploads alone use POST (multipart).

Protocol (JSON text frames). Client → server: ``{"type": "hello", "after": <last id>, "lang": "vi"}``
first (the server replays every stored message after that id, then sends ``{"type": "ready"}``);
then ``{"type": "text"|"button"|"location"|"contact"|"command"|"start", "id": <client uuid>, ...}``. The
client id becomes ``Incoming.event_id``, so a resend after a flaky connection is processed once.
``start`` is the page opening the conversation on a first visit: it runs ``/start`` and, as the person
typed nothing, leaves no message of theirs in the history. A ``command`` or ``button`` frame may carry
the ``label`` of what was pressed, which the history shows instead of a command nobody typed.
Server → client: ``{"type": "message", "id", "from": "me"|"bot", "text", "buttons", "at", ...}``,
``{"type": "ack", "client_id"}``, ``{"type": "error", "code", "text", "client_id"}``.

Every message a browser should see (its own messages, direct replies and pushes from the outbox) is
stored in ``webchat_message`` before it is pushed to the browser's open sockets, so a reload or a
reconnect shows what arrived while away.

The application hands the channel what it needs as plain arguments: the session factory (history,
keys), the demo flag and the demo personas (``Persona``), a clock.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from aiohttp import BodyPartReader, WSMsgType, web

from bot.channels.base import DIRECT, Channel, Delivery, Dispatch
from bot.channels.webchat_bus import PgPushBus
from bot.channels.webchat_history import HistoryWriter, Stored, by_ids, incoming, outgoing, replay
from bot.channels.webchat_i18n import LANGUAGE_NAMES, page_strings, render, t
from bot.channels.webchat_identity import COOKIE, Identities, storage_prefix
from bot.channels.webchat_limits import RateLimiter
from bot.channels.webchat_uploads import MAX_UPLOAD, FileStore, LocalFileStore, safe_file_name, sniff
from bot.config import Settings
from bot.core.errors import ChannelError
from bot.core.i18n import SUPPORTED, gettext
from bot.core.messages import NOT_KEPT, Attachment, Incoming, Location, Reply
from storage.channels.webchat import WebChatMessage
from storage.db import SessionFactory, utcnow

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "webchat"
MAX_TEXT = 4000
MAX_FRAME = 64 * 1024
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_MIME = {
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
    ".m4a": "audio/mp4",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
}


@dataclass
class _Conn:
    ws: web.WebSocketResponse
    browser_id: str
    ip: str | None
    lang: str = "vi"


class Persona(Protocol):
    """A demo persona the page can switch to (``bot.demo.DemoPersona``): ``label`` is a msgid."""

    @property
    def key(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def browser_id(self) -> str: ...


class WebChatChannel(Channel):
    """Serves the page and the WebSocket; ``send`` stores a push and delivers it to open sockets."""

    name = "web"

    def __init__(
        self,
        dispatcher: Dispatch,
        settings: Settings,
        web_app: web.Application,
        session_factory: SessionFactory,
        *,
        demo: bool = False,
        personas: Sequence[Persona] = (),
        clock: Callable[[], datetime] = utcnow,
        rate_limiter: RateLimiter | None = None,
        upload_dir: Path | None = None,
        serialise_db: bool | None = None,
        bus: PgPushBus | None = None,
    ) -> None:
        super().__init__(dispatcher)
        self.settings = settings
        self.factory = session_factory
        self.demo = demo
        self.personas: tuple[Persona, ...] = tuple(personas)
        self.clock = clock
        self.identities = Identities(settings.secret_key)
        # SQLite takes one writer at a time and a blocked BEGIN IMMEDIATE waits in SQLite's busy handler,
        # which sleeps up to 100 ms per retry: queue this channel's transactions here instead (see process).
        sqlite = settings.is_sqlite if serialise_db is None else serialise_db
        self._db_gate = asyncio.Semaphore(1 if sqlite else 64)
        self.history = HistoryWriter(self.factory, gate=self._db_gate)
        self.limits: RateLimiter = rate_limiter or RateLimiter()
        root = upload_dir or Path(getattr(settings, "data_dir", "data")) / "uploads"
        self.files: FileStore = LocalFileStore(Path(root))
        self.sockets: dict[str, set[web.WebSocketResponse]] = {}
        self.bus = bus  # several workers (PostgreSQL): pushes stored elsewhere reach our sockets
        self._template = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
        self._embed = (STATIC_DIR / "embed.js").read_text(encoding="utf-8")
        r = web_app.router
        r.add_get("/", self.page)
        r.add_get("/embed.js", self.embed_js)
        r.add_get("/ws", self.websocket)
        r.add_post("/upload", self.upload)
        r.add_get("/webchat/i18n.json", self.i18n)
        r.add_get("/webchat/file/{prefix}/{name}", self.file)
        r.add_get("/webchat/demo/personas", self.demo_personas)
        r.add_post("/webchat/demo/persona", self.demo_switch)
        r.add_static("/static/webchat/", STATIC_DIR, append_version=False)

    # --- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        await self.identities.load(self.factory)
        if self.bus is not None:
            await self.bus.start(self._stored_elsewhere)

    async def stop(self) -> None:
        for conns in list(self.sockets.values()):
            for ws in list(conns):
                await ws.close(code=1001, message=b"server stopping")
        if self.bus is not None:
            await self.bus.stop()
        await self.history.stop()

    def status(self) -> dict[str, object]:
        return {"enabled": True, "open_sockets": sum(len(s) for s in self.sockets.values())}

    # --- outbox pushes --------------------------------------------------------------------------
    async def send(self, recipient: str, reply: Reply, delivery: Delivery = DIRECT) -> None:
        """Keep the message in the browser's history and show it in every open tab of that browser.
        Never "unreachable": a browser that is closed sees it on its next visit."""
        stored = await self.history.add([outgoing(recipient, self._payload(recipient, reply), self.clock())])
        await self._push(recipient, stored)
        await self._announce(recipient, stored)

    async def fetch_file(self, attachment: Attachment) -> bytes:
        """The bytes of a file this browser uploaded (``ref`` is its key in the file store)."""
        path = self.files.path(attachment.ref or "")
        if path is None:
            raise ChannelError("web chat file not found")
        return await asyncio.to_thread(path.read_bytes)

    # --- helpers ----------------------------------------------------------------------------------
    async def _ready(self) -> None:
        if not self.identities.ready:
            await self.identities.load(self.factory)

    def _lang(self, request: web.Request) -> str:
        lang = request.query.get("lang") or request.cookies.get("loalang_lang") or self.settings.default_locale
        return lang if lang in SUPPORTED else "vi"

    def _csp(self, request: web.Request) -> str:
        host = request.host
        embed = request.query.get("embed") == "1"
        ancestors = (getattr(self.settings, "webchat_frame_ancestors", None) or "*") if embed else "'self'"
        return (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
            f"connect-src 'self' ws://{host} wss://{host}; font-src 'self'; form-action 'self'; "
            f"base-uri 'none'; manifest-src 'self'; frame-ancestors {ancestors}"
        )

    @staticmethod
    def _same_origin(request: web.Request) -> bool:
        """Browsers send Origin on WebSocket handshakes and POSTs: refuse other sites (CSRF, CSWSH)."""
        origin = request.headers.get("Origin")
        if origin is None or origin == "null":
            return origin is None
        return origin.split("://", 1)[-1].rstrip("/") == request.host

    def _payload(self, browser_id: str, reply: Reply) -> dict[str, Any]:
        d = reply.to_dict()
        for i, a in enumerate(reply.attachments):
            if a.content is not None:
                ext = Path(a.file_name or "").suffix.lower()
                ext = ext if re.match(r"^\.[a-z0-9]{2,5}$", ext) else ".bin"
                d["attachments"][i]["ref"] = "webfile:" + self.files.put(storage_prefix(browser_id), a.content, ext)
        return d

    @staticmethod
    def frame(m: Stored) -> dict[str, Any]:
        p = m.payload
        f: dict[str, Any] = {
            "type": "message",
            "id": m.id,
            "from": "me" if m.direction == "in" else "bot",
            "text": p.get("text") or "",
            "at": m.created_at.isoformat(),
        }
        atts = []
        for a in p.get("attachments") or []:
            ref = a.get("ref") or ""
            atts.append(
                {
                    "kind": a.get("kind"),
                    "file_name": a.get("file_name"),
                    "url": "/webchat/file/" + ref[8:] if ref.startswith("webfile:") else None,
                }
            )
        f["attachments"] = atts
        if m.direction == "in":
            f["client_id"] = m.client_id
        else:
            f["buttons"] = p.get("buttons") or []
            f["request_contact"] = bool(p.get("request_contact"))
            f["request_location"] = bool(p.get("request_location"))
        return f

    async def _push(self, browser_id: str, stored: Iterable[Stored]) -> None:
        frames = [json.dumps(self.frame(m), ensure_ascii=False) for m in stored]
        for ws in list(self.sockets.get(browser_id, ())):
            try:
                for f in frames:
                    await ws.send_str(f)
            except (ConnectionError, RuntimeError):
                self._forget(browser_id, ws)

    async def _announce(self, browser_id: str, stored: Sequence[Stored]) -> None:
        if self.bus is not None:
            await self.bus.publish(browser_id, [m.id for m in stored])

    async def _stored_elsewhere(self, browser_id: str, ids: list[int]) -> None:
        """Another worker stored these messages: push them if this process holds the browser's socket."""
        if browser_id in self.sockets:
            await self._push(browser_id, await by_ids(self.factory, browser_id, ids))

    def _forget(self, browser_id: str, ws: web.WebSocketResponse) -> None:
        conns = self.sockets.get(browser_id)
        if conns is not None:
            conns.discard(ws)
            if not conns:
                self.sockets.pop(browser_id, None)

    async def process(self, browser_id: str, inc: Incoming, client_id: str | None, shown: dict[str, Any]) -> None:
        """Dispatch one event, store the person's message and the replies, push them to the browser.
        A redelivery returns no replies: its replies are already in the history."""
        async with self._db_gate:
            replies = await self.dispatcher.handle(inc)
        if not replies:
            return
        now = self.clock()
        rows: list[WebChatMessage] = []
        # What the page shows now, where the stored copy says less (Reply.stored_text: a secret ballot).
        live: dict[int, str] = {}
        unkept = any(r.stored_text is not None for r in replies)
        if shown.get("text") is not None or shown.get("attachments"):
            text = shown.get("text") or ""
            in_row = incoming(browser_id, client_id, NOT_KEPT if unkept else text, now)
            if shown.get("attachments"):
                in_row.payload = dict(in_row.payload, attachments=shown["attachments"])
            if unkept:
                live[len(rows)] = text
            rows.append(in_row)
        for r in replies:
            if r.stored_text is not None:
                live[len(rows)] = r.text
            rows.append(outgoing(browser_id, self._payload(browser_id, r), now))
        stored = await self.history.add(rows)
        shown_now = [
            replace(m, payload=dict(m.payload, text=live[i])) if i in live else m for i, m in enumerate(stored)
        ]
        await self._push(browser_id, shown_now)
        await self._announce(browser_id, stored)  # the same browser's tabs on other workers

    # --- HTTP -------------------------------------------------------------------------------------
    async def page(self, request: web.Request) -> web.Response:
        await self._ready()
        browser_id, new = self.identities.from_request(request)
        lang = self._lang(request)
        other = "en" if lang == "vi" else "vi"
        body = render(
            self._template,
            lang,
            {
                "lang": lang,
                "other_lang": other,
                "other_lang_name": LANGUAGE_NAMES[other],
                "embed": "1" if request.query.get("embed") == "1" else "0",
                "demo": "1" if self.demo else "0",
            },
        )
        resp = web.Response(text=body, content_type="text/html", charset="utf-8")
        resp.headers["Content-Security-Policy"] = self._csp(request)
        resp.headers["Cache-Control"] = "no-store"
        if new:
            self.identities.set_cookie(request, resp, browser_id)
        return resp

    async def embed_js(self, request: web.Request) -> web.Response:
        lang = self._lang(request)
        strings = {k: page_strings(lang)[k] for k in ("open_chat", "close_chat")}
        body = self._embed.replace("__STRINGS__", json.dumps(strings, ensure_ascii=True))
        resp = web.Response(text=body, content_type="application/javascript", charset="utf-8")
        resp.headers["Cache-Control"] = "public, max-age=3600"
        resp.headers["Access-Control-Allow-Origin"] = "*"
        return resp

    async def i18n(self, request: web.Request) -> web.Response:
        lang = self._lang(request)
        resp = web.json_response(
            {
                "lang": lang,
                "strings": page_strings(lang),
                "max_text": MAX_TEXT,
                "max_upload_mb": MAX_UPLOAD // (1024 * 1024),
            }
        )
        resp.headers["Cache-Control"] = "no-cache"
        return resp

    async def file(self, request: web.Request) -> web.StreamResponse:
        await self._ready()
        browser_id = self.identities.verify(request.cookies.get(COOKIE))
        prefix, name = request.match_info["prefix"], request.match_info["name"]
        if browser_id is None or storage_prefix(browser_id) != prefix:
            raise web.HTTPNotFound()
        path = self.files.path(f"{prefix}/{name}")
        if path is None:
            raise web.HTTPNotFound()
        resp = web.FileResponse(
            path,
            headers={
                "Content-Type": _MIME.get(path.suffix, "application/octet-stream"),
                "Content-Disposition": "attachment",
                "Content-Security-Policy": "sandbox; default-src 'none'",
                "Cache-Control": "private, max-age=3600",
            },
        )
        return resp

    async def upload(self, request: web.Request) -> web.Response:
        """One photo, document or voice recording (multipart: ``id``, ``file``, optional ``caption``, ``lang``)."""
        if not self._same_origin(request):
            raise web.HTTPForbidden()
        await self._ready()
        lang = self._lang(request)
        browser_id = self.identities.verify(request.cookies.get(COOKIE))
        if browser_id is None:
            return web.json_response({"error": "no_identity", "text": t(lang, "upload_failed")}, status=403)
        if request.content_length and request.content_length > MAX_UPLOAD + 64 * 1024:
            return self._too_big(lang)
        wait = self.limits.check(browser_id, request.remote)
        if wait:
            return web.json_response(
                {"error": "rate_limited", "text": t(lang, "rate_limited", seconds=math.ceil(wait))}, status=429
            )
        fields: dict[str, str] = {}
        data = b""
        file_name: str | None = None
        try:
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                if part.name == "file":
                    file_name = part.filename
                    chunks, size = [], 0
                    while chunk := await part.read_chunk(256 * 1024):
                        size += len(chunk)
                        if size > MAX_UPLOAD:
                            return self._too_big(lang)
                        chunks.append(chunk)
                    data = b"".join(chunks)
                elif part.name in ("id", "caption", "lang"):
                    fields[part.name] = (await part.text())[:MAX_TEXT]
        except (ValueError, AssertionError):
            return web.json_response({"error": "bad_request", "text": t(lang, "bad_request")}, status=400)
        lang = fields["lang"] if fields.get("lang") in SUPPORTED else lang
        client_id = fields.get("id", "")
        if not _CLIENT_ID.match(client_id) or not data:
            return web.json_response({"error": "bad_request", "text": t(lang, "bad_request")}, status=400)
        kind = sniff(data, file_name)
        if kind is None:
            return web.json_response({"error": "bad_type", "text": t(lang, "upload_bad_type")}, status=415)
        mime, att_kind, ext = kind
        key = await asyncio.to_thread(self.files.put, storage_prefix(browser_id), data, ext)
        name = safe_file_name(file_name)
        # The bytes ride along: the flow stores them without fetching the file again.
        att = Attachment(kind=att_kind, ref=key, file_name=name, mime_type=mime, size=len(data), content=data)  # type: ignore[arg-type]
        caption = (fields.get("caption") or "").strip() or None
        inc = Incoming(
            channel="web", user_id=browser_id, event_id=client_id, text=caption, attachments=(att,), language_code=lang
        )
        shown = {"text": caption or "", "attachments": [{"kind": att_kind, "file_name": name, "ref": "webfile:" + key}]}
        try:
            await self.process(browser_id, inc, client_id, shown)
        except Exception:
            log.exception("web chat upload failed")
            return web.json_response({"error": "server", "text": t(lang, "server_error")}, status=500)
        return web.json_response({"ok": True, "kind": att_kind, "mime_type": mime, "file_name": name})

    @staticmethod
    def _too_big(lang: str) -> web.Response:
        return web.json_response(
            {"error": "too_large", "text": t(lang, "upload_too_big", limit=MAX_UPLOAD // (1024 * 1024))}, status=413
        )

    # --- demo -------------------------------------------------------------------------------------
    async def demo_personas(self, request: web.Request) -> web.Response:
        if not self.demo:
            raise web.HTTPNotFound()
        await self._ready()
        lang = self._lang(request)
        current = self.identities.verify(request.cookies.get(COOKIE))
        return web.json_response(
            {
                "personas": [
                    {"key": p.key, "label": gettext(lang, p.label), "name": p.name, "current": current == p.browser_id}
                    for p in self.personas
                ]
            }
        )

    async def demo_switch(self, request: web.Request) -> web.Response:
        """Point this browser at a seeded persona's web identity (demo mode only)."""
        if not self.demo:
            raise web.HTTPNotFound()
        if not self._same_origin(request) or request.content_type != "application/json":
            raise web.HTTPForbidden()
        await self._ready()
        try:
            key = (await request.json()).get("persona")
        except (ValueError, AttributeError):
            raise web.HTTPBadRequest() from None
        persona = next((p for p in self.personas if p.key == key), None)
        if key == "new":
            browser_id = self.identities.new_id()
        elif persona is not None:
            browser_id = persona.browser_id
        else:
            raise web.HTTPBadRequest()
        resp = web.json_response({"ok": True, "persona": key})
        self.identities.set_cookie(request, resp, browser_id)
        return resp

    # --- WebSocket --------------------------------------------------------------------------------
    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        if not self._same_origin(request):
            raise web.HTTPForbidden()
        await self._ready()
        browser_id, new = self.identities.from_request(request)
        ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=MAX_FRAME)
        if new:
            self.identities.set_cookie(request, ws, browser_id)
        await ws.prepare(request)
        conn = _Conn(ws, browser_id, request.remote, self._lang(request))
        self.sockets.setdefault(browser_id, set()).add(ws)
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._on_frame(conn, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    await self._error(conn, "bad_request", None)
        finally:
            self._forget(browser_id, ws)
        return ws

    async def _send_json(self, conn: _Conn, obj: dict[str, Any]) -> None:
        try:
            await conn.ws.send_str(json.dumps(obj, ensure_ascii=False))
        except (ConnectionError, RuntimeError):
            pass

    async def _error(self, conn: _Conn, code: str, client_id: str | None, **params: Any) -> None:
        await self._send_json(
            conn, {"type": "error", "code": code, "client_id": client_id, "text": t(conn.lang, code, **params)}
        )

    async def _on_frame(self, conn: _Conn, raw: str) -> None:
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            await self._error(conn, "bad_request", None)
            return
        kind = data["type"]
        if data.get("lang") in SUPPORTED:
            conn.lang = data["lang"]
        if kind == "hello":
            await self._hello(conn, data)
            return
        if kind == "ping":
            await self._send_json(conn, {"type": "pong"})
            return
        client_id = data.get("id")
        if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
            await self._error(conn, "bad_request", None)
            return
        text = data.get("text")
        if isinstance(text, str) and len(text) > MAX_TEXT:
            await self._error(conn, "too_long", client_id, count=len(text), limit=MAX_TEXT)
            return
        wait = self.limits.check(conn.browser_id, conn.ip)
        if wait:
            await self._error(conn, "rate_limited", client_id, seconds=math.ceil(wait))
            return
        parsed = self._incoming(conn, kind, client_id, data)
        if parsed is None:
            await self._error(conn, "bad_request", client_id)
            return
        inc, shown = parsed
        try:
            await self.process(conn.browser_id, inc, client_id, {"text": shown})
        except Exception:
            log.exception("web chat message %s failed", client_id)
            await self._error(conn, "server_error", client_id)
            return
        await self._send_json(conn, {"type": "ack", "client_id": client_id})

    async def _hello(self, conn: _Conn, data: dict[str, Any]) -> None:
        after = data.get("after")
        after = after if isinstance(after, int) and after >= 0 else 0
        stored = await replay(self.factory, conn.browser_id, after)
        for m in stored:
            await self._send_json(conn, self.frame(m))
        await self._send_json(conn, {"type": "ready", "empty": after == 0 and not stored})

    def _incoming(
        self, conn: _Conn, kind: str, client_id: str, data: dict[str, Any]
    ) -> tuple[Incoming, str | None] | None:
        """The neutral event for one client frame and the text to keep in the history (None: nothing)."""
        base: dict[str, Any] = {
            "channel": "web",
            "user_id": conn.browser_id,
            "event_id": client_id,
            "language_code": conn.lang,
        }
        text = data.get("text")
        label = data.get("label")
        if kind == "start":
            return Incoming(command="start", text="/start", **base), None
        if kind in ("text", "command"):
            if not isinstance(text, str) or not text.strip():
                return None
            stripped = text.strip()
            if stripped.startswith("/") and len(stripped) > 1:
                cmd, _, args = stripped[1:].partition(" ")
                shown = label[:200] if kind == "command" and isinstance(label, str) and label.strip() else stripped
                return Incoming(command=cmd.lower(), args=args.strip(), text=stripped, **base), shown
            if kind == "command":
                return None
            return Incoming(text=text, **base), text
        if kind == "button":
            value = data.get("data")
            if not isinstance(value, str) or not value or len(value) > 64 or not value.isascii():
                return None
            shown = label[:200] if isinstance(label, str) else value
            return Incoming(button=value, **base), shown
        if kind == "location":
            try:
                lat, lon = float(data["latitude"]), float(data["longitude"])
            except (KeyError, TypeError, ValueError):
                return None
            if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
                return None
            shown_at = t(conn.lang, "location_shown", lat=f"{lat:.5f}", lon=f"{lon:.5f}")
            return Incoming(location=Location(lat, lon), **base), shown_at
        if kind == "contact":
            phone = data.get("phone")
            if not isinstance(phone, str) or not phone.strip() or len(phone) > 32:
                return None
            return Incoming(contact_phone=phone.strip(), **base), phone.strip()
        return None
