"""classifications record the kind of harm (issue 17), so replays see what the worker decided on

Revision ID: 0011_toxic_kind
Revises: 0001
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_toxic_kind"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows classified before the kind existed read as "none", which is what the classifier said then.
    with op.batch_alter_table("classifications") as batch_op:
        batch_op.add_column(sa.Column("toxic_kind", sa.String(length=16), nullable=False, server_default="none"))


def downgrade() -> None:
    with op.batch_alter_table("classifications") as batch_op:
        batch_op.drop_column("toxic_kind")
