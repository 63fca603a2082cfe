"""Translations (``<lang>/LC_MESSAGES/*.po``) and campaign content (``<lang>/lessons/*.md``),
shipped as package data."""
