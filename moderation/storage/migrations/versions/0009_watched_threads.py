"""watched_threads: YouTube threads re-checked for new replies

Revision ID: 0009_watched_threads
Revises: 0001
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_watched_threads"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watched_threads",
        sa.Column("id", sa.String(length=256), primary_key=True),
        sa.Column("account_id", sa.String(length=256), nullable=False),
        sa.Column("reply_count", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_watched_threads_account_id", "watched_threads", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_watched_threads_account_id", "watched_threads")
    op.drop_table("watched_threads")
