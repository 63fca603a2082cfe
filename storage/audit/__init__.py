"""The append-only audit trail: who did what, when."""

from storage.audit.services import (
    log,
)

__all__ = [
    "log",
]
