"""Telegram ``Update`` → neutral ``Incoming``.

Only private chats are handled: onboarding asks for personal data (consent, residence, phone), which
must never happen in a group. A shared contact counts only when it is the sender's own; any other
contact becomes a content-less event that flows answer politely.

In a private chat the chat IS the person: every reply goes to the sender's own id, never to a chat
named inside the update. A callback's ``message`` is the bot's message the button sat under, and a
forged one can name somebody else's chat: its chat never becomes the destination, and its message id
is kept only when that message is in the sender's own chat. A message whose chat is not the
sender's private chat is not ours to answer.
"""

from __future__ import annotations

from typing import Any

from telegram import Message, Update

from bot.core.messages import Attachment, Incoming, Location

__all__ = ["to_incoming"]


def _command(text: str) -> tuple[str, str] | None:
    """``/Start@bot args`` → ("start", "args"); None when the text is not a command."""
    if not text.startswith("/") or len(text) < 2 or text[1].isspace():
        return None
    parts = text[1:].split(maxsplit=1)
    name = parts[0].split("@", 1)[0].lower()
    if not name:
        return None
    return name, parts[1].strip() if len(parts) > 1 else ""


def _attachments(msg: Message) -> tuple[Attachment, ...]:
    if msg.photo:
        best = max(msg.photo, key=lambda p: (p.file_size or 0, p.width * p.height))
        return (Attachment("photo", ref=best.file_id, mime_type="image/jpeg", size=best.file_size),)
    if msg.document:
        d = msg.document
        return (Attachment("document", ref=d.file_id, file_name=d.file_name, mime_type=d.mime_type, size=d.file_size),)
    if msg.voice:
        v = msg.voice
        return (Attachment("voice", ref=v.file_id, mime_type=v.mime_type, size=v.file_size),)
    if msg.audio:
        a = msg.audio
        return (Attachment("audio", ref=a.file_id, file_name=a.file_name, mime_type=a.mime_type, size=a.file_size),)
    if msg.video or msg.video_note or msg.animation:
        clip = msg.video or msg.video_note or msg.animation
        assert clip is not None
        return (
            Attachment(
                "video",
                ref=clip.file_id,
                file_name=getattr(clip, "file_name", None),
                mime_type=getattr(clip, "mime_type", None),
                size=clip.file_size,
            ),
        )
    if msg.sticker:
        return (Attachment("sticker", ref=msg.sticker.file_id, size=msg.sticker.file_size),)
    return ()


def to_incoming(update: Update, channel: str = "telegram") -> Incoming | None:
    """The neutral event for this update, or None when it is not for us (groups, edits, others)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot or (chat is not None and chat.type != "private"):
        return None
    base = {
        "channel": channel,
        "user_id": str(user.id),
        "event_id": str(update.update_id),
        "language_code": user.language_code,
        "display_name": user.full_name,
        "chat_id": str(user.id),  # a private chat's id is its user's id
    }
    query = update.callback_query
    if query is not None:
        if not query.data:
            return None
        own = query.message is not None and query.message.chat.id == user.id
        msg_id = query.message.message_id if own and query.message is not None else None
        return Incoming(button=query.data, extras={"message_id": msg_id}, **base)  # type: ignore[arg-type]
    msg = update.message
    if msg is None or msg.chat.id != user.id:
        return None
    extras = {"message_id": msg.message_id}
    reply_to = str(msg.reply_to_message.message_id) if msg.reply_to_message else None
    common: dict[str, Any] = {**base, "extras": extras, "reply_to_message_id": reply_to}
    if msg.text is not None:
        cmd = _command(msg.text)
        if cmd is not None:
            return Incoming(command=cmd[0], args=cmd[1], text=msg.text, **common)
        return Incoming(text=msg.text, **common)
    if msg.contact is not None:
        if msg.contact.user_id == user.id and msg.contact.phone_number:
            return Incoming(contact_phone=msg.contact.phone_number, **common)
        return Incoming(**common)  # someone else's card: not accepted as the person's phone
    if msg.location is not None:
        loc = Location(msg.location.latitude, msg.location.longitude)
        return Incoming(location=loc, text=msg.venue.title if msg.venue else None, **common)
    attachments = _attachments(msg)
    if attachments:
        return Incoming(attachments=attachments, text=msg.caption, **common)
    return Incoming(**common)
