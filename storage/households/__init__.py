"""Households: declared in the chat or imported by the village head, their members, one
representative at a time (with its history) and handovers (models, services, permissions, queries)."""
