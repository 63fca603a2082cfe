"""Signing in and out. ``GET /admin/login/<token>`` shows a "Sign in" button and changes nothing
(chat apps open links to preview them, which must not use the one-time token up); its ``POST``
uses the token once and sets the session cookie (HttpOnly, SameSite=Strict, Secure on https).
``POST /admin/logout`` ends the session; ``POST /admin/lang`` switches the language;
``GET /admin`` goes to the queue.
"""

from __future__ import annotations

import re

from aiohttp import web

from bot.core.i18n import SUPPORTED
from bot.dashboard.core import COOKIE, LANG_COOKIE, db, locale_of, redirect, render, require_staff, state
from storage import dashboard

routes = web.RouteTableDef()

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
_IDLE_SECONDS = int(dashboard.IDLE_TIMEOUT.total_seconds())


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return origin != "null" and origin.split("://", 1)[-1].rstrip("/") == request.host


@routes.get("/admin/login/{token}")
async def login_page(request: web.Request) -> web.StreamResponse:
    token = request.match_info["token"]
    return render(request, "login.html", None, token=token if _TOKEN.match(token) else "")


@routes.post("/admin/login/{token}")
async def login(request: web.Request) -> web.StreamResponse:
    token = request.match_info["token"]
    st = state(request)
    if not _TOKEN.match(token) or not _same_origin(request):
        return render(request, "login_failed.html", None, status=403)
    async with db(request) as s:
        new = await dashboard.redeem_login_token(
            s, token, now=st.services.now(), locale=locale_of(request), ip=request.remote
        )
        await s.commit()
    if new is None:
        return render(request, "login_failed.html", None, status=403)
    resp = redirect("/admin/")
    resp.set_cookie(
        COOKIE,
        new.secret,
        max_age=_IDLE_SECONDS,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=st.secure,
    )
    return resp


@routes.post("/admin/logout")
async def logout(request: web.Request) -> web.StreamResponse:
    actor = await require_staff(request)
    st = state(request)
    async with db(request) as s:
        row = await s.get(dashboard.DashboardSession, actor.session_id)
        if row is not None:
            await dashboard.end_session(s, row, now=st.services.now())
        await s.commit()
    resp = render(request, "signed_out.html", None)
    resp.del_cookie(COOKIE, path="/")
    return resp


@routes.post("/admin/lang")
async def switch_language(request: web.Request) -> web.StreamResponse:
    actor = await require_staff(request)
    form = await request.post()
    lang = form.get("lang")
    if isinstance(lang, str) and lang in SUPPORTED:
        async with db(request) as s:
            row = await s.get(dashboard.DashboardSession, actor.session_id)
            if row is not None:
                await dashboard.set_session_locale(s, row, lang)
            await s.commit()
    back = form.get("next")
    target = back if isinstance(back, str) and back.startswith("/admin") and "//" not in back else "/admin/"
    resp = redirect(target)
    if isinstance(lang, str) and lang in SUPPORTED:
        resp.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 86400, path="/", samesite="Strict", secure=state(request).secure
        )
    return resp


@routes.get("/admin")
@routes.get("/admin/")
async def home(request: web.Request) -> web.StreamResponse:
    """The first page the actor may open, or a short page saying what they can do in the chat."""
    from bot.dashboard.pages import nav_items

    actor = await require_staff(request)
    items = nav_items(actor)
    if items:
        return redirect(items[0].href)
    return render(request, "home.html", actor)
