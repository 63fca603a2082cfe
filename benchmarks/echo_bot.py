"""A bare python-telegram-bot echo bot: the baseline the inbound benchmark compares against."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters


class EchoBot:
    """Polling echo bot; ``concurrent`` uses PTB's ``concurrent_updates(True)``."""

    def __init__(self, token: str, base_url: str, *, concurrent: bool = False) -> None:
        builder = ApplicationBuilder().token(token).base_url(base_url).job_queue(None)
        if concurrent:
            builder = builder.concurrent_updates(True).connection_pool_size(256)
        self.app: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.app.add_handler(MessageHandler(filters.TEXT, self._echo))

    @staticmethod
    async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    async def start(self) -> None:
        await self.app.initialize()
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0.0, timeout=10)

    async def stop(self) -> None:
        assert self.app.updater is not None
        await self.app.updater.stop()
        await self.app.stop()
        await self.app.shutdown()
