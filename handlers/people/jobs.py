"""What the scheduler runs for the people feature: nothing yet. Onboarding, consent and roles change
only when a person or an operator acts; there is nothing to chase or expire on a clock (invite codes
carry their own expiry, checked when they are used)."""

from __future__ import annotations

from handlers.framework.manifest import Job

JOBS: tuple[Job, ...] = ()
