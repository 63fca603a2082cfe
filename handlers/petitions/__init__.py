"""Petitions in the chat: the resident's submission and tracking, the officials' queue and actions."""

from handlers.framework.registry import Registry

registry = Registry("petitions")
"""This feature's flows, commands, actions, shortcuts and menu entries (see ``manifest.py``)."""
