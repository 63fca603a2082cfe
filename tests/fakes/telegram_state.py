"""State behind the fake Telegram Bot API: the update queue (getUpdates) and the log of sent messages."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

__all__ = ["SentLog", "UpdateQueue"]

Record = dict[str, Any]


class UpdateQueue:
    """Pending updates, confirmed by a higher getUpdates offset, with long-poll wake-ups.

    A redelivered update is handed out once even below the poller's offset, as after a crash.
    """

    def __init__(self) -> None:
        self.confirmed: set[int] = set()
        self.deliveries: Counter[int] = Counter()
        self.next_id = 1
        self._pending: dict[int, dict[str, Any]] = {}
        self._all: dict[int, dict[str, Any]] = {}
        self._redelivered: set[int] = set()
        self._event = asyncio.Event()
        self._closed = False

    def assign_id(self, update: dict[str, Any]) -> dict[str, Any]:
        update = dict(update)
        update.setdefault("update_id", self.next_id)
        self.next_id = max(self.next_id, update["update_id"] + 1)
        return update

    def push(self, update: dict[str, Any]) -> int:
        update = self.assign_id(update)
        self._pending[update["update_id"]] = self._all[update["update_id"]] = update
        self._wake()
        return int(update["update_id"])

    def redeliver(self, update_id: int) -> None:
        self._pending[update_id] = self._all[update_id]
        self.confirmed.discard(update_id)
        self._redelivered.add(update_id)
        self._wake()

    @property
    def pending(self) -> list[dict[str, Any]]:
        return [self._pending[i] for i in sorted(self._pending)]

    def confirm_below(self, offset: int) -> None:
        for update_id in [i for i in self._pending if i < offset and i not in self._redelivered]:
            del self._pending[update_id]
            self.confirmed.add(update_id)

    def confirm_all(self) -> None:
        self.confirm_below(self.next_id)

    async def take(self, offset: int, limit: int, timeout: float) -> list[dict[str, Any]]:
        """getUpdates: confirm below ``offset`` (negative: keep the last -offset), then long-poll."""
        if offset < 0:
            keep = sorted(self._pending)[offset:]
            self.confirm_below(keep[0] if keep else self.next_id)
        elif offset:
            self.confirm_below(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._pending and not self._closed and (remaining := deadline - loop.time()) > 0:
            try:
                await asyncio.wait_for(self._event.wait(), remaining)
            except TimeoutError:
                break
        batch = self.pending[:limit]
        for update in batch:
            self.deliveries[update["update_id"]] += 1
            self._redelivered.discard(update["update_id"])
        return batch

    def open(self) -> None:
        self._closed = False

    def close(self) -> None:
        """End every waiting long poll now (server shutdown)."""
        self._closed = True
        self._wake()

    def _wake(self) -> None:
        self._event.set()
        self._event = asyncio.Event()


class SentLog:
    """Records of accepted outgoing messages, oldest first, since the last ``clear()``."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self._event = asyncio.Event()

    def add(self, record: Record) -> None:
        self.records.append(record)
        self._event.set()
        self._event = asyncio.Event()

    def sent(self, chat_id: int | str | None = None) -> list[Record]:
        return [r for r in self.records if chat_id is None or r["chat_id"] == chat_id]

    async def wait_for(
        self, chat_id: int | str | None, count: int = 1, timeout: float = 5.0, since: int = 0
    ) -> list[Record]:
        """Records ``[since:since + count]`` of ``sent(chat_id)``, waiting until they exist."""

        async def ready() -> list[Record]:
            while len(records := self.sent(chat_id)) < since + count:
                await self._event.wait()
            return records[since : since + count]

        try:
            return await asyncio.wait_for(ready(), timeout)
        except TimeoutError:
            texts = [r["text"] or r["caption"] for r in self.sent(chat_id)]
            raise TimeoutError(
                f"chat {chat_id}: wanted {count} message(s) after index {since} within {timeout}s; sent so far: {texts}"
            ) from None

    def clear(self) -> None:
        self.records.clear()
