"""Per-person ordering of Telegram updates: one person's updates in arrival order, people in parallel."""

from __future__ import annotations

import asyncio
import random

from telegram import Update

from bot.channels.telegram_order import PerUserOrderedProcessor, ordering_key
from tests.fakes.telegram_updates import make_callback_update, make_text_update


def _update(uid: int, user: int) -> Update:
    return Update.de_json({**make_text_update(user, f"m{uid}"), "update_id": uid}, None)


async def test_order_per_user_and_parallel_across_users() -> None:
    proc = PerUserOrderedProcessor(max_parallel=8)
    rng = random.Random(7)
    done: dict[int, list[int]] = {}
    running = 0
    peak = 0

    async def work(uid: int, user: int) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(rng.random() * 0.01)
        done.setdefault(user, []).append(uid)
        running -= 1

    tasks = []
    for uid in range(200):
        user = uid % 10
        tasks.append(asyncio.create_task(proc.process_update(_update(uid, user), work(uid, user))))
    await asyncio.gather(*tasks)
    for user, uids in done.items():
        assert uids == sorted(uids), f"user {user} out of order"
    assert sum(len(v) for v in done.values()) == 200
    assert 1 < peak <= 8  # parallel, but bounded
    assert proc.waiting_keys == 0


def test_ordering_key() -> None:
    assert ordering_key(Update.de_json({**make_callback_update(42, "x"), "update_id": 1}, None)) == 42
    assert ordering_key(object()) is None
