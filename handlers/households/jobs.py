"""Households have no scheduled work: every change is asked for and confirmed in the chat."""

from __future__ import annotations

from handlers.framework.manifest import Job

JOBS: tuple[Job, ...] = ()
