"""Decisions, their electorate, turnout, open choices and the anonymous ballots of secret votes.

Revision ID: 0014_decisions
Revises: 0001_core
Depends on: 0013_households (electorate and turnout point at households)
Create Date: 2026-12-01 14:10:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0014_decisions"
down_revision = "0001_core"
branch_labels = ("decisions",)
depends_on = ("0013_households",)

S = sqlmodel.sql.sqltypes.AutoString
T = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False, index=True),
        sa.Column("question", S(length=500), nullable=False),
        sa.Column("explanation", S(length=3000), nullable=False),
        sa.Column("art15", S(length=24), nullable=False),
        sa.Column("method", S(length=12), nullable=False),
        sa.Column("agreed_record", S(length=500), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("yes_no", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("opens_at", T(), nullable=False, index=True),
        sa.Column("closes_at", T(), nullable=False, index=True),
        sa.Column("status", S(length=12), nullable=False, index=True),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("eligible", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("created_role", S(length=24), nullable=False),
        sa.Column("created_at", T(), nullable=False),
        sa.Column("opened_at", T(), nullable=True),
        sa.Column("closed_at", T(), nullable=True, index=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("minutes", sa.JSON(), nullable=True),
        sa.Column("minutes_at", T(), nullable=True),
        sa.Column("report_due_at", T(), nullable=True),
        sa.Column("reported_at", T(), nullable=True),
        sa.Column("reminded", sa.Integer(), nullable=False),
    )
    op.create_table(
        "decisionelector",
        sa.Column("decision_id", sa.Integer(), sa.ForeignKey("decision.id"), primary_key=True),
        sa.Column("household_id", sa.Integer(), sa.ForeignKey("household.id"), primary_key=True, index=True),
    )
    op.create_table(
        "decisionturnout",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("decision_id", sa.Integer(), sa.ForeignKey("decision.id"), nullable=False, index=True),
        sa.Column("household_id", sa.Integer(), sa.ForeignKey("household.id"), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("channel", S(length=16), nullable=False),
        sa.Column("first_at", T(), nullable=False),
        sa.Column("last_at", T(), nullable=False),
        sa.UniqueConstraint("decision_id", "household_id"),
    )
    op.create_table(
        "decisionchoice",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("decision_id", sa.Integer(), sa.ForeignKey("decision.id"), nullable=False, index=True),
        sa.Column("household_id", sa.Integer(), sa.ForeignKey("household.id"), nullable=False),
        sa.Column("option", sa.Integer(), nullable=False),
        sa.UniqueConstraint("decision_id", "household_id"),
    )
    op.create_table(
        "decisionballot",
        sa.Column("id", S(length=32), primary_key=True),
        sa.Column("decision_id", sa.Integer(), sa.ForeignKey("decision.id"), nullable=False, index=True),
        sa.Column("option", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    for t in ("decisionballot", "decisionchoice", "decisionturnout", "decisionelector", "decision"):
        op.drop_table(t)
