"""Open311 GeoReport v2 at ``/open311/v2/``: other systems (the commune portal, a 1022 hotline, a
national feedback portal) file petitions and follow them without a chat.

Presentation at the ``bot`` layer, like a channel: ``routes`` (the endpoints), ``params`` (reading
parameters), ``catalog`` (categories as services), ``records`` (a petition as a service request),
``formats`` (JSON and XML), ``errors`` (Open311 errors), ``schema`` (the OpenAPI document). Keys
are in ``storage.apikeys``; petitions are filed through ``storage.petitions`` as they are.
"""

from __future__ import annotations

from aiohttp import web

from bot.open311.routes import BASE, add_routes
from handlers.framework import Services
from storage.db import SessionFactory

__all__ = ["BASE", "setup"]


def setup(web_app: web.Application, factory: SessionFactory, services: Services) -> None:
    """Mount ``/open311/v2/`` on the application's web server."""
    add_routes(web_app, factory, services)
