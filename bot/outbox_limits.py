"""How fast the outbox may send on each channel: limits per channel and the pacing of one sender.

``RateLimiter`` paces on the *start* times of sends, so several sends may be in flight at once (a
50 ms API would otherwise cap one-at-a-time sending at ~17 messages/s). The platform counts a send
when it arrives, somewhere between our start and the answer; starts one window apart arrive one
window apart as long as the latency is steady, so each window is widened by the spread of recently
seen latencies (slowest minus fastest). A 429 still pauses the whole channel (the sender obeys it).

The limits hold for the whole deployment because only one process sends on a shared channel
(``bot.outbox``: an elected sender on PostgreSQL, the only process on SQLite).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

from bot.channels.base import Channel, RateLimits

__all__ = ["DEFAULT_LIMITS", "UNLIMITED", "RateLimiter", "RateLimits", "limits_for"]

TELEGRAM_LIMITS = RateLimits()
UNLIMITED = RateLimits(
    per_second=10_000, per_chat_interval=0.0, group_per_minute=1_000_000, margin=0.0, max_in_flight=32, shared=False
)
DEFAULT_LIMITS: dict[str, RateLimits] = {
    "telegram": TELEGRAM_LIMITS,
    "zalo": RateLimits(per_second=10.0, per_chat_interval=0.5, group_per_minute=60),
    "web": UNLIMITED,  # a push to a browser costs the platform nothing: every process drains it
}
MAX_SPREAD = 1.0  # seconds: beyond this the 429 answers, not the pacing, have to cope


def limits_for(name: str, channel: Channel | None = None) -> RateLimits:
    own = getattr(channel, "rate_limits", None)
    if isinstance(own, RateLimits):
        return own
    return DEFAULT_LIMITS.get(name, TELEGRAM_LIMITS)


class RateLimiter:
    """Sliding windows over the start times of sends: overall, per private chat, per group."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        if limits.per_second >= 1:
            n, self.span = int(limits.per_second), 1.0
        else:
            n, self.span = 1, 1.0 / max(limits.per_second, 1e-6)
        self.window: deque[float] = deque(maxlen=n)
        free = limits.free_per_second
        self.free_window: deque[float] | None = deque(maxlen=max(1, int(free))) if free else None
        self.latencies: deque[float] = deque(maxlen=64)
        self.chat_last: dict[str, float] = {}
        self.groups: dict[str, deque[float]] = {}

    def spread(self) -> float:
        """How much the platform's arrival times may differ from our start times."""
        if len(self.latencies) < 2:
            return 0.0
        return min(MAX_SPREAD, max(self.latencies) - min(self.latencies))

    def took(self, seconds: float) -> None:
        """One send's latency (start to answer)."""
        self.latencies.append(seconds)

    def chat_delay(self, recipient: str) -> float:
        """Seconds before ``recipient`` may get another message (0 when now)."""
        lim, now = self.limits, self.clock()
        if lim.is_group(recipient):
            dq = self.groups.get(recipient)
            if dq and len(dq) >= lim.group_per_minute:
                return max(0.0, dq[0] + 60.0 + lim.margin + self.spread() - now)
            return 0.0
        last = self.chat_last.get(recipient)
        return 0.0 if last is None else max(0.0, last + lim.per_chat_interval + lim.margin + self.spread() - now)

    def global_delay(self) -> float:
        if len(self.window) < (self.window.maxlen or 1):
            return 0.0
        return max(0.0, self.window[0] + self.span + self.limits.margin + self.spread() - self.clock())

    def over_free(self) -> bool:
        """True when a send now would exceed the free rate (it must go as a paid broadcast)."""
        fw = self.free_window
        if fw is None:
            return False
        return len(fw) >= (fw.maxlen or 1) and fw[0] + 1.0 + self.limits.margin + self.spread() > self.clock()

    async def acquire(self) -> None:
        while (d := self.global_delay()) > 0:
            await asyncio.sleep(d)

    def record(self, recipient: str, paid: bool = False) -> None:
        """A send to ``recipient`` starts now."""
        now = self.clock()
        self.window.append(now)
        if self.free_window is not None and not paid:
            self.free_window.append(now)
        if self.limits.is_group(recipient):
            dq = self.groups.setdefault(recipient, deque(maxlen=max(1, self.limits.group_per_minute)))
            dq.append(now)
        else:
            self.chat_last[recipient] = now
            if len(self.chat_last) > 5000:  # keep memory flat during big broadcasts
                cutoff = now - self.limits.per_chat_interval - MAX_SPREAD - 1.0
                self.chat_last = {k: v for k, v in self.chat_last.items() if v > cutoff}
