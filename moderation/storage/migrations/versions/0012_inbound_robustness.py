"""interactions keep platform details; inbound dead letters; author display names fetched from platforms

Revision ID: 0012_inbound_robustness
Revises: 0001
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_inbound_robustness"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interactions") as batch_op:
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=True))
    op.create_table(
        "inbound_dead_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("interaction_id", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inbound_dead_letters_received_at", "inbound_dead_letters", ["received_at"])
    op.create_table(
        "author_profiles",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("author_id", sa.String(length=256), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "author_id"),
    )


def downgrade() -> None:
    op.drop_table("author_profiles")
    op.drop_index("ix_inbound_dead_letters_received_at", table_name="inbound_dead_letters")
    op.drop_table("inbound_dead_letters")
    with op.batch_alter_table("interactions") as batch_op:
        batch_op.drop_column("details")
