"""apikeys: indexes on cases for Open311 lists filtered by ``service_code`` (route and category)

``GET requests?service_code=…`` reads the published petitions of one route and category newest
first. Without this index it walked ``ix_case_open311_public`` (every published petition of the
period) and checked route and category row by row: about 1 in 20 matched. With ``status`` at the end
the index also answers the "not withdrawn" check, so the 1,000 keys are read from the index alone.
A key's own units (one query per unit) get the same with ``unit_id`` in place of ``publish_consent``:
without it they walked ``ix_case_stats`` (every petition of the unit in the period) row by row.

Revision ID: 0017_open311_idx
Revises: 0011_apikeys
Create Date: 2026-12-01 15:20:00.000000
"""

from alembic import op

revision = "0017_open311_idx"
down_revision = "0011_apikeys"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_case_open311_service": ["category", "route", "publish_consent", "created_at", "status"],
    "ix_case_open311_service_unit": ["category", "route", "unit_id", "created_at"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "cases", columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="cases")
