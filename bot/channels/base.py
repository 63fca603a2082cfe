"""The adapter contract every channel implements, and the text fallback for buttons.

A channel receives platform updates, turns each into an ``Incoming``, hands it to the dispatcher,
and renders the returned replies. For messages that are not a direct reply (status pushes,
notices...) the outbox sender calls ``send`` with the row's ``Delivery`` facts; it raises
``RetryLater``, ``Unreachable``, ``Waiting`` or ``TransientError`` (``bot.core.errors``) so the
sender can react the same way for every platform.

Channels only translate: they know the dispatcher through the ``Dispatch`` protocol (one method),
never the handlers behind it; whatever else they need (session factory, command menu, demo flag,
outbox wake-up) the application hands them as plain constructor arguments.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from bot.core.errors import ChannelError
from bot.core.messages import Attachment, Incoming, Reply

__all__ = [
    "DIRECT",
    "Channel",
    "Delivery",
    "Dispatch",
    "RateLimits",
    "choice_for_number",
    "coalesce",
    "numbered_fallback",
]


class Dispatch(Protocol):
    """What a channel needs of the dispatcher: hand it an event, get the direct replies back."""

    async def handle(self, inc: Incoming) -> list[Reply]: ...


@dataclass(frozen=True)
class Delivery:
    """What the outbox row being sent says beyond its ``Reply``: its ``kind`` ("reply", "status",
    "notice"...), the person it is for and the row id. Channels with per-kind rules (Zalo's notice
    quota) read them here instead of looking the row up again."""

    kind: str = "reply"
    person_id: int | None = None
    outbox_id: int | None = None
    paid_broadcast: bool = False  # over the free rate: Telegram's paid broadcast (allow_paid_broadcast)


DIRECT = Delivery()
"""A message that is not an outbox row (tests, direct pushes)."""


def _is_group(recipient: str) -> bool:
    """Telegram groups and channels have negative ids (or an @username)."""
    return recipient.startswith("-") or recipient.startswith("@")


@dataclass(frozen=True)
class RateLimits:
    """How fast one channel may send (the outbox sender paces pushes with it). Defaults are Telegram's."""

    per_second: float = 30.0  # all recipients together
    per_chat_interval: float = 1.0  # seconds between two messages to one private chat
    group_per_minute: int = 20  # messages per rolling minute to one group
    margin: float = 0.01  # seconds added to every window, for clock resolution
    is_group: Callable[[str], bool] = _is_group
    max_in_flight: int = 16  # sends awaiting the platform's answer at once (latency would cap the rate)
    # The limits hold for the whole deployment: on PostgreSQL one elected process sends on this channel.
    shared: bool = True
    # With a paid rate (Telegram's paid broadcast), sends beyond this many per second are flagged paid.
    free_per_second: float | None = None


class Channel(abc.ABC):
    """One platform. ``name`` is stored on identities and outbox rows ("telegram", "zalo", "web")."""

    name: str = "base"

    def __init__(self, dispatcher: Dispatch) -> None:
        self.dispatcher = dispatcher

    async def start(self) -> None:
        """Begin receiving (polling loop, webhook registration...)."""

    async def stop(self) -> None:
        """Stop receiving after in-flight updates are handled."""

    @abc.abstractmethod
    async def send(self, recipient: str, reply: Reply, delivery: Delivery = DIRECT) -> None:
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


def coalesce(replies: Sequence[Reply], max_len: int = 4096, *, removal_alone: bool = False) -> list[Reply]:
    """Join a run of plain text replies into the next one, so one action answers with one message.

    Platforms count messages (Telegram: about one per second per chat; Zalo: a few free replies per
    window), and people on cheap phones get one notification instead of three. ``removal_alone``
    (Telegram, while its reply keyboard is shown): a reply that removes the keyboard is not joined
    into one with buttons, which would need a second message for them."""
    out: list[Reply] = []
    for r in replies:
        prev = out[-1] if out else None
        if (
            prev is not None
            and not prev.buttons
            and not prev.attachments
            and not prev.request_contact
            and not prev.request_location
            and not r.attachments
            and not (prev.remove_keyboard and (r.request_contact or r.request_location))
            and not (removal_alone and prev.remove_keyboard and r.buttons)
            and len(prev.text) + 2 + len(r.text) <= max_len
        ):
            joined = f"{prev.text}\n\n{r.text}"
            stored = None  # a part not to be kept stays out of the joined message's stored copy
            if prev.stored_text is not None or r.stored_text is not None:
                stored = f"{prev.stored_text or prev.text}\n\n{r.stored_text or r.text}"
            out[-1] = replace(
                r, text=joined, stored_text=stored, remove_keyboard=r.remove_keyboard or prev.remove_keyboard
            )
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
