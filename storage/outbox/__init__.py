"""The outbox: every message to a person is queued here first (models and services)."""

from storage.outbox.services import (
    reachable_identity,
    enqueue,
    reply_of,
    ids,
    best_identities,
    enqueue_many,
    release_waiting,
    status_counts,
    cancel,
)

__all__ = [
    "reachable_identity",
    "enqueue",
    "reply_of",
    "ids",
    "best_identities",
    "enqueue_many",
    "release_waiting",
    "status_counts",
    "cancel",
]
