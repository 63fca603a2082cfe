"""Our petition categories as Open311 services, and their definitions.

A service is a (route, category) pair: ``phan_anh.roads`` is a phản ánh about roads. Only the routes
that need no proof of identity are offered (góp ý, kiến nghị, phản ánh — ``API_ROUTES``): a khiếu
nại or tố cáo needs the person's identity in the chat, so it can be neither filed nor read here.
``keywords`` carry the route (its code and its Vietnamese name), ``group`` the category.

A definition's attributes: the village (a unit code; the ward's code means the whole ward), whether
to send it anonymously (phản ánh only), consent to publish it without the name, and the person's
consent to keep the contact details sent with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.i18n import N_, gettext
from storage import units
from storage.petitions.config import CasesConfig
from storage.units.models import Unit

__all__ = ["API_ROUTES", "ROUTE_NAMES", "Service", "attributes", "parse_code", "service_list", "services"]

API_ROUTES = ("phan_anh", "kien_nghi", "gop_y")
ROUTE_NAMES = {
    "phan_anh": (N_("Report of a problem (phản ánh)"), "phản ánh"),
    "kien_nghi": (N_("Petition (kiến nghị)"), "kiến nghị"),
    "gop_y": (N_("Suggestion (góp ý)"), "góp ý"),
}
VILLAGE, ANONYMOUS, PUBLISH, CONTACT_CONSENT = "village", "anonymous", "publish", "contact_consent"
TRUE_FALSE = [{"key": "true", "name": "true"}, {"key": "false", "name": "false"}]


@dataclass(frozen=True)
class Service:
    code: str
    route: str
    category: str


def services(cfg: CasesConfig) -> list[Service]:
    return [Service(f"{r}.{c.id}", r, c.id) for r in API_ROUTES if r in cfg.routes for c in cfg.categories]


def parse_code(cfg: CasesConfig, code: str) -> Service | None:
    """The service ``code`` names, or None (unknown, or a route this API does not offer)."""
    return next((s for s in services(cfg) if s.code == code), None)


def _route_label(route: str, locale: str) -> str:
    return gettext(locale, ROUTE_NAMES[route][0])


def service_list(cfg: CasesConfig, locale: str) -> list[dict[str, Any]]:
    """``GET services``: every service, with the route in ``keywords`` and the category as ``group``."""
    out = []
    for s in services(cfg):
        cat = cfg.category_label(s.category, locale)
        out.append(
            {
                "service_code": s.code,
                "service_name": f"{_route_label(s.route, locale)}: {cat}",
                "description": _describe(cfg, s, locale),
                "metadata": True,
                "type": "realtime",
                "keywords": f"{s.route}, {ROUTE_NAMES[s.route][1]}",
                "group": cat,
            }
        )
    return out


def _describe(cfg: CasesConfig, s: Service, locale: str) -> str:
    d = cfg.routes[s.route].deadline
    unit = gettext(locale, N_("working days")) if d.answer_unit == "working" else gettext(locale, N_("days"))
    return gettext(
        locale,
        N_("{route} about {category}. Answered within {n} {unit}."),
        route=_route_label(s.route, locale),
        category=cfg.category_label(s.category, locale),
        n=d.answer_days,
        unit=unit,
    )


async def _places(session: Any, deployment: str, locale: str) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for ward in await units.current_communes(session, deployment):
        assert ward.id is not None
        name = units.display_name(ward, locale)
        out.append({"key": ward.code, "name": gettext(locale, N_("{ward}, the whole ward"), ward=name)})
        vs: list[Unit] = await units.villages_of(session, ward.id)
        out += [{"key": v.code, "name": f"{v.name}, {name}"} for v in vs]
    return out


async def attributes(session: Any, cfg: CasesConfig, s: Service, deployment: str, locale: str) -> list[dict[str, Any]]:
    """The service definition's attributes (GeoReport v2 shape)."""
    rule = cfg.routes[s.route]
    attrs: list[dict[str, Any]] = [
        {
            "variable": True,
            "code": VILLAGE,
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": gettext(locale, N_("A unit code from the list.")),
            "order": 1,
            "description": gettext(
                locale,
                N_(
                    "The village or residential group (or the whole ward) the petition is about. Needed when "
                    "the api_key covers more than one ward; it also routes the petition."
                ),
            ),
            "values": await _places(session, deployment, locale),
        }
    ]
    if rule.anonymous_allowed:
        attrs.append(
            _yes_no(
                ANONYMOUS, 2, gettext(locale, N_("Send it anonymously: the ward does not see the name or contact."))
            )
        )
    attrs.append(
        _yes_no(
            PUBLISH,
            3,
            gettext(
                locale,
                N_(
                    "The person agrees that the ward publishes the petition and its answer without their name. "
                    "Only published petitions are listed without an api_key."
                ),
            ),
        )
    )
    attrs.append(
        _yes_no(
            CONTACT_CONSENT,
            4,
            gettext(
                locale,
                N_(
                    "The person agreed that the ward keeps the first_name, last_name, email and phone sent with "
                    "this request, to answer them. Required (true) when any of those is sent."
                ),
            ),
        )
    )
    return attrs


def _yes_no(code: str, order: int, description: str) -> dict[str, Any]:
    return {
        "variable": True,
        "code": code,
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "true or false",
        "order": order,
        "description": description,
        "values": TRUE_FALSE,
    }
