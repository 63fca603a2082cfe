"""apikeys: keys of other systems (Open311), the petitions filed through them, API authors' e-mail;
indexes on cases for the Open311 lists (newest first: published petitions, a unit's, open or closed)

Revision ID: 0011_apikeys
Revises: 0001_core
Create Date: 2026-12-01 14:00:00.000000
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0011_apikeys"
down_revision = "0001_core"
branch_labels = ("apikeys",)
depends_on = ("0002_cases",)  # apirequest points at cases; the index is on cases


def upgrade() -> None:
    op.create_table(
        "apikey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("prefix", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("rate_per_minute", sa.Integer(), nullable=False),
        sa.Column("burst", sa.Integer(), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("tokens_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("last_used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revoked_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    with op.batch_alter_table("apikey", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_apikey_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "apirequest",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("media_url", sa.Text(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["api_key_id"], ["apikey.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("case_id"),
    )
    with op.batch_alter_table("apirequest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_apirequest_api_key_id"), ["api_key_id"], unique=False)

    op.create_table(
        "apicontact",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["api_key_id"], ["apikey.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("person_id"),
    )
    with op.batch_alter_table("apicontact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_apicontact_api_key_id"), ["api_key_id"], unique=False)

    # GET requests, newest first: published petitions; with status=open|closed; a unit's with the filter
    # (a unit's without it: the cases branch's ix_case_stats).
    op.create_index("ix_case_open311_public", "cases", ["publish_consent", "created_at"], unique=False)
    op.create_index("ix_case_open311_public_open", "cases", ["publish_consent", "is_open", "created_at"], unique=False)
    op.create_index("ix_case_open311_unit_open", "cases", ["unit_id", "is_open", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_open311_unit_open", table_name="cases")
    op.drop_index("ix_case_open311_public_open", table_name="cases")
    op.drop_index("ix_case_open311_public", table_name="cases")
    op.drop_table("apicontact")
    op.drop_table("apirequest")
    op.drop_table("apikey")
