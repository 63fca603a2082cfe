"""The clock: aware UTC times everywhere (replaceable in tests through ``Services.clock``)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Aware UTC now."""
    return datetime.now(UTC)
