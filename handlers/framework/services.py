"""What the application hands to flows and jobs: clock, deployment facts, session factory, and the
few application capabilities a flow may use (waking the outbox sender). Built once in ``bot.app``;
tests build their own. Flows reach everything outside the database session through this object,
so they never import the application or a channel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.clock import utcnow
from storage.db import SessionFactory


def _nothing() -> None:
    return None


@dataclass
class Services:
    session_factory: SessionFactory
    deployment: str
    deployment_dir: Path
    default_locale: str = "vi"
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    clock: Callable[[], datetime] = utcnow
    privacy_notice_version: str = "2026-11"
    wake_outbox: Callable[[], None] = _nothing
    """Tell the outbox sender that rows were queued (a no-op until the sender runs)."""
    demo: bool = False
    """Demo mode (``loalang demo``): the web chat offers persona switching."""
    public_base_url: str = "http://127.0.0.1:8080"
    """Where people reach this server (``PUBLIC_BASE_URL``): links sent in the chat (dashboard sign-in)."""

    def now(self) -> datetime:
        """Aware UTC now (the clock is replaceable in tests)."""
        return self.clock()

    def local(self, dt: datetime) -> datetime:
        """A stored UTC time in the deployment's time zone."""
        return dt.astimezone(self.tz)
