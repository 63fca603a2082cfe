"""The staff dashboard: web pages for officials, unit heads, the district, inspectors and village
heads. Presentation, like a channel: pages call the same storage services and named permissions as
the chat (``storage.petitions``…), and ``handlers.features.APP`` for every feature's statistics.

``setup(app)`` is called once by ``bot.app``: it tells the services where people reach the server
(``PUBLIC_BASE_URL``, for the sign-in links ``/dashboard`` sends), sets up the templates
(aiohttp-jinja2, autoescape on), the static files, the guard middleware and every module of
``pages.PAGES``. Tests call ``mount`` on an application of their own. See ``core`` for how a page
is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.dashboard.core import DASHBOARD, JINJA, Dashboard, guard
from handlers.framework.services import Services

if TYPE_CHECKING:
    from bot.app import App

__all__ = ["mount", "setup"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static" / "dashboard"


def mount(web_app: web.Application, services: Services, *, secure: bool = False) -> Dashboard:
    """Add the dashboard to ``web_app`` (before it starts)."""
    from bot.dashboard.pages import PAGES, nav_items

    env = aiohttp_jinja2.setup(
        web_app,
        app_key=JINJA,
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        default_helpers=False,
    )
    env.globals["nav_items"] = nav_items
    dash = Dashboard(services, secure, env)
    web_app[DASHBOARD] = dash
    web_app.middlewares.append(guard)
    for module in PAGES:
        web_app.router.add_routes(module.routes)
    web_app.router.add_static("/static/dashboard/", STATIC, append_version=False)
    return dash


def setup(app: App) -> None:
    """Mount the dashboard on the application's web server (``bot.app`` calls this once)."""
    base = app.settings.base_url
    app.services.public_base_url = base
    mount(app.web_app, app.services, secure=base.startswith("https://"))
