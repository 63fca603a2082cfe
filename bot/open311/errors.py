"""Open311 errors: one exception carrying the HTTP status and a description, rendered in the
request's format as Open311 wants it — ``[{"code": 400, "description": "…"}]`` in JSON,
``<errors><error><code>400</code><description>…</description></error></errors>`` in XML.

    Open311Error
    ├── BadRequest    400: a parameter is missing or wrong
    ├── Forbidden     403: no valid api_key, or the key's unit does not cover the petition
    ├── NotFound311   404: no such service or request (or not visible to this caller)
    └── TooMany       429: the key's rate limit (Retry-After says when to try again)

Descriptions are in English: the reader is the developer of the other system.
"""

from __future__ import annotations

__all__ = ["BadRequest", "Forbidden", "NotFound311", "Open311Error", "TooMany"]


class Open311Error(Exception):
    status = 400

    def __init__(self, description: str, *, retry_after: float | None = None) -> None:
        self.description = description
        self.retry_after = retry_after
        super().__init__(description)

    def body(self) -> list[dict[str, object]]:
        return [{"code": self.status, "description": self.description}]


class BadRequest(Open311Error):
    status = 400


class Forbidden(Open311Error):
    status = 403


class NotFound311(Open311Error):
    status = 404


class TooMany(Open311Error):
    status = 429
