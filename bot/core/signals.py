"""In-transaction signals: how a lower layer announces a change to the layer above without
importing it (pretix's signals, reduced to what we need).

``storage`` declares a signal beside the service that sends it; ``handlers`` connects the receiver
that builds the pushes (``handlers/<feature>/notify.py``). Receivers run inside the sender's
transaction, with its session, so a change and the messages about it are committed together — or
not at all. A receiver's exception propagates: the caller's transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

E = TypeVar("E")
Receiver = Callable[..., Awaitable[int]]


class Signal(Generic[E]):
    """``signal.connect(fn)``; ``await signal.send(session, event)`` runs every ``fn(session, event)``
    in the order they connected and returns the sum of what they return (messages queued)."""

    def __init__(self, name: str, doc: str = "") -> None:
        self.name = name
        self.__doc__ = doc
        self._receivers: list[Receiver] = []

    def connect(self, fn: Receiver) -> Receiver:
        """Register ``fn`` once (usable as a decorator); connecting the same function again does nothing."""
        if fn not in self._receivers:
            self._receivers.append(fn)
        return fn

    @property
    def receivers(self) -> tuple[Receiver, ...]:
        return tuple(self._receivers)

    async def send(self, session: object, event: E) -> int:
        total = 0
        for fn in self._receivers:
            total += int(await fn(session, event) or 0)
        return total
