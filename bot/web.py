"""The one aiohttp server: health, platform webhooks and web pages all mount here."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from aiohttp import web

from storage.db import ping

if TYPE_CHECKING:
    from bot.app import App

APP_KEY: web.AppKey[App] = web.AppKey("loalang_app")


async def healthz(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    db_ok = await ping(app.engine)
    body = {
        "status": "ok" if db_ok else "degraded",
        "database": {"ok": db_ok, "dialect": app.engine.dialect.name},
        "channels": {name: ch.status() for name, ch in app.channels.items()},
        "uptime_seconds": round(time.monotonic() - app.started_at, 1),
        "version": app.version,
    }
    return web.json_response(body, status=200 if db_ok else 503)


@web.middleware
async def security_headers(request: web.Request, handler):  # type: ignore[no-untyped-def]
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def forwarded_for(trusted: set[str]):  # type: ignore[no-untyped-def]
    """Behind a reverse proxy every request comes from the proxy: believe X-Forwarded-For only from
    the configured proxies (so per-IP rate limits see the real client)."""

    @web.middleware
    async def middleware(request: web.Request, handler):  # type: ignore[no-untyped-def]
        if request.remote in trusted:
            hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
            if hops:
                request = request.clone(remote=hops[-1])
        return await handler(request)

    return middleware


def build_web_app(app: App) -> web.Application:
    """The aiohttp application; channels add their routes before it starts."""
    trusted = {p.strip() for p in app.settings.trusted_proxies.split(",") if p.strip()}
    middlewares = [security_headers] + ([forwarded_for(trusted)] if trusted else [])
    web_app = web.Application(client_max_size=30 * 1024 * 1024, middlewares=middlewares)
    web_app[APP_KEY] = app
    web_app.router.add_get("/healthz", healthz)
    return web_app
