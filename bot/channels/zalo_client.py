"""A thin aiohttp client for the Zalo OA Open API v3 and OAuth v4 (the few endpoints we use).

Zalo answers HTTP 200 even when a call fails: success is ``"error": 0`` in the JSON body. Known
error codes become typed exceptions (``ZaloError`` subclasses); anything else is a plain
``ZaloError`` with its code. Network trouble and non-200 answers raise ``ZaloTransportError``.
Error meanings come from Zalo's help desk and third-party integrations; the ones marked unverified
in the platform notes can be re-mapped through ``ZaloClient(error_map=...)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp


class ZaloError(Exception):
    """Zalo answered ``error != 0``."""

    def __init__(self, code: int, message: str = "") -> None:
        self.code = code
        self.message = message
        super().__init__(f"zalo error {code}: {message}" if message else f"zalo error {code}")


class ZaloTransportError(ZaloError):
    """No usable answer: connection failure, timeout, non-200 or non-JSON body."""

    def __init__(self, message: str) -> None:
        super().__init__(0, message)


class ZaloTokenExpired(ZaloError):
    """-216: the access token is invalid or expired; refresh and retry once."""


class ZaloOutsideWindow(ZaloError):
    """-230: the user has not interacted with the OA in the last 7 days."""


class ZaloNotFollower(ZaloError):
    """-213: the user does not follow the OA (unverified code)."""


class ZaloInvalidParam(ZaloError):
    """-201: a parameter was refused (some integrations report it for non-followers; unverified)."""


class ZaloFeatureNotAllowed(ZaloError):
    """-224: the feature is not in the OA's package."""


class ZaloRefreshTokenInvalid(ZaloError):
    """-14020: the refresh token is invalid or was already used. The OA must be reconnected."""


class ZaloQuotaExceeded(ZaloError):
    """The OA's sending quota is used up (code unverified; -32 by default)."""


DEFAULT_ERROR_MAP: dict[int, type[ZaloError]] = {
    -216: ZaloTokenExpired,
    -230: ZaloOutsideWindow,
    -213: ZaloNotFollower,
    -201: ZaloInvalidParam,
    -224: ZaloFeatureNotAllowed,
    -14020: ZaloRefreshTokenInvalid,
    -32: ZaloQuotaExceeded,
}


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class ZaloButton:
    title: str
    payload: str
    type: str = "oa.query.hide"


class ZaloClient:
    """Calls to ``api_base`` (openapi.zalo.me) and ``oauth_base`` (oauth.zaloapp.com) with one session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_base: str,
        oauth_base: str,
        *,
        timeout: float = 10.0,
        error_map: Mapping[int, type[ZaloError]] | None = None,
        button_template_type: str | None = None,
    ) -> None:
        self.http = session
        self.api_base = api_base.rstrip("/")
        self.oauth_base = oauth_base.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.error_map = dict(DEFAULT_ERROR_MAP if error_map is None else error_map)
        # Whether v3 "cs" wants payload.template_type with buttons is unverified: None leaves it out.
        self.button_template_type = button_template_type

    # --- plumbing -------------------------------------------------------------------------------
    def _raise_for(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ZaloTransportError("answer is not a JSON object")
        code = body.get("error", 0)
        try:
            code = int(code)
        except (TypeError, ValueError):
            raise ZaloTransportError(f"unexpected error field {code!r}") from None
        if code != 0:
            msg = str(body.get("message") or body.get("error_description") or body.get("error_name") or "")
            raise self.error_map.get(code, ZaloError)(code, msg[:200])
        return body

    async def _call(self, method: str, url: str, **kw: Any) -> dict[str, Any]:
        try:
            async with self.http.request(method, url, timeout=self.timeout, **kw) as resp:
                text = await resp.text()
                if resp.status != 200:
                    raise ZaloTransportError(f"HTTP {resp.status}")
        except aiohttp.ClientError as exc:
            raise ZaloTransportError(f"{type(exc).__name__}: {exc}"[:200]) from exc
        except TimeoutError as exc:
            raise ZaloTransportError("timeout") from exc
        try:
            body = json.loads(text)
        except ValueError:
            raise ZaloTransportError("answer is not JSON") from None
        return self._raise_for(body)

    async def _send(self, access_token: str, user_id: str, message: dict[str, Any], category: str = "cs") -> str | None:
        body = {"recipient": {"user_id": user_id}, "message": message}
        res = await self._call(
            "POST", f"{self.api_base}/v3.0/oa/message/{category}", json=body, headers={"access_token": access_token}
        )
        data = res.get("data") or {}
        return str(data["message_id"]) if isinstance(data, dict) and data.get("message_id") else None

    # --- messages -------------------------------------------------------------------------------
    async def send_text(
        self, access_token: str, user_id: str, text: str, *, quote: tuple[str, str] | None = None
    ) -> str | None:
        """Send a consultation text; ``quote`` = (field name, message id) marks it as a reply.
        Returns Zalo's message_id."""
        message: dict[str, Any] = {"text": text}
        if quote:
            message[quote[0]] = quote[1]
        return await self._send(access_token, user_id, message)

    async def send_buttons(
        self, access_token: str, user_id: str, text: str, buttons: Sequence[ZaloButton]
    ) -> str | None:
        """Text with query buttons: a tap comes back as a user message carrying the payload."""
        payload: dict[str, Any] = {
            "buttons": [{"title": b.title, "type": b.type, "payload": b.payload} for b in buttons]
        }
        if self.button_template_type:
            payload["template_type"] = self.button_template_type
        message = {"text": text, "attachment": {"type": "template", "payload": payload}}
        return await self._send(access_token, user_id, message)

    async def upload_image(
        self, access_token: str, content: bytes, file_name: str = "image.jpg", mime_type: str = "image/jpeg"
    ) -> str:
        """Upload an image; returns the attachment_id to send it with."""
        form = aiohttp.FormData()
        form.add_field("file", content, filename=file_name, content_type=mime_type)
        res = await self._call(
            "POST", f"{self.api_base}/v2.0/oa/upload/image", data=form, headers={"access_token": access_token}
        )
        data = res.get("data") or {}
        if not isinstance(data, dict) or not data.get("attachment_id"):
            raise ZaloTransportError("upload answer has no attachment_id")
        return str(data["attachment_id"])

    async def send_image(
        self,
        access_token: str,
        user_id: str,
        *,
        attachment_id: str | None = None,
        url: str | None = None,
        text: str | None = None,
    ) -> str | None:
        element: dict[str, Any] = {"media_type": "image"}
        if attachment_id:
            element["attachment_id"] = attachment_id
        elif url:
            element["url"] = url
        else:
            raise ValueError("an image needs attachment_id or url")
        message: dict[str, Any] = {
            "attachment": {"type": "template", "payload": {"template_type": "media", "elements": [element]}}
        }
        if text:
            message["text"] = text
        return await self._send(access_token, user_id, message)

    # --- OAuth ----------------------------------------------------------------------------------
    async def refresh_token(self, app_id: str, app_secret: str, refresh_token: str) -> TokenPair:
        """Exchange a (single-use) refresh token for a new pair."""
        res = await self._call(
            "POST",
            f"{self.oauth_base}/v4/oa/access_token",
            data={"refresh_token": refresh_token, "app_id": app_id, "grant_type": "refresh_token"},
            headers={"secret_key": app_secret},
        )
        try:
            return TokenPair(str(res["access_token"]), str(res["refresh_token"]), int(res.get("expires_in") or 90000))
        except (KeyError, ValueError):
            raise ZaloTransportError("token answer lacks access_token/refresh_token") from None
