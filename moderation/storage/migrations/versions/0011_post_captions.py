"""Knowledge: post_captions, each post's caption read once from the platform (which product "this" is)

Revision ID: 0011_post_captions
Revises: 0001
Create Date: 2026-12-06
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011_post_captions"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "post_captions",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("post_captions")
