"""Alembic migrations; ``storage.migrate.upgrade`` applies them at start and from ``loalang db upgrade``."""
