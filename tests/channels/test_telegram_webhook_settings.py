"""Webhook mode asks Telegram for the configured number of parallel deliveries (``max_connections``),
which several workers behind a proxy share; without the setting Telegram's default 40 is asked."""

from __future__ import annotations

from tests.channels.telegram_support import Rig, fake  # noqa: F401  (the fake Bot API fixture)

WEBHOOK = {"telegram_webhook_url": "https://loalang.example.vn/telegram/webhook", "telegram_webhook_secret": "s3cret"}


async def test_set_webhook_carries_max_connections(fake, session_factory, database_url):  # noqa: F811
    rig = Rig(fake, session_factory, database_url, telegram_webhook_max_connections=80, **WEBHOOK)
    await rig.start()
    try:
        assert fake.webhook["url"] == WEBHOOK["telegram_webhook_url"]
        assert fake.webhook["max_connections"] == 80
    finally:
        await rig.stop()
    default = Rig(fake, session_factory, database_url, **WEBHOOK)
    await default.start()
    try:
        assert fake.webhook["max_connections"] == 40
    finally:
        await default.stop()
