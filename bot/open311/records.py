"""A petition as an Open311 service request, showing only what this caller may see, and a small
per-process cache of the rendered requests.

Never anything personal: no author, no contact, no identity, no files. The text and the answer are
anonymised (``petitions.scrub``, as on the public page); the text only when its author agreed to
publication, or to the key that filed it. Location and ``media_url`` only to the key that sent
them (the public page never shows where a person lives). The history is the public status changes,
without texts (what a follower sees).

Our extensions to GeoReport v2: ``detailed_status`` (our status vocabulary), ``status_history``;
``expected_datetime`` is the legal answer date and ``agency_responsible`` the responsible unit.

The cache keys a rendered request (its JSON or XML text) by everything it is made of — the
petition's row as read now (its ``version`` moves with every change, so the history too), whether
the caller filed it, the media URL, the language and the format — so a hit is exactly what would be
rendered again, in every worker.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from storage.apikeys.queries import ApiCase, StatusChange
from storage.petitions.queries import scrub

__all__ = ["CacheKey", "RecordCache", "fixed_zone", "iso", "request_record"]


def fixed_zone(tz: ZoneInfo, now: datetime | None = None) -> timezone:
    """The zone's offset now as a fixed zone (Vietnam has kept +07:00 since 1975): much cheaper to
    convert to than a ``ZoneInfo`` when a list has thousands of times."""
    offset = (now or datetime.now(UTC)).astimezone(tz).utcoffset() or timedelta(0)
    return timezone(offset)


def iso(dt: datetime, tz: timezone | ZoneInfo) -> str:
    """ISO 8601 in the deployment's zone, to the second: ``2026-03-02T09:00:00+07:00``."""
    return dt.astimezone(tz).isoformat(timespec="seconds")


def request_record(
    c: ApiCase,
    *,
    tz: timezone | ZoneInfo,
    service_name: str,
    agency: str,
    history: list[StatusChange],
    media_url: str | None,
    own: bool,
    open_statuses: frozenset[str],
) -> dict[str, Any]:
    """The service request for ``c``; ``own``: the caller's key filed it."""
    changes = [
        {
            "datetime": iso(h.at, tz),
            "status": "open" if h.status in open_statuses else "closed",
            "detailed_status": h.status,
        }
        for h in history
    ]
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
        "updated_datetime": changes[-1]["datetime"] if changes else iso(c.created_at, tz),
        "expected_datetime": iso(c.answer_due, tz),
        "address": c.place_text if own else None,
        "lat": c.latitude if own else None,
        "long": c.longitude if own else None,
        "media_url": media_url if own else None,
        "status_history": changes,
    }
    return rec


CacheKey = tuple[ApiCase, bool, str | None, str, str]
"""(the row, filed by the caller, its media URL, the language, the format)."""


class RecordCache:
    """Least recently used rendered requests, at most ``size`` (2–3 kB each with their keys)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._items: OrderedDict[CacheKey, bytes] = OrderedDict()

    def get(self, key: CacheKey) -> bytes | None:
        hit = self._items.get(key)
        if hit is not None:
            self._items.move_to_end(key)
        return hit

    def put(self, key: CacheKey, value: bytes) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()
