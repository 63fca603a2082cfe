"""Browser identities for the web chat: a random id signed with HMAC, kept in an HttpOnly cookie.

The cookie value is ``<id>.<signature>``; a missing, malformed or forged cookie gets a new identity
(clearing cookies starts over). The key is ``SECRET_KEY`` or, when unset, a random key generated once
and kept in the database (``webchat_key``), so a restart keeps every browser's identity valid.

The browser id becomes ``Incoming.user_id`` on channel "web", i.e. a ``ChannelIdentity`` row
(channel="web", external_id=<browser id>). Linking this browser to the same person's Telegram or
Zalo identity later is just pointing that row's ``person_id`` at the other identity's person (after
proving both ends belong together, e.g. a one-time code sent on the other channel); nothing here
assumes one browser = one person forever.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from aiohttp import web
from sqlalchemy.exc import IntegrityError

from storage.channels.webchat import WebChatKey
from storage.db import SessionFactory

COOKIE = "loalang_web"
MAX_AGE = 2 * 365 * 24 * 3600
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Identities:
    """Mints and checks signed browser ids."""

    def __init__(self, secret: str | None) -> None:
        self._key: bytes | None = hashlib.sha256(secret.encode()).digest() if secret else None

    async def load(self, factory: SessionFactory) -> None:
        """Read (or create once) the database-held key when no ``SECRET_KEY`` is configured."""
        if self._key is not None:
            return
        async with factory() as s:
            row = await s.get(WebChatKey, "cookie")
            if row is None:
                s.add(WebChatKey(name="cookie", value=secrets.token_urlsafe(48)))
                try:
                    await s.commit()
                except IntegrityError:  # another process created it first
                    await s.rollback()
                row = await s.get(WebChatKey, "cookie")
            assert row is not None
            self._key = hashlib.sha256(row.value.encode()).digest()

    @property
    def ready(self) -> bool:
        return self._key is not None

    def sign(self, browser_id: str) -> str:
        assert self._key is not None, "Identities.load() first"
        mac = hmac.new(self._key, browser_id.encode(), hashlib.sha256).digest()
        return f"{browser_id}.{_b64(mac)}"

    def verify(self, value: str | None) -> str | None:
        """The browser id in a cookie value, or None if it is missing or not ours."""
        if not value or "." not in value or self._key is None:
            return None
        browser_id, _, _sig = value.rpartition(".")
        if not _ID.match(browser_id):
            return None
        return browser_id if hmac.compare_digest(self.sign(browser_id), value) else None

    @staticmethod
    def new_id() -> str:
        return secrets.token_urlsafe(24)

    def from_request(self, request: web.Request) -> tuple[str, bool]:
        """(browser id, is_new). A new id must be set on the response with ``set_cookie``."""
        found = self.verify(request.cookies.get(COOKIE))
        if found:
            return found, False
        return self.new_id(), True

    def set_cookie(self, request: web.Request, response: web.StreamResponse, browser_id: str) -> None:
        """HttpOnly, SameSite=Lax. Inside the portal's iframe (``embed=1``) over HTTPS a Lax cookie would
        be a blocked third-party cookie, so there it is SameSite=None; Secure; Partitioned (CHIPS)."""
        embed = request.query.get("embed") == "1" and request.secure
        response.set_cookie(
            COOKIE,
            self.sign(browser_id),
            max_age=MAX_AGE,
            path="/",
            httponly=True,
            samesite="None" if embed else "Lax",
            secure=request.secure or None,
            partitioned=True if embed else None,
        )


def storage_prefix(browser_id: str) -> str:
    """A folder name for a browser's files that does not reveal the browser id."""
    return hashlib.sha256(b"webchat-files:" + browser_id.encode()).hexdigest()[:24]
