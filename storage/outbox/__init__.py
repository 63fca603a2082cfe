"""The outbox: every message to a person is queued here first (models, services, queries)."""

from storage.outbox.services import (
    best_identities,
    cancel,
    enqueue,
    enqueue_many,
    ids,
    keep_undelivered,
    reachable_identity,
    redeliver,
    release_waiting,
    reply_of,
    requeue,
    status_counts,
)

__all__ = [
    "best_identities",
    "cancel",
    "enqueue",
    "enqueue_many",
    "ids",
    "keep_undelivered",
    "reachable_identity",
    "redeliver",
    "release_waiting",
    "reply_of",
    "requeue",
    "status_counts",
]
