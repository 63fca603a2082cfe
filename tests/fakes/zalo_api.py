"""Fake Zalo OA Open API v3 + OAuth v4 server (aiohttp, 127.0.0.1, random port) for tests.

Built from the documented payloads and errors (see /work/shared/reference/platforms.md):
every answer is HTTP 200 with ``"error": 0`` on success or a negative code on failure.

Enforced: the ``access_token`` header (-216 when missing, unknown or expired), followers only
(-213), the 7-day interaction window per user (-230), a daily quota of messages (``quota``, -32),
at most ``max_buttons`` buttons (-201), text length (-201), and single-use rotating refresh tokens
(-14020 on reuse) with the app's ``secret_key`` header. ``refresh_delay`` widens the race window.

Helpers: ``issue_tokens`` (a first pair, like the OA's authorisation page), ``expire_access_tokens``,
``event(...)`` (a signed webhook delivery: raw body + headers; it also counts as the user's
interaction), ``sent(user_id)`` (accepted messages, oldest first), ``refresh_calls``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

WINDOW = timedelta(days=7)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class FakeUser:
    follower: bool = True
    last_interaction: datetime | None = None


@dataclass
class SentMessage:
    user_id: str
    message_id: str
    text: str | None
    buttons: list[dict[str, Any]] = field(default_factory=list)
    attachment: dict[str, Any] | None = None
    quote: str | None = None
    access_token: str = ""


class FakeZaloAPI:
    def __init__(
        self,
        *,
        app_id: str = "1234567890",
        app_secret: str = "app-secret",
        oa_secret_key: str = "oa-secret-key",
        clock: Callable[[], datetime] = _now,
        max_buttons: int = 5,
        max_text: int = 2000,
        quota: int | None = None,
        refresh_delay: float = 0.0,
    ) -> None:
        self.app_id, self.app_secret, self.oa_secret_key = app_id, app_secret, oa_secret_key
        self.clock = clock
        self.max_buttons, self.max_text, self.quota = max_buttons, max_text, quota
        self.refresh_delay = refresh_delay
        self.access_tokens: dict[str, datetime] = {}
        self.refresh_tokens: dict[str, bool] = {}  # token -> still usable
        self.refresh_calls = 0
        self.refresh_errors = 0
        self.users: dict[str, FakeUser] = {}
        self.messages: list[SentMessage] = []
        self.errors: list[int] = []
        self.uploads: dict[str, bytes] = {}
        self.sent_today = 0
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> FakeZaloAPI:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/{category}", self._message)
        app.router.add_post("/v2.0/oa/upload/image", self._upload)
        app.router.add_post("/v4/oa/access_token", self._oauth)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock)
        await site.start()
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def close(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeZaloAPI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- test helpers ---------------------------------------------------------------------------
    def issue_tokens(self, expires_in: int = 90000) -> tuple[str, str]:
        access, refresh = "AT-" + secrets.token_hex(8), "RT-" + secrets.token_hex(8)
        self.access_tokens[access] = self.clock() + timedelta(seconds=expires_in)
        self.refresh_tokens[refresh] = True
        return access, refresh

    def expire_access_tokens(self) -> None:
        past = self.clock() - timedelta(seconds=1)
        for t in self.access_tokens:
            self.access_tokens[t] = past

    def user(self, user_id: str) -> FakeUser:
        return self.users.setdefault(user_id, FakeUser())

    def sent(self, user_id: str | None = None) -> list[SentMessage]:
        return [m for m in self.messages if user_id is None or m.user_id == user_id]

    def signature(self, raw: bytes, timestamp: str, app_id: str | None = None) -> str:
        app = app_id or self.app_id
        return hashlib.sha256(app.encode() + raw + timestamp.encode() + self.oa_secret_key.encode()).hexdigest()

    def event(
        self,
        event_name: str,
        user_id: str,
        *,
        text: str | None = None,
        attachments: list[dict[str, Any]] | None = None,
        msg_id: str | None = None,
        at: datetime | None = None,
        mac_prefix: bool = True,
    ) -> tuple[bytes, dict[str, str]]:
        """A signed webhook delivery as Zalo sends it; the user's interaction is recorded."""
        at = at or self.clock()
        ts = str(int(at.timestamp() * 1000))
        body: dict[str, Any] = {
            "app_id": self.app_id,
            "event_name": event_name,
            "timestamp": ts,
            "user_id_by_app": "app-" + user_id,
            "recipient": {"id": "oa-1"},
            "sender": {"id": user_id},
        }
        u = self.user(user_id)
        if event_name == "follow":
            body["follower"] = {"id": user_id}
            body["source"] = "oa_profile"
            u.follower = True
        elif event_name == "unfollow":
            body["follower"] = {"id": user_id}
            u.follower = False
        else:
            msg: dict[str, Any] = {"msg_id": msg_id or f"msg-{next(self._ids)}-{secrets.token_hex(3)}"}
            if text is not None:
                msg["text"] = text
            if attachments is not None:
                msg["attachments"] = attachments
            body["message"] = msg
        if event_name != "unfollow":
            u.last_interaction = at
        raw = json.dumps(body, ensure_ascii=False).encode()
        sig = self.signature(raw, ts)
        return raw, {"X-ZEvent-Signature": f"mac={sig}" if mac_prefix else sig, "Content-Type": "application/json"}

    # --- handlers -------------------------------------------------------------------------------
    def _fail(self, code: int, message: str) -> web.Response:
        self.errors.append(code)
        return web.json_response({"error": code, "message": message})

    def _token_error(self, request: web.Request) -> web.Response | None:
        token = request.headers.get("access_token")
        if not token or token not in self.access_tokens:
            return self._fail(-216, "Access token is invalid")
        if self.access_tokens[token] <= self.clock():
            return self._fail(-216, "Access token has expired")
        return None

    async def _message(self, request: web.Request) -> web.Response:
        bad = self._token_error(request)
        if bad:
            return bad
        try:
            body = await request.json()
            user_id = str(body["recipient"]["user_id"])
            message = body["message"]
        except (ValueError, KeyError, TypeError):
            return self._fail(-201, "Parameters are invalid")
        u = self.users.get(user_id)
        if u is None or not u.follower:
            return self._fail(-213, "User has not followed the OA")
        if u.last_interaction is None or self.clock() - u.last_interaction > WINDOW:
            return self._fail(-230, "User has not interacted with the OA in the last 7 days")
        text = message.get("text")
        if text is not None and (not isinstance(text, str) or not text or len(text) > self.max_text):
            return self._fail(-201, "text is invalid")
        att = message.get("attachment")
        buttons: list[dict[str, Any]] = []
        if att is not None:
            payload = att.get("payload") if isinstance(att, dict) else None
            if not isinstance(payload, dict):
                return self._fail(-201, "attachment is invalid")
            buttons = payload.get("buttons") or []
            if len(buttons) > self.max_buttons:
                return self._fail(-201, "too many buttons")
            for b in buttons:
                if (
                    b.get("type")
                    not in ("oa.query.show", "oa.query.hide", "oa.open.url", "oa.open.phone", "oa.open.sms")
                    or not b.get("title")
                    or not b.get("payload")
                ):
                    return self._fail(-201, "button is invalid")
            if payload.get("template_type") == "media":
                for el in payload.get("elements") or []:
                    if el.get("attachment_id") and el["attachment_id"] not in self.uploads:
                        return self._fail(-201, "attachment_id is invalid")
        elif text is None:
            return self._fail(-201, "message is empty")
        if self.quota is not None and self.sent_today >= self.quota:
            return self._fail(-32, "Quota exceeded")
        self.sent_today += 1
        mid = f"oa-{next(self._ids)}"
        self.messages.append(
            SentMessage(
                user_id=user_id,
                message_id=mid,
                text=text,
                buttons=buttons,
                attachment=att,
                quote=message.get("quote_message_id"),
                access_token=request.headers["access_token"],
            )
        )
        return web.json_response({"error": 0, "message": "Success", "data": {"message_id": mid, "user_id": user_id}})

    async def _upload(self, request: web.Request) -> web.Response:
        bad = self._token_error(request)
        if bad:
            return bad
        form = await request.post()
        f = form.get("file")
        if f is None or not hasattr(f, "file"):
            return self._fail(-201, "file is missing")
        att_id = "att-" + secrets.token_hex(6)
        self.uploads[att_id] = f.file.read()  # type: ignore[union-attr]
        return web.json_response({"error": 0, "message": "Success", "data": {"attachment_id": att_id}})

    async def _oauth(self, request: web.Request) -> web.Response:
        form = await request.post()
        if request.headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id:
            self.refresh_errors += 1
            return web.json_response({"error": -14014, "error_name": "Invalid app", "error_description": "secret"})
        if form.get("grant_type") != "refresh_token":
            return web.json_response({"error": -14001, "error_name": "Invalid grant type"})
        if self.refresh_delay:
            import asyncio

            await asyncio.sleep(self.refresh_delay)
        rt = str(form.get("refresh_token", ""))
        if not self.refresh_tokens.get(rt):
            self.refresh_errors += 1
            return web.json_response(
                {
                    "error": -14020,
                    "error_name": "Invalid refresh token",
                    "error_description": "Refresh token is invalid or has been used",
                }
            )
        self.refresh_tokens[rt] = False
        self.refresh_calls += 1
        access, refresh = self.issue_tokens()
        return web.json_response({"access_token": access, "refresh_token": refresh, "expires_in": "90000"})

    def reset_quota(self) -> None:
        self.sent_today = 0
