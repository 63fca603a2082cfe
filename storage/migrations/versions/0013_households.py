"""Households, their members, representatives (with history) and handovers.

Revision ID: 0013_households
Revises: 0001_core
Create Date: 2026-12-01 14:00:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0013_households"
down_revision = "0001_core"
branch_labels = ("households",)
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
T = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "household",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("village_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False, index=True),
        sa.Column("number", S(length=32), nullable=True),
        sa.Column("head_name", S(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("code", S(length=16), nullable=False, unique=True),
        sa.Column("status", S(length=12), nullable=False, index=True),
        sa.Column("source", S(length=12), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("created_at", T(), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("confirmed_at", T(), nullable=True, index=True),
    )
    op.create_index("uq_household_village_number", "household", ["village_id", "number"], unique=True)
    op.create_table(
        "householdmember",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("household_id", sa.Integer(), sa.ForeignKey("household.id"), nullable=False, index=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False, index=True),
        sa.Column("adult", sa.Boolean(), nullable=False),
        sa.Column("joined_at", T(), nullable=False),
        sa.Column("left_at", T(), nullable=True),
        sa.Column("left_reason", S(length=16), nullable=True),
    )
    op.create_index(
        "uq_householdmember_active_person",
        "householdmember",
        ["person_id"],
        unique=True,
        sqlite_where=sa.text("left_at IS NULL"),
        postgresql_where=sa.text("left_at IS NULL"),
    )
    op.create_table(
        "householdrepresentative",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("household_id", sa.Integer(), sa.ForeignKey("household.id"), nullable=False, index=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False, index=True),
        sa.Column("since", T(), nullable=False),
        sa.Column("until", T(), nullable=True),
        sa.Column("end_reason", S(length=16), nullable=True),
        sa.Column("confirmed_by", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
    )
    op.create_index(
        "uq_householdrep_current",
        "householdrepresentative",
        ["household_id"],
        unique=True,
        sqlite_where=sa.text('"until" IS NULL'),
        postgresql_where=sa.text('"until" IS NULL'),
    )
    op.create_table(
        "householdhandover",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("household_id", sa.Integer(), sa.ForeignKey("household.id"), nullable=False, index=True),
        sa.Column("from_person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("to_person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("status", S(length=12), nullable=False, index=True),
        sa.Column("requested_at", T(), nullable=False),
        sa.Column("decided_by", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("decided_at", T(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("householdhandover")
    op.drop_index("uq_householdrep_current", table_name="householdrepresentative")
    op.drop_table("householdrepresentative")
    op.drop_index("uq_householdmember_active_person", table_name="householdmember")
    op.drop_table("householdmember")
    op.drop_index("uq_household_village_number", table_name="household")
    op.drop_table("household")
