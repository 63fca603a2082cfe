"""The project's error hierarchy.

LoaLangError
├── ConfigError            a setting is wrong; the CLI prints one line and exits non-zero
├── DomainError            a user action is refused; carries a translatable message id
│   ├── PermissionDenied   role or unit does not allow the action (audited)
│   ├── NotFound           unknown or not visible (same answer for both)
│   ├── Conflict           someone else changed the object first
│   └── RateLimited        too many actions in a short time
└── ChannelError           sending to a platform failed
    ├── RetryLater         the platform asked us to wait (retry_after seconds)
    ├── Unreachable        the person blocked the bot or left the channel
    └── TransientError     network trouble or a 5xx; retry with backoff
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.i18n.catalog import N_


class LoaLangError(Exception):
    """Base of every error raised on purpose by Loa Làng."""


class ConfigError(LoaLangError):
    """A setting is missing or malformed; the message names the environment variable."""


class DomainError(LoaLangError):
    """A user-visible refusal. ``msgid`` is a gettext message id, ``params`` its placeholders."""

    msgid = N_("Sorry, that cannot be done right now.")

    def __init__(self, msgid: str | None = None, **params: Any) -> None:
        self.msgid = msgid or self.msgid
        self.params = params
        super().__init__(self.msgid.format(**params) if params else self.msgid)


class PermissionDenied(DomainError):
    msgid = N_("Sorry, your role does not allow this action here.")


class NotFound(DomainError):
    msgid = N_("Nothing was found with that code.")


class Conflict(DomainError):
    msgid = N_("Someone else changed this a moment ago. Please look at it again.")


class RateLimited(DomainError):
    msgid = N_("You are sending a lot right now. Please wait a little and try again.")


class ChannelError(LoaLangError):
    """Sending through a platform failed."""


class RetryLater(ChannelError):
    def __init__(self, retry_after: float, message: str = "") -> None:
        self.retry_after = float(retry_after)
        super().__init__(message or f"retry after {retry_after}s")


class Unreachable(ChannelError):
    """The recipient cannot be reached on this channel any more (blocked, unfollowed, left)."""


class TransientError(ChannelError):
    """A failure worth retrying later with backoff."""


class Waiting(ChannelError):
    """Keep the message until the person opens a window again."""

    def __init__(self, message: str = "outside the messaging window", retry_at: datetime | None = None) -> None:
        self.retry_at = retry_at
        super().__init__(message)
