"""Consultations on drafts, the units they concern, comments and replies.

Revision ID: 0015_consultations
Revises: 0001_core
Create Date: 2026-12-01 14:25:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0015_consultations"
down_revision = "0001_core"
branch_labels = ("consultations",)
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
T = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "consultation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", S(length=300), nullable=False),
        sa.Column("summary", S(length=3000), nullable=False),
        sa.Column("attachment", sa.JSON(), nullable=True),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False, index=True),
        sa.Column("author_role", S(length=24), nullable=False),
        sa.Column("opens_at", T(), nullable=False),
        sa.Column("closes_at", T(), nullable=False, index=True),
        sa.Column("status", S(length=12), nullable=False, index=True),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("result_text", S(length=4000), nullable=True),
        sa.Column("summarised_at", T(), nullable=True),
        sa.Column("created_at", T(), nullable=False),
    )
    op.create_table(
        "consultationtarget",
        sa.Column("consultation_id", sa.Integer(), sa.ForeignKey("consultation.id"), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), primary_key=True, index=True),
    )
    op.create_table(
        "consultationcomment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("consultation_id", sa.Integer(), sa.ForeignKey("consultation.id"), nullable=False, index=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False, index=True),
        sa.Column("village_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=True),
        sa.Column("text", S(length=4000), nullable=False),
        sa.Column("attachment", sa.JSON(), nullable=True),
        sa.Column("created_at", T(), nullable=False),
        sa.Column("reply", S(length=2000), nullable=True),
        sa.Column("replied_by", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("replied_at", T(), nullable=True),
    )


def downgrade() -> None:
    for t in ("consultationcomment", "consultationtarget", "consultation"):
        op.drop_table(t)
