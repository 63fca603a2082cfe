"""telegram: the reply keyboard each chat shows (label digests → button data)

Revision ID: 0007_telegram
Revises: 0001_core
Create Date: 2026-12-01 10:00:00.000000
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0007_telegram"
down_revision = "0001_core"
branch_labels = ("telegram",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "telegram_keyboard",
        sa.Column("chat_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("shown_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id"),
    )


def downgrade() -> None:
    op.drop_table("telegram_keyboard")
