"""Persistence: SQLModel models, repositories and Alembic migrations. The database is the source of truth."""
