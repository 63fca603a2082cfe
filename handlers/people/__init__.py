"""Onboarding, profile, roles and the commands every person has."""

from handlers.framework.registry import Registry

registry = Registry("people")
"""This feature's flows, commands, actions, shortcuts and menu entries (see ``manifest.py``)."""
