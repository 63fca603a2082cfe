"""The learning feature's manifest: lessons, quizzes, weekly campaigns, ``loalang campaign``."""

from __future__ import annotations

from handlers.framework.manifest import Manifest
from handlers.learning import cli, flows, jobs, registry  # noqa: F401

MANIFEST = Manifest(name="learning", registry=registry, jobs=jobs.JOBS, cli=cli.COMMANDS, catalog="notices",
                    migration_branch="notices")
