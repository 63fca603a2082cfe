"""Fixtures of the channel tests: the Telegram rig (``tests/channels/telegram_support.py``)."""

from tests.channels.telegram_support import fake, rig

__all__ = ["fake", "rig"]
