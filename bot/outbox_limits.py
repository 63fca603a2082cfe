"""How fast the outbox may send on each channel: limits per channel and the pacing of one sender.

``RateLimiter`` lets several sends be in flight at once (a 50 ms API would otherwise cap
one-at-a-time sending at ~17 messages/s) and still keeps what the platform sees within its sliding
windows. The platform counts a send when it arrives, somewhere between our start and its answer. A
send may start when the ``N``-th previous one was *answered* a window ago, less three quarters of
the fastest round trip seen lately: the earlier send arrived at least its way back before its
answer, the new one arrives at least its way there after its start, and a quarter of the round trip
is left for the platform's own work before it counts. So two sends ``N`` apart arrive a window apart
even when our event loop or the network stalls, and at 50 ms of latency the sender still reaches
~98% of the rate (half the round trip, counting one way only, gave 96.6%). A 429 still pauses the
whole channel (the sender obeys it).

The limits hold for the whole deployment because only one process sends on a shared channel
(``bot.outbox``: an elected sender on PostgreSQL, the only process on SQLite).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from bot.channels.base import Channel, RateLimits

__all__ = ["DEFAULT_LIMITS", "UNLIMITED", "RateLimiter", "RateLimits", "Slot", "limits_for"]

TELEGRAM_LIMITS = RateLimits()
UNLIMITED = RateLimits(
    per_second=10_000, per_chat_interval=0.0, group_per_minute=1_000_000, margin=0.0, max_in_flight=32, shared=False
)
DEFAULT_LIMITS: dict[str, RateLimits] = {
    "telegram": TELEGRAM_LIMITS,
    "zalo": RateLimits(per_second=10.0, per_chat_interval=0.5, group_per_minute=60),
    "web": UNLIMITED,  # a push to a browser costs the platform nothing: every process drains it
}
POLL = 0.005  # seconds between looks at a send still in flight that holds the next slot


@dataclass
class Slot:
    """One send: when it started and when its answer came (None while in flight)."""

    start: float
    recipient: str
    end: float | None = None


def limits_for(name: str, channel: Channel | None = None) -> RateLimits:
    own = getattr(channel, "rate_limits", None)
    if isinstance(own, RateLimits):
        return own
    return DEFAULT_LIMITS.get(name, TELEGRAM_LIMITS)


class RateLimiter:
    """Sliding windows over sends: overall (by answer times), per private chat, per group."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        if limits.per_second >= 1:
            n, self.span = int(limits.per_second), 1.0
        else:
            n, self.span = 1, 1.0 / max(limits.per_second, 1e-6)
        self.window: deque[Slot] = deque(maxlen=n)
        free = limits.free_per_second
        self.free_window: deque[Slot] | None = deque(maxlen=max(1, int(free))) if free else None
        self.latencies: deque[float] = deque(maxlen=64)
        self.chat_last: dict[str, float] = {}
        self.groups: dict[str, deque[float]] = {}

    def allowance(self) -> float:
        """Three quarters of the fastest recent round trip: the least time between one send's arrival
        and its answer plus the next send's start and its arrival (the module's docstring)."""
        return min(self.latencies) * 0.75 if self.latencies else 0.0

    def chat_delay(self, recipient: str) -> float:
        """Seconds before ``recipient`` may get another message (0 when now)."""
        lim, now = self.limits, self.clock()
        if lim.is_group(recipient):
            dq = self.groups.get(recipient)
            if dq and len(dq) >= lim.group_per_minute:
                return max(0.0, dq[0] + 60.0 + lim.margin - now)
            return 0.0
        last = self.chat_last.get(recipient)
        return 0.0 if last is None else max(0.0, last + lim.per_chat_interval + lim.margin - now)

    def global_delay(self) -> float:
        if len(self.window) < (self.window.maxlen or 1):
            return 0.0
        oldest = self.window[0]
        if oldest.end is None:
            return POLL  # where it arrives is not known until it is answered
        return max(0.0, oldest.end + self.span + self.limits.margin - self.allowance() - self.clock())

    def over_free(self) -> bool:
        """True when a send now would exceed the free rate (it must go as a paid broadcast).

        Counted like the overall window, from answers: the N-th previous free send reached Telegram at the
        latest when it was answered, so a free send may start a second after that answer (one still in flight
        could arrive at any moment). Start times alone let a stall bunch more than N free sends in a second."""
        fw = self.free_window
        if fw is None or len(fw) < (fw.maxlen or 1):
            return False
        oldest = fw[0]
        return oldest.end is None or oldest.end + 1.0 + self.limits.margin > self.clock()

    async def acquire(self) -> None:
        while (d := self.global_delay()) > 0:
            await asyncio.sleep(d)

    def record(self, recipient: str, paid: bool = False) -> Slot:
        """A send to ``recipient`` starts now; call ``finished`` with the slot when it is answered."""
        now = self.clock()
        slot = Slot(now, recipient)
        self.window.append(slot)
        if self.free_window is not None and not paid:
            self.free_window.append(slot)
        if self.limits.is_group(recipient):
            dq = self.groups.setdefault(recipient, deque(maxlen=max(1, self.limits.group_per_minute)))
            dq.append(now)
        else:
            self.chat_last[recipient] = now
            if len(self.chat_last) > 5000:  # keep memory flat during big broadcasts
                cutoff = now - self.limits.per_chat_interval - 1.0
                self.chat_last = {k: v for k, v in self.chat_last.items() if v > cutoff}
        return slot

    def finished(self, slot: Slot, *, answered: bool = True) -> None:
        """The send of ``slot`` returned (``answered``: the platform replied, so its time is a round trip)."""
        slot.end = self.clock()
        if answered:
            self.latencies.append(slot.end - slot.start)
        if not self.limits.is_group(slot.recipient):
            # The next message to this chat counts from when this one surely arrived.
            self.chat_last[slot.recipient] = max(self.chat_last.get(slot.recipient, 0.0), slot.end)
