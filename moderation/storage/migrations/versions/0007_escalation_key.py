"""escalations carry an incident key so one crisis pages once

Revision ID: 0007_escalation_key
Revises: 0001
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_escalation_key"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("escalations") as batch_op:
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=256), nullable=True))
        batch_op.create_index("ix_escalations_dedupe_key", ["dedupe_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("escalations") as batch_op:
        batch_op.drop_index("ix_escalations_dedupe_key")
        batch_op.drop_column("dedupe_key")
