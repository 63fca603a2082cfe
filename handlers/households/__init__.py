"""Households in the chat: declaring or joining one, its representative and handovers, and the
village head's confirmations."""

from handlers.framework.registry import Registry

registry = Registry("households")
"""This feature's flows, commands, actions, shortcuts and menu entries (see ``manifest.py``)."""
