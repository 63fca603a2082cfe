"""All SQLModel tables; importing this package registers every table on ``SQLModel.metadata``."""

from storage.models.audit import AuditEvent
from storage.models.conversations import Conversation, ProcessedEvent
from storage.models.outbox import OutboxMessage
from storage.models.people import ChannelIdentity, Invite, Person, RoleGrant
from storage.models.units import Unit, UnitLineage

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
