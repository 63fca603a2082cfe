"""Lessons, quizzes and campaign opt-out in the chat."""

from handlers.framework.registry import Registry

registry = Registry("learning")
"""This feature's flows, commands, actions, shortcuts and menu entries (see ``manifest.py``)."""
