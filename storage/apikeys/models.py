"""API keys for other systems (Open311) and what they filed: the key (only its SHA-256 hash), its
unit and its token bucket; the petitions filed through a key; the e-mail an API author gave.

The bucket lives on the key's row (``tokens`` at ``tokens_at``), so every worker process draws from
the same bucket: the limit is the key's, however many processes serve it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from storage.db import utcnow


class ApiKey(SQLModel, table=True):
    """A key another system sends as ``api_key``; limited to one unit (and the units under it)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    key_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)  # the first characters, to tell keys apart in `apikey list`
    unit_id: int = Field(foreign_key="unit.id", index=True)
    rate_per_minute: int = 60
    burst: int = 30
    tokens: float = 30.0
    tokens_at: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = Field(default=None, max_length=120)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = Field(default=None, max_length=120)


class ApiRequest(SQLModel, table=True):
    """A petition filed through a key: which key, and the ``media_url`` it sent (not a stored file)."""

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    api_key_id: int = Field(foreign_key="apikey.id", index=True)
    media_url: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)


class ApiContact(SQLModel, table=True):
    """The person record of an API author who gave contact details with consent: the e-mail (the
    person row keeps the name and phone, as for a chat resident) and the key that brought it."""

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    api_key_id: int = Field(foreign_key="apikey.id", index=True)
    email: str | None = Field(default=None, max_length=254)
    created_at: datetime = Field(default_factory=utcnow)


# ``GET requests`` reads petitions newest first: the published ones across the area, and a key's
# unit's, with or without the open/closed filter. No index on ``cases`` serves those orders. They
# belong to the cases table but are created by this branch's migration (depends on 0002_cases), so
# they are declared here, next to their one reader (``queries.api_cases``).
from sqlalchemy import Index  # noqa: E402

from storage.petitions.models import Case  # noqa: E402

_c = Case.__table__.c  # type: ignore[attr-defined]
ix_case_open311_public = Index("ix_case_open311_public", _c.publish_consent, _c.created_at)
ix_case_open311_public_open = Index("ix_case_open311_public_open", _c.publish_consent, _c.is_open, _c.created_at)
ix_case_open311_unit_open = Index("ix_case_open311_unit_open", _c.unit_id, _c.is_open, _c.created_at)
# ``service_code``: one route and category, published or of one unit, newest first (0017_open311_idx).
ix_case_open311_service = Index(
    "ix_case_open311_service", _c.category, _c.route, _c.publish_consent, _c.created_at, _c.status
)
ix_case_open311_service_unit = Index("ix_case_open311_service_unit", _c.category, _c.route, _c.unit_id, _c.created_at)
