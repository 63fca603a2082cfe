"""Builders of incoming Telegram updates (user → bot) as Bot API wire-format dicts.

Each returns an update without ``update_id``; ``FakeTelegramAPI.push_update`` assigns one.
``chat_id`` defaults to the user's private chat; a negative id makes a group chat.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

__all__ = [
    "BOT_ID",
    "make_callback_update",
    "make_command_update",
    "make_contact_update",
    "make_document_update",
    "make_location_update",
    "make_photo_update",
    "make_sticker_update",
    "make_text_update",
    "make_voice_update",
]

BOT_ID = 123456
_message_ids = itertools.count(10_000)
_callback_ids = itertools.count(1)

Update = dict[str, Any]


def _user(user_id: int, first_name: str, language_code: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code:
        user["language_code"] = language_code
    return user


def _chat(chat_id: int, first_name: str) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": first_name}
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return {"id": chat_id, "type": kind, "title": f"Nhóm {abs(chat_id)}"}


def _message_update(
    user_id: int,
    *,
    first_name: str = "Dân",
    language_code: str | None = "vi",
    chat_id: int | None = None,
    message_id: int | None = None,
    **content: Any,
) -> Update:
    message = {
        "message_id": message_id if message_id is not None else next(_message_ids),
        "from": _user(user_id, first_name, language_code),
        "chat": _chat(chat_id if chat_id is not None else user_id, first_name),
        "date": int(time.time()),
        **content,
    }
    return {"message": message}


def make_text_update(user_id: int, text: str, **kw: Any) -> Update:
    """A plain text message. Keywords: first_name, language_code, chat_id, message_id."""
    return _message_update(user_id, text=text, **kw)


def make_command_update(user_id: int, command: str, args: str = "", **kw: Any) -> Update:
    """``/command args`` with its bot_command entity; ``command`` may include the slash."""
    head = command if command.startswith("/") else f"/{command}"
    text = f"{head} {args}" if args else head
    entities = [{"type": "bot_command", "offset": 0, "length": len(head.encode("utf-16-le")) // 2}]
    return _message_update(user_id, text=text, entities=entities, **kw)


def make_callback_update(
    user_id: int,
    data: str,
    message_id: int = 1,
    *,
    message_text: str = "…",
    first_name: str = "Dân",
    language_code: str | None = "vi",
    chat_id: int | None = None,
    bot_id: int = BOT_ID,
) -> Update:
    """A press on an inline button (``data``) under the bot's message ``message_id``."""
    chat = chat_id if chat_id is not None else user_id
    message = {
        "message_id": message_id,
        "from": {"id": bot_id, "is_bot": True, "first_name": "Loa Làng Test", "username": "loalang_test_bot"},
        "chat": _chat(chat, first_name),
        "date": int(time.time()),
        "text": message_text,
    }
    return {
        "callback_query": {
            "id": str(next(_callback_ids)),
            "from": _user(user_id, first_name, language_code),
            "message": message,
            "chat_instance": f"ci{chat}",
            "data": data,
        }
    }


def make_contact_update(user_id: int, phone: str, **kw: Any) -> Update:
    """The user shares their own contact (as with a request_contact button)."""
    contact = {"phone_number": phone, "first_name": kw.get("first_name", "Dân"), "user_id": user_id}
    return _message_update(user_id, contact=contact, **kw)


def make_location_update(user_id: int, lat: float, lon: float, **kw: Any) -> Update:
    return _message_update(user_id, location={"latitude": lat, "longitude": lon}, **kw)


def make_photo_update(user_id: int, file_id: str, file_size: int, *, caption: str | None = None, **kw: Any) -> Update:
    """A photo in two sizes, the larger one being ``file_id``."""
    sizes = [
        {
            "file_id": f"{file_id}-thumb",
            "file_unique_id": f"u-{file_id}-thumb",
            "width": 90,
            "height": 68,
            "file_size": max(1, file_size // 20),
        },
        {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 1280, "height": 960, "file_size": file_size},
    ]
    extra = {"caption": caption} if caption else {}
    return _message_update(user_id, photo=sizes, **extra, **kw)


def make_document_update(
    user_id: int, file_id: str, file_name: str, mime_type: str, file_size: int, **kw: Any
) -> Update:
    document = {
        "file_id": file_id,
        "file_unique_id": f"u-{file_id}",
        "file_name": file_name,
        "mime_type": mime_type,
        "file_size": file_size,
    }
    return _message_update(user_id, document=document, **kw)


def make_sticker_update(user_id: int, file_id: str = "sticker-1", emoji: str = "👍", **kw: Any) -> Update:
    sticker = {
        "file_id": file_id,
        "file_unique_id": f"u-{file_id}",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": emoji,
    }
    return _message_update(user_id, sticker=sticker, **kw)


def make_voice_update(user_id: int, file_id: str, duration: int = 3, file_size: int = 8_000, **kw: Any) -> Update:
    voice = {
        "file_id": file_id,
        "file_unique_id": f"u-{file_id}",
        "duration": duration,
        "mime_type": "audio/ogg",
        "file_size": file_size,
    }
    return _message_update(user_id, voice=voice, **kw)
