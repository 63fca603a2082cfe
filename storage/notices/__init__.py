"""Notices from the ward and village heads: audience, schedule, delivery report (models, services,
permissions, queries)."""
