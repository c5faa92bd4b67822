"""interactions record which of our accounts received them, so answers go out as that account

Revision ID: 0008_interaction_account
Revises: 0001
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_interaction_account"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interactions") as batch_op:
        batch_op.add_column(sa.Column("account_id", sa.String(length=256), nullable=True))
        batch_op.create_index("ix_interactions_account_id", ["account_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("interactions") as batch_op:
        batch_op.drop_index("ix_interactions_account_id")
        batch_op.drop_column("account_id")
