"""Zalo webhook: signature check, replay window, and turning an event into a neutral ``Incoming``.

Signature (``X-ZEvent-Signature``, often ``mac=<hex>``) = hex SHA-256 of
``app_id + raw body + timestamp + OA secret key`` — a plain hash of the concatenation, not an HMAC,
with ``app_id`` and ``timestamp`` read from the body. Our query buttons come back as a user text
starting with ``BUTTON_PREFIX``; they map back to ``Incoming.button``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from bot.core.messages import Attachment, AttachmentKind, Incoming, Location

CHANNEL = "zalo"
BUTTON_PREFIX = "#b:"
MEDIA_EVENTS: dict[str, AttachmentKind] = {
    "user_send_image": "photo",
    "user_send_file": "document",
    "user_send_audio": "audio",
    "user_send_video": "video",
    "user_send_gif": "photo",
}
USER_EVENTS = frozenset(
    {
        "follow",
        "unfollow",
        "user_send_text",
        "user_send_location",
        "user_send_sticker",
        "user_send_link",
        "user_send_business_card",
        *MEDIA_EVENTS,
    }
)


class BadEvent(ValueError):
    """The body is not a Zalo event we can read."""


def expected_signature(app_id: str, raw: bytes, timestamp: str, oa_secret_key: str) -> str:
    return hashlib.sha256(app_id.encode() + raw + timestamp.encode() + oa_secret_key.encode()).hexdigest()


def verify_signature(header: str | None, raw: bytes, body: dict[str, Any], app_id: str, oa_secret_key: str) -> bool:
    """Constant-time check of ``X-ZEvent-Signature`` (with or without ``mac=``) for our app."""
    if not header:
        return False
    given = header.strip()
    if given.lower().startswith("mac="):
        given = given[4:].strip()
    body_app = str(body.get("app_id", ""))
    ts = str(body.get("timestamp", ""))
    if not hmac.compare_digest(body_app.encode(), app_id.encode()):
        return False
    want = expected_signature(body_app, raw, ts, oa_secret_key)
    return hmac.compare_digest(given.lower().encode(), want.encode())


def parse_body(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadEvent("not JSON") from None
    if not isinstance(body, dict) or not body.get("event_name"):
        raise BadEvent("no event_name")
    return body


def timestamp_ms(body: dict[str, Any]) -> int | None:
    try:
        return int(str(body.get("timestamp", "")))
    except ValueError:
        return None


def user_of(body: dict[str, Any]) -> str | None:
    """The Zalo user the event concerns (the follower for follow/unfollow, the sender otherwise)."""
    name = body.get("event_name", "")
    for key in ("follower", "sender") if name in ("follow", "unfollow") else ("sender", "follower"):
        part = body.get(key)
        if isinstance(part, dict) and part.get("id"):
            return str(part["id"])
    return None


def event_key(body: dict[str, Any]) -> str:
    """The de-duplication key: ``msg_id``, else name:user:timestamp (follow/unfollow carry no message)."""
    msg = body.get("message")
    if isinstance(msg, dict) and msg.get("msg_id"):
        return str(msg["msg_id"])[:128]
    return f"{body.get('event_name')}:{user_of(body)}:{body.get('timestamp')}"[:128]


@dataclass(frozen=True)
class Parsed:
    """What an event means to us. ``incoming`` is None for events not handed to the dispatcher."""

    kind: str  # "incoming", "unfollow", "sticker", "ignore"
    user_id: str | None
    incoming: Incoming | None = None


def _attachments(msg: dict[str, Any]) -> list[dict[str, Any]]:
    atts = msg.get("attachments")
    return [a for a in atts if isinstance(a, dict)] if isinstance(atts, list) else []


def _payload(att: dict[str, Any]) -> dict[str, Any]:
    p = att.get("payload")
    return p if isinstance(p, dict) else {}


def _text_incoming(base: dict[str, Any], text: str, choice: str | None) -> Incoming:
    typed = text.strip()
    if typed.startswith(BUTTON_PREFIX) and len(typed) > len(BUTTON_PREFIX):
        return Incoming(**base, button=typed[len(BUTTON_PREFIX) :])
    if choice is not None:
        return Incoming(**base, button=choice)
    if typed.startswith("/") and len(typed) > 1:
        cmd, _, args = typed[1:].partition(" ")
        return Incoming(**base, command=cmd.lower(), args=args.strip(), text=typed)
    return Incoming(**base, text=text)


def parse_event(body: dict[str, Any], choices: list[Any] | None = None) -> Parsed:
    """Map one event; ``choices`` are the numbered choices last shown to this user ([label, data] pairs)."""
    name = str(body.get("event_name", ""))
    user = user_of(body)
    if name not in USER_EVENTS or not user:
        return Parsed("ignore", user)
    key = event_key(body)
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "user_id": user,
        "event_id": key,
        "chat_id": user,
        "language_code": "vi",
        "extras": {"zalo_event": name},
    }
    msg = body.get("message") if isinstance(body.get("message"), dict) else {}
    assert isinstance(msg, dict)
    if name == "unfollow":
        return Parsed("unfollow", user)
    if name == "follow":
        return Parsed("incoming", user, Incoming(**base, command="start", text="/start"))
    if name == "user_send_sticker":
        return Parsed("sticker", user)
    if name == "user_send_text":
        text = str(msg.get("text") or "")
        choice = None
        typed = text.strip().rstrip(".")
        if choices and typed.isdigit() and 1 <= int(typed) <= len(choices):
            choice = str(choices[int(typed) - 1][1])
        return Parsed("incoming", user, _text_incoming(base, text, choice))
    if name == "user_send_location":
        for att in _attachments(msg):
            coords = _payload(att).get("coordinates")
            if isinstance(coords, dict):
                try:
                    loc = Location(float(coords["latitude"]), float(coords["longitude"]))
                except (KeyError, TypeError, ValueError):
                    break
                return Parsed("incoming", user, Incoming(**base, location=loc))
        return Parsed("incoming", user, Incoming(**base, text=str(msg.get("text") or "") or None))
    if name in MEDIA_EVENTS:
        atts = []
        for att in _attachments(msg):
            p = _payload(att)
            url = p.get("url") or p.get("thumbnail")
            if not url:
                continue
            size = p.get("size")
            atts.append(
                Attachment(
                    kind=MEDIA_EVENTS[name],
                    ref=str(url),
                    file_name=str(p["name"]) if p.get("name") else None,
                    mime_type=str(p["type"]) if isinstance(p.get("type"), str) and "/" in p["type"] else None,
                    size=int(str(size)) if str(size or "").isdigit() else None,
                )
            )
        caption = str(msg.get("text") or "") or None
        return Parsed("incoming", user, Incoming(**base, attachments=tuple(atts), text=caption))
    # Links and business cards: pass the text on if there is any.
    text = str(msg.get("text") or "")
    return Parsed("incoming", user, Incoming(**base, text=text or None))
