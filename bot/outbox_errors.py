"""Outbox-specific channel errors that are not in ``bot.errors``.

``Waiting``: the platform does not let us write to this person right now (Zalo: no interaction in
the last 7 days). The outbox keeps the message in status ``waiting``; it is queued again when the
person writes (``storage.outbox.release_waiting``) or at ``retry_at`` if the channel knows it.
"""

from __future__ import annotations

from datetime import datetime

from bot.errors import ChannelError


class Waiting(ChannelError):
    """Keep the message until the person opens a window again."""

    def __init__(self, message: str = "outside the messaging window", retry_at: datetime | None = None) -> None:
        self.retry_at = retry_at
        super().__init__(message)
