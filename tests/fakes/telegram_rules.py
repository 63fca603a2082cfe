"""Telegram's own checks and send limits, as the fake Bot API server applies them.

Error texts follow the real server (tdlib) so code that matches on them behaves the same.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

__all__ = [
    "ApiError",
    "SendLimiter",
    "bad_request",
    "check_caption",
    "check_parse_mode",
    "check_reply_markup",
    "check_text",
    "visible_text",
]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64
ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
ALLOWED_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})
PARSE_MODES = frozenset({"html", "markdown", "markdownv2"})
BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)


class ApiError(Exception):
    """An error answer: HTTP status ``error_code`` with Telegram's JSON error body."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


class _TelegramHTML(HTMLParser):
    """Accepts only the tags and entities Telegram's HTML parse mode knows; collects visible text."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self._source = source
        self._line_starts = [0] + [i + 1 for i, c in enumerate(source) if c == "\n"]
        self._open: list[str] = []
        self.parts: list[str] = []

    def _byte_offset(self) -> int:
        line, column = self.getpos()
        return len(self._source[: self._line_starts[line - 1] + column].encode())

    def _fail(self, reason: str) -> None:
        raise bad_request(f"can't parse entities: {reason}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self._fail(f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}')
        if tag == "span" and dict(attrs).get("class") != "tg-spoiler":
            self._fail(f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte_offset()}')
        self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._fail(f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}')

    def handle_endtag(self, tag: str) -> None:
        offset = self._byte_offset()
        if not self._open:
            self._fail(f"Unexpected end tag at byte offset {offset}")
        if self._open[-1] != tag:
            self._fail(f'Unmatched end tag at byte offset {offset}, expected "</{self._open[-1]}>", found "</{tag}>"')
        self._open.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_entityref(self, name: str) -> None:
        # Real Telegram shows unknown named entities literally; failing here catches the bug sooner.
        if name not in ALLOWED_ENTITIES:
            self._fail(f'Unsupported HTML entity "&{name};" at byte offset {self._byte_offset()}')
        self.parts.append("x")

    def handle_charref(self, name: str) -> None:
        self.parts.append("x")

    def handle_comment(self, data: str) -> None:
        self._fail(f'Unsupported start tag "!--" at byte offset {self._byte_offset()}')

    def handle_decl(self, decl: str) -> None:
        self._fail(f'Unsupported start tag "!" at byte offset {self._byte_offset()}')

    def finish(self) -> str:
        self.close()
        if self._open:
            self._fail(f'Can\'t find end tag corresponding to start tag "{self._open[-1]}"')
        return "".join(self.parts)


def check_parse_mode(parse_mode: str | None) -> None:
    if parse_mode and parse_mode.lower() not in PARSE_MODES:
        raise bad_request("unsupported parse_mode")


def visible_text(text: str, parse_mode: str | None) -> str:
    """Text as the user sees it; raises ``ApiError`` when HTML markup is not Telegram's."""
    check_parse_mode(parse_mode)
    if parse_mode and parse_mode.lower() == "html":
        parser = _TelegramHTML(text)
        parser.feed(text)
        return parser.finish()
    return text


def check_text(text: Any, parse_mode: str | None) -> None:
    visible = visible_text(text if isinstance(text, str) else "", parse_mode)
    if not visible.strip():
        raise bad_request("message text is empty")
    if len(visible) > MAX_TEXT:
        raise bad_request("message is too long")


def check_caption(caption: Any, parse_mode: str | None) -> None:
    if caption and len(visible_text(str(caption), parse_mode)) > MAX_CAPTION:
        raise bad_request("message caption is too long")


REQUEST_KINDS = ("request_contact", "request_location", "request_poll", "request_users", "request_chat")


def check_reply_markup(markup: Any) -> None:
    """Inline keyboards: every button needs an action; callback_data is 1–64 UTF-8 bytes. Reply
    keyboards: every button needs a text, and at most one request kind."""
    if isinstance(markup, dict) and "keyboard" in markup:
        for row in markup["keyboard"]:
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text.strip():
                    raise bad_request("keyboard button text must be non-empty")
                if isinstance(button, dict) and sum(bool(button.get(k)) for k in REQUEST_KINDS) > 1:
                    raise bad_request("a keyboard button can request one thing only")
        return
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return
    for row in markup["inline_keyboard"]:
        for button in row:
            if not BUTTON_ACTIONS & button.keys():
                raise bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if "callback_data" in button and (
                not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_BYTES
            ):
                raise bad_request("BUTTON_DATA_INVALID")


class SendLimiter:
    """Telegram's (unpublished, approximate) flood limits for sending messages.

    Overall: ``global_rate`` sends per rolling second. Private chat (positive id): token bucket of
    ``private_burst`` refilled at ``private_rate`` per second. Group (negative id):
    ``group_per_minute`` per rolling minute. Rejected sends do not count.
    """

    def __init__(
        self,
        *,
        global_rate: int = 30,
        private_burst: int = 3,
        private_rate: float = 1.0,
        group_per_minute: int = 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.global_rate = global_rate
        self.private_burst = private_burst
        self.private_rate = private_rate
        self.group_per_minute = group_per_minute
        self._clock = clock
        self._global: deque[float] = deque()
        self._groups: dict[int, deque[float]] = {}
        self._buckets: dict[int, tuple[float, float]] = {}

    @staticmethod
    def _window_wait(window: deque[float], limit: int, span: float, now: float) -> float:
        while window and window[0] <= now - span:
            window.popleft()
        return window[0] + span - now if len(window) >= limit else 0.0

    def check(self, chat_id: int) -> int | None:
        """Record one send to ``chat_id``; return ``retry_after`` seconds instead if over a limit."""
        now = self._clock()
        wait = self._window_wait(self._global, self.global_rate, 1.0, now)
        tokens = 0.0
        if chat_id < 0:
            group = self._groups.setdefault(chat_id, deque())
            wait = max(wait, self._window_wait(group, self.group_per_minute, 60.0, now))
        else:
            tokens, last = self._buckets.get(chat_id, (float(self.private_burst), now))
            tokens = min(float(self.private_burst), tokens + (now - last) * self.private_rate)
            if tokens < 1.0:
                wait = max(wait, (1.0 - tokens) / self.private_rate)
        if wait > 0:
            return max(1, math.ceil(wait))
        self._global.append(now)
        if chat_id < 0:
            self._groups[chat_id].append(now)
        else:
            self._buckets[chat_id] = (tokens - 1.0, now)
        return None
