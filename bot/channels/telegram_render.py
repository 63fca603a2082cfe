"""Neutral ``Reply`` → the Telegram messages that show it.

Replies are plain text, so every fragment is HTML-escaped and sent with parse_mode HTML. Text over
Telegram's 4096 limit (counted in UTF-16 units, as Telegram does) is split on paragraph, then line,
then word boundaries.

A Telegram message carries ONE reply_markup, and every choice of one question belongs in one message:
- a contact/location request needs a reply keyboard, so the reply's other buttons become reply
  keyboard buttons under the request button ("Share my phone number" / "Skip"); a tap sends the
  label as text, and ``Outgoing.choices`` tells the channel which data each label stands for
  (``telegram_keyboard``);
- ``remove_keyboard`` with inline buttons: when this chat is known to show our reply keyboard, the
  text removes it and a second message carries the buttons (the channel avoids this by keeping a
  removing reply apart from the next question, see ``coalesce``); otherwise one message with the
  inline buttons.
Labels of our own keyboard buttons are in the reply's ``locale`` (the default for old outbox rows
stored before replies carried one).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.core.i18n import N_, gettext
from bot.core.messages import Attachment, Reply

__all__ = ["MAX_TEXT", "Outgoing", "render", "split_text", "utf16_len"]

MAX_TEXT = 4096
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


@dataclass(frozen=True)
class Outgoing:
    """One Bot API call: ``method`` is "sendMessage", "sendPhoto" or "sendDocument"."""

    method: str
    text: str = ""  # already escaped HTML
    reply_markup: Markup = None
    attachment: Attachment | None = None
    choices: tuple[tuple[str, str], ...] = ()  # a reply keyboard's (label, button data)

    def kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = {"reply_markup": self.reply_markup}
        if self.method == "sendMessage":
            kw.update(text=self.text, parse_mode="HTML")
            return kw
        a = self.attachment
        assert a is not None
        media: Any = InputFile(a.content, filename=a.file_name or "file") if a.content is not None else a.ref
        kw["photo" if self.method == "sendPhoto" else "document"] = media
        if self.text:
            kw.update(caption=self.text, parse_mode="HTML")
        return kw


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> int:
    """The longest prefix length (in characters) that fits in ``limit`` UTF-16 units."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if utf16_len(text[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most ``limit`` UTF-16 units, cut at the last paragraph, line or word break."""
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        if utf16_len(rest) <= limit:
            pieces.append(rest)
            break
        end = _cut(rest, limit)
        window = rest[:end]
        at = -1
        for sep in ("\n\n", "\n", " "):
            at = window.rfind(sep)
            if at > end // 3:
                break
        if at <= end // 3:
            at = end  # no good break: hard cut
        piece, rest = rest[:at].rstrip(), rest[at:].strip()
        if piece:
            pieces.append(piece)
    return pieces


def inline_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not any(reply.buttons):
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label[:64] or "…", callback_data=b.data) for b in row] for row in reply.buttons if row]
    )


def request_keyboard(reply: Reply, locale: str) -> tuple[ReplyKeyboardMarkup | None, tuple[tuple[str, str], ...]]:
    """The reply keyboard of a contact/location request, with the reply's buttons below the request
    button, and the (label, data) of those buttons."""
    row = []
    if reply.request_contact:
        row.append(KeyboardButton(gettext(locale, N_("Share my phone number")), request_contact=True))
    if reply.request_location:
        row.append(KeyboardButton(gettext(locale, N_("Send my location")), request_location=True))
    if not row:
        return None, ()
    rows = [row]
    choices: list[tuple[str, str]] = []
    taken = {b.text for b in row}
    for button_row in reply.buttons:
        keys = []
        for b in button_row:
            label = " ".join(b.label.split())[:64] or "…"
            if label in taken:  # two buttons with one label could not be told apart
                continue
            taken.add(label)
            keys.append(KeyboardButton(label))
            choices.append((label, b.data))
        if keys:
            rows.append(keys)
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True), tuple(choices)


def render(reply: Reply, *, default_locale: str = "vi", keyboard_shown: bool = False) -> list[Outgoing]:
    """The calls that show ``reply``; ``keyboard_shown``: this chat shows our reply keyboard now."""
    locale = reply.locale or default_locale
    request, choices = request_keyboard(reply, locale)
    inline = None if request is not None else inline_keyboard(reply)
    chunks = [html.escape(p, quote=False) for p in split_text(reply.text)]
    extra: list[Outgoing] = []
    last: Markup
    if request is not None:
        last = request
    elif reply.remove_keyboard and (inline is None or keyboard_shown):
        last = ReplyKeyboardRemove()
        if inline is not None:
            extra.append(Outgoing("sendMessage", html.escape(gettext(locale, N_("Choose here:")), quote=False), inline))
    else:
        last = inline
    if not chunks and (last is not None or not reply.attachments):
        chunks = ["…"]  # Telegram refuses empty text; a markup still needs a message to ride on
    out = [Outgoing("sendMessage", c) for c in chunks]
    if out:
        out[-1] = Outgoing("sendMessage", out[-1].text, last, choices=choices)
    out.extend(extra)
    for a in reply.attachments:
        if a.content is None and a.ref is None:
            continue
        method = "sendPhoto" if a.kind == "photo" else "sendDocument"
        out.append(Outgoing(method, "", None, a))
    return out
