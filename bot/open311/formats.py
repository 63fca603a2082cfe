"""The two Open311 formats from one value: JSON as is, XML by the GeoReport v2 conventions (a root
element, one child per field, lists as a container whose items carry a singular tag; ``None`` fields
are left out, booleans are ``true``/``false``). The XML parser for tests and clients is here too, so
both directions follow the same rules."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from aiohttp import web

__all__ = ["FORMATS", "ITEM_TAGS", "from_xml", "json_bytes", "render", "render_list", "to_xml", "xml_item"]

FORMATS = ("json", "xml")
ITEM_TAGS = {
    "service_requests": "request",
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "status_history": "change",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
"""A list field's item tag (GeoReport v2 names; ``status_history`` is ours)."""
CONTENT_TYPES = {"json": "application/json", "xml": "text/xml"}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: ET.Element, tag: str, value: Any) -> None:
    if value is None:
        return
    el = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for k, v in value.items():
            _fill(el, k, v)
    elif isinstance(value, list):
        item = ITEM_TAGS.get(tag, "item")
        for v in value:
            _fill(el, item, v)
    else:
        el.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    """``value`` (a list for ``service_requests``/``services``/``errors``, else a dict) under ``root``."""
    el = ET.Element(root)
    if isinstance(value, list):
        item = ITEM_TAGS.get(root, "item")
        for v in value:
            _fill(el, item, v)
    else:
        for k, v in value.items():
            _fill(el, k, v)
    body: bytes = ET.tostring(el, encoding="utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def xml_item(tag: str, value: dict[str, Any]) -> bytes:
    """One list item (``<request>…</request>``) as bytes, to be joined by ``render_list``."""
    el = ET.Element(tag)
    for k, v in value.items():
        _fill(el, k, v)
    body: bytes = ET.tostring(el, encoding="utf-8")
    return body


def render_list(fmt: str, root: str, items: list[bytes], *, status: int = 200) -> web.Response:
    """A list whose items were rendered already (``json_bytes`` / ``xml_item``), joined in ``fmt``."""
    if fmt == "xml":
        body = b'<?xml version="1.0" encoding="utf-8"?>\n<' + root.encode() + b">" + b"".join(items)
        body += b"</" + root.encode() + b">"
    else:
        body = b"[" + b",".join(items) + b"]"
    return web.Response(body=body, status=status, content_type=CONTENT_TYPES[fmt], charset="utf-8")


def from_xml(data: bytes | str) -> Any:
    """The value ``to_xml`` wrote, all leaves as strings (a list where the tag is a known list)."""
    el = ET.fromstring(data)
    return _read(el)


def _read(el: ET.Element) -> Any:
    if el.tag in ITEM_TAGS:
        return [_read(c) for c in el]
    if len(el) == 0:
        return el.text or ""
    return {c.tag: _read(c) for c in el}


def render(
    fmt: str, root: str, value: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """The response in ``fmt`` (``json`` or ``xml``); ``root`` names the XML root element."""
    if fmt == "xml":
        body = to_xml(root, value)
    else:
        body = json_bytes(value)
    return web.Response(
        body=body,
        status=status,
        content_type=CONTENT_TYPES.get(fmt, "application/json"),
        charset="utf-8",
        headers=headers,
    )
