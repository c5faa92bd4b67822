"""chat bot state: approval reminders, escalation paging guard, inbound event dedupe

Revision ID: 0003_slack
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0003_slack'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('approvals') as batch:
        batch.add_column(sa.Column('reminders_sent', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('escalations') as batch:
        batch.add_column(sa.Column('paged_step', sa.Integer(), nullable=False, server_default='-1'))
    op.create_table(
        'inbound_events',
        sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('source', 'event_id'),
    )
    op.create_index('ix_inbound_events_received_at', 'inbound_events', ['received_at'])


def downgrade() -> None:
    op.drop_index('ix_inbound_events_received_at', table_name='inbound_events')
    op.drop_table('inbound_events')
    with op.batch_alter_table('escalations') as batch:
        batch.drop_column('paged_step')
    with op.batch_alter_table('approvals') as batch:
        batch.drop_column('reminders_sent')
