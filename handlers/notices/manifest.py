"""The notices feature's manifest: composing, scheduling and sending notices, the resident's list."""

from __future__ import annotations

from handlers.framework.manifest import Manifest
from handlers.notices import flows, jobs, registry  # noqa: F401

MANIFEST = Manifest(name="notices", registry=registry, jobs=jobs.JOBS, catalog="notices",
                    migration_branch="notices")
