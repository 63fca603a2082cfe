"""The features of this application, in menu order. A new feature adds its manifest here (see the
README's "how to add a feature")."""

from __future__ import annotations

from handlers.consultations.manifest import MANIFEST as consultations
from handlers.decisions.manifest import MANIFEST as decisions
from handlers.disclosures.manifest import MANIFEST as disclosures
from handlers.framework.manifest import Application, application
from handlers.households.manifest import MANIFEST as households
from handlers.learning.manifest import MANIFEST as learning
from handlers.meetings.manifest import MANIFEST as meetings
from handlers.notices.manifest import MANIFEST as notices
from handlers.people.manifest import MANIFEST as people
from handlers.petitions.manifest import MANIFEST as petitions

MANIFESTS = (people, petitions, notices, learning, disclosures, households, decisions, consultations, meetings)
APP: Application = application(MANIFESTS)
"""Every feature merged: ``APP.registry``, ``APP.jobs``, ``APP.cli``, ``APP.statistics``."""
