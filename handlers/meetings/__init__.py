"""Village meetings in the chat: the announcement, households' attendance, reminders and minutes."""

from handlers.framework.registry import Registry

registry = Registry("meetings")
"""This feature's flows, commands, actions, shortcuts and menu entries (see ``manifest.py``)."""
