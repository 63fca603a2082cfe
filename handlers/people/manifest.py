"""The people feature's manifest: onboarding, profile, roles and invites, the commands every person has."""

from __future__ import annotations

from handlers.framework.manifest import Manifest
from handlers.people import commands, flows, join, profile, registry  # noqa: F401  (their flows register)

MANIFEST = Manifest(name="people", registry=registry, catalog="core", migration_branch=None)
