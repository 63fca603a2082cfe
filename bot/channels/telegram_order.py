"""Update ordering for the Telegram channel: different people in parallel, one person's updates in order.

PTB's ``concurrent_updates`` runs every update at once and promises no order. This processor keeps
a chain per key (the Telegram user, else the chat): an update starts only when the previous update
of the same key has finished. Waiting for a predecessor takes no work slot; at most
``max_parallel`` updates do work at the same time.

Why arrival order holds: PTB creates one task per update in the order it takes them from its
queue, and each task reaches ``do_process_update`` without suspending (PTB's own semaphore is made
wide enough never to block), so each task registers itself at the tail of its key's chain in that
order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

__all__ = ["PerUserOrderedProcessor", "ordering_key"]

_UNBOUNDED = 1 << 30


def ordering_key(update: object) -> int | None:
    """Who this update belongs to: the Telegram user, else the chat, else None (no ordering)."""
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


class PerUserOrderedProcessor(BaseUpdateProcessor):
    """Bounded parallelism across keys, strict arrival order within a key."""

    def __init__(self, max_parallel: int = 64) -> None:
        super().__init__(max_concurrent_updates=_UNBOUNDED)
        self.max_parallel = max_parallel
        self._work = asyncio.Semaphore(max_parallel)
        self._tails: dict[int, asyncio.Future[None]] = {}

    @property
    def waiting_keys(self) -> int:
        """How many people have an update being handled or waiting (for status and tests)."""
        return len(self._tails)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            async with self._work:
                await coroutine
            return
        previous = self._tails.get(key)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[key] = mine
        started = False
        try:
            if previous is not None:
                # shield: being cancelled here must not cancel the predecessor's future.
                await asyncio.shield(previous)
            async with self._work:
                started = True
                await coroutine
        finally:
            if not started and asyncio.iscoroutine(coroutine):
                coroutine.close()  # cancelled before it ran: avoid "never awaited" warnings
            mine.set_result(None)
            if self._tails.get(key) is mine:
                del self._tails[key]

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free: PTB waits for in-flight updates before calling this."""
