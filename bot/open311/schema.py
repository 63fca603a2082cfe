"""The OpenAPI 3 document of ``/open311/v2/`` (served as ``openapi.json``): every path in ``.json``
and ``.xml``, every parameter, and the exact shape of each JSON answer, errors included. The
schemathesis test checks the running API against it."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.open311.params import MAX_CODES, MAX_DAYS, MAX_REQUESTS
from storage.petitions.rules import DESCRIPTION_MAX, DESCRIPTION_MIN, STATUSES

__all__ = ["document", "openapi"]

_S = {"type": "string"}
_NS = {"type": "string", "nullable": True}
_DT = {"type": "string", "format": "date-time"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": list(props) if required is None else required,
        "additionalProperties": False,
    }


SCHEMAS: dict[str, Any] = {
    "Errors": {
        "type": "array",
        "minItems": 1,
        "items": _obj({"code": {"type": "integer", "enum": [400, 403, 404, 429]}, "description": _S}),
    },
    "Discovery": _obj(
        {
            "changeset": _DT,
            "contact": _S,
            "key_service": _S,
            "endpoints": {
                "type": "array",
                "items": _obj(
                    {
                        "specification": _S,
                        "url": _S,
                        "changeset": _DT,
                        "type": {"type": "string", "enum": ["production", "test"]},
                        "formats": {"type": "array", "items": _S},
                    }
                ),
            },
        }
    ),
    "Services": {
        "type": "array",
        "items": _obj(
            {
                "service_code": _S,
                "service_name": _S,
                "description": _S,
                "metadata": {"type": "boolean"},
                "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
                "keywords": {"type": "string", "description": "The route: its code and its Vietnamese name."},
                "group": {"type": "string", "description": "The category."},
            }
        ),
    },
    "ServiceDefinition": _obj(
        {
            "service_code": _S,
            "attributes": {
                "type": "array",
                "items": _obj(
                    {
                        "variable": {"type": "boolean"},
                        "code": {"type": "string", "enum": ["village", "anonymous", "publish", "contact_consent"]},
                        "datatype": {"type": "string", "enum": ["singlevaluelist"]},
                        "required": {"type": "boolean"},
                        "datatype_description": _S,
                        "order": {"type": "integer"},
                        "description": _S,
                        "values": {"type": "array", "items": _obj({"key": _S, "name": _S})},
                    }
                ),
            },
        }
    ),
    "ServiceRequests": {
        "type": "array",
        "maxItems": MAX_REQUESTS,
        "items": _obj(
            {
                "service_request_id": {"type": "string", "description": "The tracking code (mã tra cứu)."},
                "status": {"type": "string", "enum": ["open", "closed"]},
                "detailed_status": {
                    "type": "string",
                    "enum": list(STATUSES),
                    "description": "Extension: our status vocabulary.",
                },
                "status_notes": {**_NS, "description": "The public answer, anonymised."},
                "service_name": _S,
                "service_code": _S,
                "description": {
                    **_NS,
                    "description": "Anonymised; null unless its author agreed to publication or this key filed it.",
                },
                "agency_responsible": {**_S, "description": "The responsible unit (the ward)."},
                "requested_datetime": _DT,
                "updated_datetime": _DT,
                "expected_datetime": {**_DT, "description": "The legal answer date."},
                "address": {**_NS, "description": "Only to the key that filed it."},
                "lat": {"type": "number", "nullable": True},
                "long": {"type": "number", "nullable": True},
                "media_url": _NS,
                "status_history": {
                    "type": "array",
                    "description": "Extension: the public status changes, oldest first.",
                    "items": _obj(
                        {
                            "datetime": _DT,
                            "status": {"type": "string", "enum": ["open", "closed"]},
                            "detailed_status": {"type": "string", "enum": list(STATUSES)},
                        }
                    ),
                },
            }
        ),
    },
    "Created": {
        "type": "array",
        "minItems": 1,
        "maxItems": 1,
        "items": _obj({"service_request_id": _S, "service_notice": _S}),
    },
}


def _param(name: str, where: str, schema: dict[str, Any], description: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "schema": schema, "description": description}


def _answers(ok: str, fmt: str, ok_status: str = "200", errors: tuple[str, ...] = ("400",)) -> dict[str, Any]:
    def content(schema: str) -> dict[str, Any]:
        if fmt == "xml":
            return {"text/xml": {"schema": {"type": "string"}}}
        return {"application/json": {"schema": _ref(schema)}}

    out: dict[str, Any] = {ok_status: {"description": "OK", "content": content(ok)}}
    for e in errors:
        out[e] = {"description": "Open311 error", "content": content("Errors")}
    return out


API_KEY_Q = _param("api_key", "query", {"type": "string"}, "Optional: a key shows its unit's petitions too.")
LOCALE = _param("locale", "query", {"type": "string", "enum": ["vi", "en"]}, "Language of names (default vi).")
LIST_PARAMS = [
    API_KEY_Q,
    _param("service_request_id", "query", {"type": "string"}, f"Comma-separated tracking codes (at most {MAX_CODES})."),
    _param("service_code", "query", {"type": "string"}, "Comma-separated service codes."),
    _param("start_date", "query", _DT, f"ISO 8601; at most {MAX_DAYS} days before end_date."),
    _param("end_date", "query", _DT, "ISO 8601; default now."),
    _param("status", "query", {"type": "string", "enum": ["open", "closed", "open,closed"]}, "open or closed."),
    LOCALE,
]
FORM = {
    "type": "object",
    "required": ["api_key", "service_code", "description"],
    "properties": {
        "api_key": _S,
        "service_code": _S,
        "description": {"type": "string", "minLength": DESCRIPTION_MIN, "maxLength": DESCRIPTION_MAX},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "long": {"type": "number", "minimum": -180, "maximum": 180},
        "address_string": {"type": "string", "maxLength": 300},
        "media_url": {"type": "string", "format": "uri", "maxLength": 2000},
        "email": {"type": "string", "format": "email"},
        "phone": _S,
        "first_name": {"type": "string", "maxLength": 100},
        "last_name": {"type": "string", "maxLength": 100},
        "attribute[village]": {"type": "string", "description": "A unit code from the service definition."},
        "attribute[anonymous]": {"type": "string", "enum": ["true", "false"]},
        "attribute[publish]": {"type": "string", "enum": ["true", "false"]},
        "attribute[contact_consent]": {"type": "string", "enum": ["true", "false"]},
    },
}


def _paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for fmt in ("json", "xml"):
        paths[f"/discovery.{fmt}"] = {
            "get": {"summary": "Discovery", "responses": _answers("Discovery", fmt, errors=())}
        }
        paths[f"/services.{fmt}"] = {
            "get": {
                "summary": "The services",
                "parameters": [LOCALE],
                "responses": _answers("Services", fmt, errors=()),
            }
        }
        paths[f"/services/{{service_code}}.{fmt}"] = {
            "get": {
                "summary": "A service definition",
                "parameters": [_param("service_code", "path", {"type": "string"}, "e.g. phan_anh.roads", True), LOCALE],
                "responses": _answers("ServiceDefinition", fmt, errors=("404",)),
            }
        }
        paths[f"/requests.{fmt}"] = {
            "get": {
                "summary": f"Service requests, newest first (at most {MAX_REQUESTS}, default the last {MAX_DAYS} days)",
                "parameters": LIST_PARAMS,
                "responses": _answers("ServiceRequests", fmt, errors=("400", "403", "429")),
            },
            "post": {
                "summary": "File a petition",
                "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": FORM}}},
                "responses": _answers("Created", fmt, "201", errors=("400", "403", "429")),
            },
        }
        paths[f"/requests/{{service_request_id}}.{fmt}"] = {
            "get": {
                "summary": "One service request",
                "parameters": [
                    _param("service_request_id", "path", {"type": "string"}, "The tracking code.", True),
                    API_KEY_Q,
                    LOCALE,
                ],
                "responses": _answers("ServiceRequests", fmt, errors=("403", "404", "429")),
            }
        }
    return paths


def document(server_url: str = "/open311/v2") -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Loa Làng Open311 GeoReport v2",
            "version": "2026-12-01",
            "description": (
                "Open311 GeoReport v2 for the petitions of Loa Làng (góp ý, kiến nghị, phản ánh). Extensions: "
                "detailed_status, status_history; expected_datetime is the legal answer date, agency_responsible "
                "the responsible ward. Times are ISO 8601 with the +07:00 offset. Nothing personal is ever returned."
            ),
        },
        "servers": [{"url": server_url}],
        "paths": _paths(),
        "components": {"schemas": SCHEMAS},
    }


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(document(f"{request.scheme}://{request.host}/open311/v2"))
