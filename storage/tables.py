"""Every table module, imported so ``SQLModel.metadata`` (Alembic, the tests) sees the whole schema.

A new feature adds its ``storage.<feature>.models`` here.
"""

import importlib

TABLE_MODULES = (
    "storage.audit.models",
    "storage.conversations.models",
    "storage.outbox.models",
    "storage.units.models",
    "storage.people.models",
    "storage.channels.webchat",
    "storage.channels.zalo",
    "storage.channels.telegram",
    "storage.petitions.models",
    "storage.notices.models",
    "storage.learning.models",
    "storage.dashboard.models",
    # open311: API keys of other systems (infrastructure, no feature manifest)
    "storage.apikeys.models",
    # features
    "storage.disclosures.models",
    "storage.households.models",
    "storage.decisions.models",
    "storage.consultations.models",
    "storage.meetings.models",
)

for _name in TABLE_MODULES:
    importlib.import_module(_name)
