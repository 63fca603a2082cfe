"""Rate limiting for the web chat: token buckets per browser identity and per client IP."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class TokenBuckets:
    """``capacity`` actions, refilled evenly over ``per`` seconds, one bucket per key (LRU-bounded)."""

    def __init__(
        self, capacity: int, per: float, *, max_keys: int = 50_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = float(capacity)
        self.rate = capacity / per
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def _level(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (self.capacity, now))
        return min(self.capacity, tokens + (now - at) * self.rate)

    def take(self, key: str) -> float:
        """Take one token: 0.0 when allowed, else the seconds to wait for the next token."""
        now = self.clock()
        tokens = self._level(key, now)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            self._buckets.move_to_end(key)
            return (1.0 - tokens) / self.rate
        self._buckets[key] = (tokens - 1.0, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return 0.0


class RateLimiter:
    """Both limits at once: an action is allowed only when the identity and the IP both have a token."""

    def __init__(
        self,
        per_identity: tuple[int, float] = (20, 10.0),
        per_ip: tuple[int, float] = (60, 10.0),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.identity = TokenBuckets(*per_identity, clock=clock)
        self.ip = TokenBuckets(*per_ip, clock=clock)

    def check(self, browser_id: str, ip: str | None) -> float:
        """0.0 when allowed, else the seconds to wait."""
        wait = self.identity.take(browser_id)
        if wait:
            return wait
        return self.ip.take(ip or "?")
