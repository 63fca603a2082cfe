"""Consultations on drafts in the chat: publishing one, residents' comments, replies, the summary."""

from handlers.framework.registry import Registry

registry = Registry("consultations")
"""This feature's flows, commands, actions, shortcuts and menu entries (see ``manifest.py``)."""
