"""The reply keyboard a chat shows, known in memory where one process answers every chat (SQLite,
long polling): a text costs no database session once the chat is known, the same keyboard shown
again writes nothing, and a restart still finds the keyboard in the database. Several webhook
workers read the database every time (another worker may have changed the keyboard)."""

from __future__ import annotations

from contextlib import asynccontextmanager

from bot.channels.telegram_keyboard import Keyboards

CHAT = "4242"
CHOICES = [("Bỏ qua", "onboard:skip"), ("Hủy", "cancel")]


class CountingFactory:
    """A session factory that counts the sessions opened."""

    def __init__(self, factory) -> None:
        self.factory = factory
        self.opened = 0

    @asynccontextmanager
    async def __call__(self):
        self.opened += 1
        async with self.factory() as s:
            yield s


async def test_one_process_reads_a_chats_keyboard_once(session_factory):
    counting = CountingFactory(session_factory)
    kb = Keyboards(counting, local=True)  # type: ignore[arg-type]
    await kb.shown(CHAT, CHOICES)
    assert counting.opened == 1
    await kb.shown(CHAT, CHOICES)  # the same keyboard again: nothing to write
    assert counting.opened == 1
    assert await kb.choice(CHAT, "Bỏ qua") == "onboard:skip"
    assert await kb.choice(CHAT, "xa thanh son") is None
    assert counting.opened == 1  # texts answered from memory

    restarted = Keyboards(counting, local=True)  # type: ignore[arg-type]
    assert await restarted.choice(CHAT, "Hủy") == "cancel"  # read from the database once
    assert await restarted.choice(CHAT, "Bỏ qua") == "onboard:skip"
    assert counting.opened == 2
    await restarted.removed(CHAT)
    assert await restarted.choice(CHAT, "Hủy") is None
    assert await Keyboards(session_factory, local=True).choice(CHAT, "Hủy") is None  # removal was stored


async def test_several_workers_read_the_database_every_time(session_factory):
    counting = CountingFactory(session_factory)
    worker_a = Keyboards(counting, local=False)  # type: ignore[arg-type]
    worker_b = Keyboards(counting, local=False)  # type: ignore[arg-type]
    await worker_a.shown(CHAT, CHOICES)
    assert await worker_b.choice(CHAT, "Bỏ qua") == "onboard:skip"
    await worker_a.removed(CHAT)
    assert await worker_b.choice(CHAT, "Bỏ qua") is None  # b sees a's removal at once
    assert counting.opened == 4
