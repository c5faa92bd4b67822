"""KPIs: kpi_facts, one row per interaction kept in step with the event log (the KPI query's fast path)

Revision ID: 0010_kpi_facts
Revises: 0001
Create Date: 2026-11-22
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0010_kpi_facts'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kpi_facts',
    sa.Column('interaction_id', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('campaign', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('mixed', sa.Boolean(), nullable=False),
    sa.Column('flags', sa.Integer(), nullable=False),
    sa.Column('received', sa.Float(), nullable=True),
    sa.Column('first_response', sa.Float(), nullable=True),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.Column('response_epochs', sa.Float(), nullable=True),
    sa.Column('first_event', sa.Float(), nullable=False),
    sa.Column('last_event', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('interaction_id')
    )
    op.create_index('ix_kpi_facts_window', 'kpi_facts', ['received', 'mixed', 'first_event', 'last_event', 'platform',
                    'campaign', 'flags', 'first_response', 'responses', 'response_epochs'], unique=False)
    # The rows of the events already stored, computed by the same code that keeps them up to date afterwards.
    from moderation.measure.kpis.stored_facts import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index('ix_kpi_facts_window', table_name='kpi_facts')
    op.drop_table('kpi_facts')
