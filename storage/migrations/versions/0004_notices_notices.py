"""Notices, notice targets and "seen".

Revision ID: 0004_notices
Revises: 0001_core
Create Date: 2026-11-27 00:01:28.005819

Until the learning feature got its own branch (0006_learning) this revision also created the
learning tables; databases migrated then keep them, and 0006 skips what exists.
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0004_notices"
down_revision = "0001_core"
branch_labels = ("notices",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_role", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("attachment", sa.JSON(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("send_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("cancelled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("cancelled_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_send_at"), ["send_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_status"), ["status"], unique=False)

    op.create_table(
        "noticeseen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notice.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notice_id", "person_id"),
    )
    with op.batch_alter_table("noticeseen", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_noticeseen_notice_id"), ["notice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_noticeseen_person_id"), ["person_id"], unique=False)

    op.create_table(
        "noticetarget",
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notice.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.PrimaryKeyConstraint("notice_id", "unit_id"),
    )
    with op.batch_alter_table("noticetarget", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_noticetarget_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("noticetarget", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_noticetarget_unit_id"))

    op.drop_table("noticetarget")
    with op.batch_alter_table("noticeseen", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_noticeseen_person_id"))
        batch_op.drop_index(batch_op.f("ix_noticeseen_notice_id"))

    op.drop_table("noticeseen")
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_status"))
        batch_op.drop_index(batch_op.f("ix_notice_send_at"))
        batch_op.drop_index(batch_op.f("ix_notice_author_id"))

    op.drop_table("notice")
