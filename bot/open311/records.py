"""A petition as an Open311 service request, showing only what this caller may see.

Never anything personal: no author, no contact, no identity, no files. The text and the answer are
anonymised (``petitions.scrub``, as on the public page); the text only when its author agreed to
publication, or to the key that filed it. Location and ``media_url`` only to the key that sent
them (the public page never shows where a person lives). The history is the public status changes,
without texts (what a follower sees).

Our extensions to GeoReport v2: ``detailed_status`` (our status vocabulary), ``status_history``;
``expected_datetime`` is the legal answer date and ``agency_responsible`` the responsible unit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from storage.apikeys.models import ApiRequest
from storage.apikeys.queries import ApiCase, StatusChange
from storage.petitions.queries import scrub

__all__ = ["iso", "request_record"]


def iso(dt: datetime, tz: ZoneInfo) -> str:
    """ISO 8601 in the deployment's zone, to the second: ``2026-03-02T09:00:00+07:00``."""
    return dt.astimezone(tz).isoformat(timespec="seconds")


def _open311_status(status: str, open_statuses: frozenset[str]) -> str:
    return "open" if status in open_statuses else "closed"


def request_record(
    c: ApiCase,
    *,
    tz: ZoneInfo,
    service_name: str,
    agency: str,
    history: list[StatusChange],
    filing: ApiRequest | None,
    own: bool,
    open_statuses: frozenset[str],
) -> dict[str, Any]:
    """The service request for ``c``; ``own``: the caller's key filed it."""
    changes = [
        {"datetime": iso(h.at, tz), "status": _open311_status(h.status, open_statuses), "detailed_status": h.status}
        for h in history
    ]
    updated = history[-1].at if history else c.created_at
    rec: dict[str, Any] = {
        "service_request_id": c.code,
        "status": "open" if c.is_open else "closed",
        "detailed_status": c.status,
        "status_notes": scrub(c.answer_text) or None,
        "service_name": service_name,
        "service_code": f"{c.route}.{c.category}",
        "description": scrub(c.description) if (c.publish_consent or own) else None,
        "agency_responsible": agency,
        "requested_datetime": iso(c.created_at, tz),
        "updated_datetime": iso(updated, tz),
        "expected_datetime": iso(c.answer_due, tz),
        "address": None,
        "lat": None,
        "long": None,
        "media_url": None,
        "status_history": changes,
    }
    if own:
        rec["address"] = c.place_text
        rec["lat"], rec["long"] = c.latitude, c.longitude
        rec["media_url"] = filing.media_url if filing is not None else None
    return rec
