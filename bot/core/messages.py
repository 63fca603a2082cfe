"""The channel-neutral message model: what channels hand to the dispatcher and what flows answer.

Channels translate a platform update into an ``Incoming`` and render each ``Reply``;
flows in ``handlers/`` only ever see these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

AttachmentKind = Literal["photo", "document", "voice", "video", "sticker", "audio"]


@dataclass(frozen=True)
class Button:
    """One choice. ``data`` is short ASCII (≤ 64 bytes) and comes back as ``Incoming.button``."""

    label: str
    data: str

    def __post_init__(self) -> None:
        if not self.data or len(self.data.encode("ascii")) > 64:
            raise ValueError(f"button data must be 1-64 ASCII bytes: {self.data!r}")


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Attachment:
    """A file the person sent (``ref`` is the platform's file id or URL) or one we send (``content``)."""

    kind: AttachmentKind
    ref: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None
    content: bytes | None = None


@dataclass(frozen=True)
class Incoming:
    """One thing a person did in a chat, in neutral form.

    ``event_id`` is the platform's delivery id (Telegram update_id, Zalo msg_id, web chat client id);
    it makes processing idempotent. Exactly one of text/command/button/contact/location/attachments is
    usually set; ``command`` is lower-case without the slash, ``args`` the rest of the line.
    """

    channel: str
    user_id: str
    event_id: str | None = None
    text: str | None = None
    command: str | None = None
    args: str = ""
    button: str | None = None
    contact_phone: str | None = None
    location: Location | None = None
    attachments: tuple[Attachment, ...] = ()
    language_code: str | None = None
    display_name: str | None = None
    chat_id: str | None = None
    reply_to_message_id: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        if self.command is not None:
            return "command"
        if self.button is not None:
            return "button"
        if self.contact_phone is not None:
            return "contact"
        if self.location is not None:
            return "location"
        if self.attachments:
            return "attachment"
        if self.text is not None:
            return "text"
        return "other"


NOT_KEPT = "…"
"""What a stored copy of the person's own message says when the answer to it is not kept either
(``Reply.stored_text``): the web chat's history, Zalo's stored event."""


@dataclass(frozen=True)
class Reply:
    """One message to show. ``text`` is plain text: channels escape it for their markup.

    ``buttons`` is rows of buttons; channels without buttons fall back to numbered choices.
    ``request_contact`` / ``request_location`` ask the client for a phone number or a location
    where the platform can (Telegram reply keyboard, browser geolocation).
    """

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachments: tuple[Attachment, ...] = ()
    request_contact: bool = False
    request_location: bool = False
    remove_keyboard: bool = False
    locale: str | None = None
    """The language the text is in (set by ``Context.say`` and by every push), so a channel never guesses."""
    stored_text: str | None = None
    """What every stored copy of this message says instead of ``text`` (web chat history, the outbox,
    raw platform events), and the sign that the person's message it answers is not kept either: a
    secret ballot's choice is shown to the voter once and kept nowhere with them. None: ``text``."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe form, used to store replies in the outbox and web chat history (so with
        ``stored_text`` in place of ``text``)."""
        return {
            "text": self.text if self.stored_text is None else self.stored_text,
            "buttons": [[{"label": b.label, "data": b.data} for b in row] for row in self.buttons],
            "attachments": [
                {"kind": a.kind, "ref": a.ref, "file_name": a.file_name, "mime_type": a.mime_type, "size": a.size}
                for a in self.attachments
            ],
            "request_contact": self.request_contact,
            "request_location": self.request_location,
            "remove_keyboard": self.remove_keyboard,
            "locale": self.locale,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Reply:
        return cls(
            text=d["text"],
            buttons=tuple(tuple(Button(b["label"], b["data"]) for b in row) for row in d.get("buttons", [])),
            attachments=tuple(Attachment(**a) for a in d.get("attachments", [])),
            request_contact=d.get("request_contact", False),
            request_location=d.get("request_location", False),
            remove_keyboard=d.get("remove_keyboard", False),
            locale=d.get("locale"),
        )
