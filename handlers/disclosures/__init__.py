"""The disclosure register in the chat: officials post, residents read and ask, village heads relay."""

from handlers.framework.registry import Registry

registry = Registry("disclosures")
"""This feature's flows, commands, actions, shortcuts and menu entries (see ``manifest.py``)."""
