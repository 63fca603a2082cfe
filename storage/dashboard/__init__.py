"""Dashboard infrastructure: one-time sign-in tokens, database sessions, and the audit trail reader
of the dashboard's audit page. Not a feature (no chat flows of its own); ``bot.dashboard`` uses it.
"""

from storage.dashboard.models import DashboardLoginToken, DashboardSession
from storage.dashboard.queries import AuditRow, audit_events
from storage.dashboard.services import (
    IDLE_TIMEOUT,
    TOKEN_TTL,
    NewSession,
    current_session,
    end_session,
    issue_login_token,
    redeem_login_token,
    set_session_locale,
)

__all__ = [
    "IDLE_TIMEOUT",
    "TOKEN_TTL",
    "AuditRow",
    "DashboardLoginToken",
    "DashboardSession",
    "NewSession",
    "audit_events",
    "current_session",
    "end_session",
    "issue_login_token",
    "redeem_login_token",
    "set_session_locale",
]
