"""Village decisions in the chat: opening one, the household ballot, the meeting tally, results,
minutes and the report to the commune."""

from handlers.framework.registry import Registry

registry = Registry("decisions")
"""This feature's flows, commands, actions, shortcuts and menu entries (see ``manifest.py``)."""
