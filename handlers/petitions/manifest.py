"""The petitions feature's manifest: submission and tracking, the officials' queue and actions, the
reminder, escalation, digest and auto-close jobs, ``loalang cases``."""

from __future__ import annotations

from handlers.framework.manifest import Manifest
from handlers.petitions import actions, cli, flows, jobs, queue, registry, render, track  # noqa: F401

MANIFEST = Manifest(name="petitions", registry=registry, jobs=jobs.JOBS, cli=cli.COMMANDS, catalog="cases",
                    migration_branch="cases")
