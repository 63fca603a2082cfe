"""All SQLModel tables. Importing this package registers every table on ``SQLModel.metadata``:
the core tables below, and every other module of this package (one per feature) automatically."""

import importlib
import pkgutil

from storage.models.audit import AuditEvent
from storage.models.conversations import Conversation, ProcessedEvent
from storage.models.outbox import OutboxMessage
from storage.models.people import ChannelIdentity, Invite, Person, RoleGrant
from storage.models.units import Unit, UnitLineage

for _mod in pkgutil.iter_modules(__path__, __name__ + "."):
    importlib.import_module(_mod.name)

__all__ = [
    "AuditEvent",
    "ChannelIdentity",
    "Conversation",
    "Invite",
    "OutboxMessage",
    "Person",
    "ProcessedEvent",
    "RoleGrant",
    "Unit",
    "UnitLineage",
]
