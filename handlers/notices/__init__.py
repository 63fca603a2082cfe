"""Notices in the chat: composing and sending, the resident's list, seen receipts."""

from handlers.framework.registry import Registry

registry = Registry("notices")
"""This feature's flows, commands, actions, shortcuts and menu entries (see ``manifest.py``)."""
