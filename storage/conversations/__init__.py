"""Conversation state and processed delivery ids."""
