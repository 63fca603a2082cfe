"""What every dashboard page uses: the signed-in staff member (``require_staff``), rendering a
template (``render``), a database session (``db``), and the middleware that guards every page
(CSP and no-store headers, the CSRF check of every POST, and the error pages).

A page module (listed in ``pages.PAGES``) looks like::

    routes = web.RouteTableDef()

    @routes.get("/admin/things")
    async def things(request: web.Request) -> web.StreamResponse:
        actor = await require_staff(request)          # 401 page when not signed in
        async with db(request) as s:
            rows = await my_query(s, actor.grants)
        return render(request, "things.html", actor, rows=rows)

Forms carry ``<input type="hidden" name="csrf" value="{{ csrf }}">``; the middleware has refused
any POST without the session's token (403) before the handler runs. Raise ``NotFound``
(bot.core.errors) for anything out of the actor's scope: the 404 page is the same as for nothing.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound, PermissionDenied
from bot.core.i18n import SUPPORTED, Translator
from bot.core.roles import ROLE_NAMES, STAFF, Role
from handlers.framework.services import Services
from storage import audit, dashboard
from storage.dashboard.models import DashboardSession
from storage.people.models import Person, RoleGrant
from storage.petitions.errors import OutOfScope

__all__ = [
    "AUDIT_READERS",
    "COOKIE",
    "CSP",
    "Actor",
    "Dashboard",
    "NotSignedIn",
    "db",
    "guard",
    "locale_of",
    "redirect",
    "refuse",
    "render",
    "require_staff",
    "state",
]

AUDIT_READERS: tuple[str, ...] = (Role.UNIT_HEAD, Role.DISTRICT_ADMIN, Role.INSPECTOR)
"""Who may open the audit page (of their units)."""

COOKIE = "loalang_admin"
LANG_COOKIE = "loalang_lang"
PREFIXES = ("/admin", "/public")
"""Paths the guard middleware covers (pages of this package and of its page modules)."""
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
"""The web chat's policy (bot/channels/webchat.py), without WebSockets and never framed."""


@dataclass
class Dashboard:
    """What the pages share, stored on the aiohttp application (``state(request)``)."""

    services: Services
    secure: bool
    """Cookies marked Secure (PUBLIC_BASE_URL is https)."""
    jinja: jinja2.Environment | None = None


SESSION_KEY: web.RequestKey[DashboardSession | None] = web.RequestKey("loalang_dashboard_session")
ACTOR_KEY: web.RequestKey[Actor] = web.RequestKey("loalang_dashboard_actor")
AUDITED_KEY: web.RequestKey[bool] = web.RequestKey("loalang_dashboard_refusal_audited")
DASHBOARD: web.AppKey[Dashboard] = web.AppKey("loalang_dashboard", Dashboard)
JINJA: web.AppKey[jinja2.Environment] = web.AppKey("loalang_dashboard_jinja", jinja2.Environment)


def state(request: web.Request) -> Dashboard:
    return request.app[DASHBOARD]


@asynccontextmanager
async def db(request: web.Request) -> AsyncIterator[AsyncSession]:
    """A database session; the caller commits what it changes. Close it before opening another
    (SQLite: one connection per process)."""
    async with state(request).services.session_factory() as s:
        yield s


class NotSignedIn(Exception):
    """No live session: the guard answers with the 401 page (how to get a sign-in link)."""


@dataclass(frozen=True)
class Actor:
    """The signed-in staff member of this request."""

    person: Person
    grants: list[RoleGrant]
    """Active grants of staff roles (village head and above)."""
    locale: str
    csrf: str
    session_id: int

    @property
    def id(self) -> int:
        assert self.person.id is not None
        return self.person.id

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def has(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.grants)

    @property
    def name(self) -> str:
        return self.person.display_name or ""

    def role_labels(self) -> list[str]:
        return [Translator(self.locale)(ROLE_NAMES[g.role]) for g in self.grants if g.role in ROLE_NAMES]


def locale_of(request: web.Request) -> str:
    """The language of a page for somebody not signed in: ``?lang=``, the cookie, else Vietnamese."""
    lang = request.query.get("lang") or request.cookies.get(LANG_COOKIE) or "vi"
    return lang if lang in SUPPORTED else "vi"


async def _session_row(request: web.Request) -> DashboardSession | None:
    if SESSION_KEY in request:
        return request[SESSION_KEY]
    services = state(request).services
    async with services.session_factory() as s:
        row = await dashboard.current_session(s, request.cookies.get(COOKIE), now=services.now())
        await s.commit()
    request[SESSION_KEY] = row
    return row


async def require_staff(request: web.Request) -> Actor:
    """The signed-in person with their active staff grants, locale and CSRF token. Not signed in
    (or the session idled out): ``NotSignedIn`` (401 page). Signed in but no staff role any more
    (revoked since): ``PermissionDenied`` (403 page, audited)."""
    if ACTOR_KEY in request:
        return request[ACTOR_KEY]
    row = await _session_row(request)
    if row is None:
        raise NotSignedIn()
    async with db(request) as s:
        person = await s.get(Person, row.person_id)
        grants = list(
            await s.exec(
                select(RoleGrant).where(
                    RoleGrant.person_id == row.person_id,
                    col(RoleGrant.revoked_at).is_(None),
                    col(RoleGrant.role).in_(STAFF),
                )
            )
        )
    if person is None or person.erased_at is not None:
        raise NotSignedIn()
    assert row.id is not None
    actor = Actor(person, grants, row.locale, row.csrf_token, row.id)
    request[ACTOR_KEY] = actor
    if not grants:
        raise PermissionDenied()
    return actor


async def refuse(
    request: web.Request,
    actor: Actor | None,
    *,
    unit_id: int | None = None,
    actor_id: int | None = None,
    **data: Any,
) -> None:
    """Audit a refused request (``permission.denied``, like the chat's), naming the unit it touched."""
    who = actor.id if actor else actor_id
    async with db(request) as s:
        await audit.log(
            s,
            "permission.denied",
            "person",
            who,
            actor_id=who,
            actor_label=None if who else "web",
            unit_id=unit_id,
            path=request.path,
            method=request.method,
            **data,
        )
        await s.commit()
    request[AUDITED_KEY] = True


def _headers(resp: web.StreamResponse) -> web.StreamResponse:
    if resp.prepared:  # a streamed response set its own before the first byte
        return resp
    resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers.setdefault("Cache-Control", "no-store")
    resp.headers.setdefault("X-Frame-Options", "DENY")
    return resp


def redirect(location: str) -> web.Response:
    """303 See Other (after a POST, the browser GETs ``location``)."""
    return web.Response(status=303, headers={"Location": location})


def render(
    request: web.Request, template: str, actor: Actor | None, *, status: int = 200, **context: Any
) -> web.Response:
    """A page: ``template`` (extending ``base.html``) with ``_`` (translate into the actor's
    language), ``actor``, ``csrf``, ``locale`` and ``context``; autoescaped, CSP set."""
    locale = actor.locale if actor else locale_of(request)
    ctx = {
        "_": Translator(locale),
        "actor": actor,
        "csrf": actor.csrf if actor else "",
        "locale": locale,
        "path": request.path_qs,
        **context,
    }
    resp = aiohttp_jinja2.render_template(template, request, ctx, app_key=JINJA, status=status)
    _headers(resp)
    return resp


def _error_page(request: web.Request, status: int, actor: Actor | None) -> web.Response:
    return render(request, "error.html", actor, status=status, status_code=status)


async def _valid_csrf(request: web.Request) -> bool:
    row = await _session_row(request)
    if row is None:
        return False
    sent = request.headers.get("X-CSRF-Token")
    if sent is None:
        form = await request.post()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    return sent is not None and hmac.compare_digest(sent, row.csrf_token)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """For the dashboard's paths: refuse a POST without the session's CSRF token (403, nothing done;
    the sign-in form is exempt: it has no session yet and carries its own secret), turn
    ``NotSignedIn``/``NotFound``/``PermissionDenied`` into their pages, and set the headers."""
    if not request.path.startswith(PREFIXES):
        return await handler(request)
    exempt = request.path.startswith("/admin/login/")
    if request.method == "POST" and not exempt and not await _valid_csrf(request):
        row = request.get(SESSION_KEY)
        await refuse(request, None, actor_id=row.person_id if row else None, reason="csrf")
        return _error_page(request, 403, None)
    try:
        return _headers(await handler(request))
    except NotSignedIn:
        return _error_page(request, 401, None)
    except OutOfScope:
        return _error_page(request, 404, request.get(ACTOR_KEY))
    except PermissionDenied:
        actor = request.get(ACTOR_KEY)
        if not request.get(AUDITED_KEY):
            await refuse(request, actor)
        return _error_page(request, 403, actor)
    except (NotFound, web.HTTPNotFound):
        return _error_page(request, 404, request.get(ACTOR_KEY))
    except web.HTTPException as exc:
        _headers(exc)
        raise
