"""What the application hands to flows: clock, deployment facts and session factory.

Built once in ``bot.app``; tests build their own. Flows reach everything outside the database
session through this object, so they never import the application or a channel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from storage.db import SessionFactory, utcnow


@dataclass
class Services:
    session_factory: SessionFactory
    deployment: str
    deployment_dir: Path
    default_locale: str = "vi"
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    clock: Callable[[], datetime] = utcnow
    privacy_notice_version: str = "2026-11"
    extras: dict[str, Any] = field(default_factory=dict)

    def now(self) -> datetime:
        """Aware UTC now (the clock is replaceable in tests)."""
        return self.clock()

    def local(self, dt: datetime) -> datetime:
        """A stored UTC time in the deployment's time zone."""
        return dt.astimezone(self.tz)
