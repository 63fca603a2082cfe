"""Shared test helpers for the outbox: a recording fake channel and grouping of what it sent."""

from __future__ import annotations

import time
from collections.abc import Sequence

from bot.channels.base import DIRECT, Channel, Delivery
from bot.core.messages import Reply


class FakeChannel(Channel):
    """Records every send; ``script[recipient]`` lists exceptions to raise on the next sends."""

    def __init__(self, name: str = "fake", latency: float = 0.0) -> None:
        self.name = name
        self.sent: list[tuple[str, str, float]] = []
        self.script: dict[str, list[Exception]] = {}
        self.fail_all_next: list[Exception] = []
        self.latency = latency
        self.calls = 0
        self.deliveries: list[Delivery] = []
        self.calls_log: list[tuple[str, float, float, str]] = []  # recipient, start, end, outcome
        self.in_flight = 0
        self.max_in_flight = 0

    async def send(self, recipient: str, reply: Reply, delivery: Delivery = DIRECT) -> None:
        import asyncio

        self.calls += 1
        start = time.monotonic()
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            error = self.fail_all_next.pop(0) if self.fail_all_next else None
            queue = self.script.get(recipient)
            if error is None and queue:
                error = queue.pop(0)
            if error is not None:
                self.calls_log.append((recipient, start, time.monotonic(), type(error).__name__))
                raise error
            self.sent.append((recipient, reply.text, time.monotonic()))
            self.calls_log.append((recipient, start, time.monotonic(), "sent"))
            self.deliveries.append(delivery)
        finally:
            self.in_flight -= 1


def texts_by_recipient(sent: Sequence[tuple[str, str, float]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r, t, _ in sent:
        out.setdefault(r, []).append(t)
    return out
