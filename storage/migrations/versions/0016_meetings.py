"""Village meetings and the households' answers (will come / cannot come).

Revision ID: 0016_meetings
Revises: 0001_core
Depends on: 0013_households (answers are per household), 0014_decisions (a meeting may name the
decision whose tally is entered for it)
Create Date: 2026-12-01 15:00:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0016_meetings"
down_revision = "0001_core"
branch_labels = ("meetings",)
depends_on = ("0013_households", "0014_decisions")

S = sqlmodel.sql.sqltypes.AutoString
T = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("village_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False, index=True),
        sa.Column("agenda", S(length=2000), nullable=False),
        sa.Column("place", S(length=300), nullable=False),
        sa.Column("starts_at", T(), nullable=False, index=True),
        sa.Column("status", S(length=12), nullable=False, index=True),
        sa.Column("decision_id", sa.Integer(), sa.ForeignKey("decision.id"), nullable=True, unique=True),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("created_role", S(length=24), nullable=False),
        sa.Column("created_at", T(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("reminded", sa.Integer(), nullable=False),
        sa.Column("minutes_text", S(length=4000), nullable=True),
        sa.Column("minutes_file", sa.JSON(), nullable=True),
        sa.Column("minutes_at", T(), nullable=True, index=True),
        sa.Column("minutes_by", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
    )
    op.create_table(
        "meetingattendance",
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), primary_key=True),
        sa.Column("household_id", sa.Integer(), sa.ForeignKey("household.id"), primary_key=True, index=True),
        sa.Column("answer", S(length=4), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=True, index=True),
        sa.Column("channel", S(length=16), nullable=False),
        sa.Column("first_at", T(), nullable=False),
        sa.Column("last_at", T(), nullable=False),
    )


def downgrade() -> None:
    for t in ("meetingattendance", "meeting"):
        op.drop_table(t)
