"""KPIs: the index the KPI query walks, and SMART goals

Revision ID: 0004_kpis
Revises: 0001
Create Date: 2026-11-26
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0004_kpis'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Covering index for the KPI query's GROUP BY interaction_id (measured: bench/kpis_benchmark.py). On SQLite
    # it carries `data` too (the sentiment): without it every classified event costs a table seek, +0.5 s per
    # million events. PostgreSQL cannot b-tree a json column and caps index rows, so it gets the columns only.
    columns = ['interaction_id', 'platform', 'campaign', 'name', 'occurred_at', 'actor']
    if op.get_bind().dialect.name == 'sqlite':
        columns.append('data')
    op.create_index('ix_events_kpi_facts', 'events', columns, unique=False)
    op.create_table('kpi_goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kpi', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('campaign', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('template', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
    sa.Column('baseline', sa.Float(), nullable=True),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
    sa.Column('kpi_version', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closing_value', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kpi_goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_goals_state'), ['state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kpi_goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_goals_state'))
    op.drop_table('kpi_goals')
    op.drop_index('ix_events_kpi_facts', table_name='events')
