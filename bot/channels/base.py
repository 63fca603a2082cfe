"""The adapter contract every channel implements, and the text fallback for buttons.

A channel receives platform updates, turns each into an ``Incoming``, hands it to the dispatcher,
and renders the returned replies. For messages that are not a direct reply (status pushes,
notices...) the outbox sender calls ``send``; it raises ``RetryLater``, ``Unreachable`` or
``TransientError`` (``bot.core.errors``) so the sender can react the same way for every platform.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import replace
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.core.errors import ChannelError
from bot.core.messages import Attachment, Reply

if TYPE_CHECKING:
    from bot.dispatch import Dispatcher


class Channel(ABC):
    """One platform. ``name`` is stored on identities and outbox rows ("telegram", "zalo", "web")."""

    name: str = "base"

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher

    async def start(self) -> None:
        """Begin receiving (polling loop, webhook registration...)."""

    async def stop(self) -> None:
        """Stop receiving after in-flight updates are handled."""

    @abstractmethod
    async def send(self, recipient: str, reply: Reply) -> None:
        """Deliver one message to ``recipient`` (a chat id on this platform)."""

    async def send_all(self, recipient: str, replies: Sequence[Reply]) -> None:
        for r in replies:
            await self.send(recipient, r)

    async def fetch_file(self, attachment: Attachment) -> bytes:
        """The bytes of a file the person sent (``attachment.ref`` is the platform's reference).
        Channels whose attachments already carry ``content`` need not implement it."""
        raise ChannelError(f"{self.name} cannot fetch files")

    def status(self) -> dict[str, object]:
        """What /healthz reports for this channel."""
        return {"enabled": True}


def coalesce(replies: Sequence[Reply], max_len: int = 4096) -> list[Reply]:
    """Join a run of plain text replies into the next one, so one action answers with one message.

    Platforms count messages (Telegram: about one per second per chat; Zalo: a few free replies per
    window), and people on cheap phones get one notification instead of three."""
    out: list[Reply] = []
    for r in replies:
        prev = out[-1] if out else None
        if (prev is not None and not prev.buttons and not prev.attachments and not prev.request_contact
                and not prev.request_location and not r.attachments
                and not (prev.remove_keyboard and (r.request_contact or r.request_location))
                and len(prev.text) + 2 + len(r.text) <= max_len):
            out[-1] = replace(r, text=f"{prev.text}\n\n{r.text}", remove_keyboard=r.remove_keyboard or prev.remove_keyboard)
        else:
            out.append(r)
    return out


def numbered_fallback(reply: Reply) -> str:
    """Text with numbered choices, for platforms that show no (or too few) buttons.
    The person may answer with the number; ``choice_for_number`` maps it back."""
    lines = [reply.text]
    n = 0
    for row in reply.buttons:
        for b in row:
            n += 1
            lines.append(f"{n}. {b.label}")
    return "\n".join(lines)


def choice_for_number(reply: Reply, text: str) -> str | None:
    """The button data chosen by typing its number in a numbered fallback."""
    t = text.strip().rstrip(".")
    if not t.isdigit():
        return None
    flat = [b for row in reply.buttons for b in row]
    i = int(t) - 1
    return flat[i].data if 0 <= i < len(flat) else None
