"""Learning: lesson progress and quiz answers, campaigns, campaign runs and opt-outs.

Revision ID: 0006_learning
Revises: 0001_core
Create Date: 2026-12-01 00:00:00.000000

Databases migrated before the learning feature had its own branch got these tables from
0004_notices; each table is created only when it is not there yet.
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0006_learning"
down_revision = "0001_core"
branch_labels = ("learning",)
depends_on = None


def _missing(name: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(name)


def upgrade() -> None:
    if _missing("campaign"):
        op.create_table(
            "campaign",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
            sa.Column("unit_ids", sa.JSON(), nullable=False),
            sa.Column("lesson_ids", sa.JSON(), nullable=False),
            sa.Column("weekday", sa.Integer(), nullable=False),
            sa.Column("at_time", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
            sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
    if _missing("campaignrun"):
        op.create_table(
            "campaignrun",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("campaign_id", sa.Integer(), nullable=False),
            sa.Column("run_date", sa.Date(), nullable=False),
            sa.Column("pushed", sa.Integer(), nullable=False),
            sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.ForeignKeyConstraint(
                ["campaign_id"],
                ["campaign.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("campaign_id", "run_date"),
        )
        with op.batch_alter_table("campaignrun", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_campaignrun_campaign_id"), ["campaign_id"], unique=False)

    if _missing("learningoptout"):
        op.create_table(
            "learningoptout",
            sa.Column("person_id", sa.Integer(), nullable=False),
            sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.ForeignKeyConstraint(
                ["person_id"],
                ["person.id"],
            ),
            sa.PrimaryKeyConstraint("person_id"),
        )
    if _missing("lessonprogress"):
        op.create_table(
            "lessonprogress",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("person_id", sa.Integer(), nullable=False),
            sa.Column("lesson_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
            sa.Column("shown_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column("via", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
            sa.Column("campaign_id", sa.Integer(), nullable=True),
            sa.Column("choice", sa.Integer(), nullable=True),
            sa.Column("correct", sa.Boolean(), nullable=True),
            sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
            sa.ForeignKeyConstraint(
                ["campaign_id"],
                ["campaign.id"],
            ),
            sa.ForeignKeyConstraint(
                ["person_id"],
                ["person.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("person_id", "lesson_id"),
        )
        with op.batch_alter_table("lessonprogress", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_lessonprogress_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lessonprogress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lessonprogress_person_id"))

    op.drop_table("lessonprogress")
    op.drop_table("learningoptout")
    with op.batch_alter_table("campaignrun", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaignrun_campaign_id"))

    op.drop_table("campaignrun")
    op.drop_table("campaign")
