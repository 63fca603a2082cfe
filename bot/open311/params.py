"""Reading Open311 parameters into typed values, or a ``BadRequest`` that names the parameter.

- ``GET requests``: ``service_request_id`` (comma list; then the other filters are ignored, as the
  standard says), ``service_code`` (comma list), ``start_date``/``end_date`` (ISO 8601, at most 90
  days apart; default the 90 days before ``end_date`` or now), ``status`` (``open``, ``closed`` or
  both); at most 1,000 requests, newest first.
- ``POST requests``: the service, a place (``lat``+``long``, ``address_string`` or
  ``attribute[village]``), the description, an optional ``media_url``, the contact fields and the
  attributes of the service definition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.open311.errors import BadRequest
from storage.people.services import normalise_phone
from storage.petitions.rules import DESCRIPTION_MAX, DESCRIPTION_MIN

__all__ = ["MAX_DAYS", "MAX_REQUESTS", "ListQuery", "NewRequest", "list_query", "new_request"]

MAX_DAYS = 90
MAX_REQUESTS = 1000
MAX_CODES = 100
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}$")
_TRUE = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False, "": False}


def _one(params: Mapping[str, str], name: str, max_len: int = 200) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    value = value.strip()
    if len(value) > max_len:
        raise BadRequest(f"{name} is too long (at most {max_len} characters)")
    return value or None


def parse_datetime(value: str, name: str, tz: ZoneInfo) -> datetime:
    """ISO 8601; a time without an offset is Vietnam's local time."""
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{name} must be an ISO 8601 date and time, e.g. 2026-03-02T09:00:00+07:00") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt.astimezone(UTC)


@dataclass(frozen=True)
class ListQuery:
    codes: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    is_open: bool | None = None


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in (value or "").split(",") if v.strip()))


def list_query(params: Mapping[str, str], *, now: datetime, tz: ZoneInfo) -> ListQuery:
    codes = _list(_one(params, "service_request_id", 2000))
    if len(codes) > MAX_CODES:
        raise BadRequest(f"service_request_id lists at most {MAX_CODES} codes")
    if codes:
        return ListQuery(codes=tuple(c.upper() for c in codes))
    services = _list(_one(params, "service_code", 2000))
    raw_start, raw_end = _one(params, "start_date", 64), _one(params, "end_date", 64)
    start = parse_datetime(raw_start, "start_date", tz) if raw_start else None
    end = parse_datetime(raw_end, "end_date", tz) if raw_end else None
    if start is not None and end is not None:
        if end < start:
            raise BadRequest("end_date is before start_date")
        if end - start > timedelta(days=MAX_DAYS):
            raise BadRequest(f"start_date and end_date may be at most {MAX_DAYS} days apart")
    elif start is not None:
        end = start + timedelta(days=MAX_DAYS)
    else:
        end = end or now
        start = end - timedelta(days=MAX_DAYS)
    statuses = set(_list(_one(params, "status", 40)))
    if statuses - {"open", "closed"}:
        raise BadRequest("status must be open, closed, or both separated by a comma")
    is_open = None if len(statuses) != 1 else statuses == {"open"}
    return ListQuery(service_codes=services, start=start, end=end, is_open=is_open)


@dataclass(frozen=True)
class NewRequest:
    service_code: str
    description: str
    lat: float | None = None
    long: float | None = None
    address: str | None = None
    village: str | None = None
    media_url: str | None = None
    anonymous: bool = False
    publish: bool = False
    contact_consent: bool = False
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def has_contact(self) -> bool:
        return any((self.first_name, self.last_name, self.email, self.phone))


def _float(value: str | None, name: str, lo: float, hi: float) -> float | None:
    if value is None:
        return None
    try:
        f = float(value)
    except ValueError:
        raise BadRequest(f"{name} must be a number") from None
    if not lo <= f <= hi:  # also refuses nan
        raise BadRequest(f"{name} must be between {lo:g} and {hi:g}")
    return f


def _flag(attrs: Mapping[str, str], name: str) -> bool:
    value = attrs.get(name, "").strip().lower()
    if value not in _TRUE:
        raise BadRequest(f"attribute[{name}] must be true or false")
    return _TRUE[value]


def new_request(form: Mapping[str, str]) -> NewRequest:
    """The POST form as a ``NewRequest``; the service and the place are checked by the caller."""
    service_code = _one(form, "service_code", 80)
    if not service_code:
        raise BadRequest("service_code is required")
    description = (form.get("description") or "").strip()
    if not DESCRIPTION_MIN <= len(description) <= DESCRIPTION_MAX:
        raise BadRequest(
            f"description must have between {DESCRIPTION_MIN} and {DESCRIPTION_MAX} characters "
            f"(it has {len(description)})"
        )
    lat = _float(_one(form, "lat", 40), "lat", -90, 90)
    lon = _float(_one(form, "long", 40), "long", -180, 180)
    if (lat is None) != (lon is None):
        raise BadRequest("lat and long go together")
    attrs = {k[len("attribute[") : -1]: v for k, v in form.items() if k.startswith("attribute[") and k.endswith("]")}
    village = (attrs.get("village") or "").strip() or None
    address = _one(form, "address_string", 300)
    if lat is None and not address and not village:
        raise BadRequest("a place is required: lat and long, address_string or attribute[village]")
    media_url = _one(form, "media_url", 2000)
    if media_url is not None:
        parts = urlsplit(media_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise BadRequest("media_url must be an http or https URL")
    email = _one(form, "email", 254)
    if email is not None and not _EMAIL.match(email):
        raise BadRequest("email is not an e-mail address")
    raw_phone = _one(form, "phone", 32)
    phone = normalise_phone(raw_phone) if raw_phone else None
    if raw_phone and phone is None:
        raise BadRequest("phone is not a phone number")
    return NewRequest(
        service_code=service_code,
        description=description,
        lat=lat,
        long=lon,
        address=address,
        village=village,
        media_url=media_url,
        anonymous=_flag(attrs, "anonymous"),
        publish=_flag(attrs, "publish"),
        contact_consent=_flag(attrs, "contact_consent"),
        first_name=_one(form, "first_name", 100),
        last_name=_one(form, "last_name", 100),
        email=email,
        phone=phone,
        attributes=attrs,
    )
