"""conversions, conversion_touches, leads, crm_outbox: orders and their attribution, leads, CRM deliveries;
kpi_goals.baseline_source (a baseline typed by the team)

Revision ID: 0011_conversions_leads
Revises: 0001 (and needs 0004_kpis)
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_conversions_leads"
down_revision = "0001"
branch_labels = None
depends_on = "0004_kpis"  # kpi_goals is created there


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "conversions",
        sa.Column("order_id", sa.String(length=128), primary_key=True),
        _ts("occurred_at"),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=True),
        sa.Column("utm_source", sa.String(length=128), nullable=True),
        sa.Column("utm_medium", sa.String(length=128), nullable=True),
        sa.Column("utm_campaign", sa.String(length=128), nullable=True),
        sa.Column("utm_content", sa.String(length=256), nullable=True),
        sa.Column("discount_code", sa.String(length=64), nullable=True),
        sa.Column("customer_handle", sa.String(length=256), nullable=True),
        sa.Column("customer_email", sa.String(length=320), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("interaction_id", sa.String(length=300), nullable=True),
        sa.Column("platform", sa.String(length=32), nullable=True),
        sa.Column("campaign", sa.String(length=128), nullable=True),
        sa.Column("matched_by", sa.String(length=32), nullable=True),
        _ts("attributed_at", nullable=True),
        _ts("recorded_at"),
    )
    for column in ("occurred_at", "discount_code", "customer_email", "interaction_id"):
        op.create_index(f"ix_conversions_{column}", "conversions", [column])
    op.create_table(
        "conversion_touches",
        sa.Column("order_id", sa.String(length=128), primary_key=True),
        sa.Column("interaction_id", sa.String(length=300), primary_key=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        _ts("occurred_at"),
    )
    op.create_index("ix_conversion_touches_interaction_id", "conversion_touches", ["interaction_id"])
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=300), nullable=False, unique=True),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("author_id", sa.String(length=256), nullable=False),
        sa.Column("handle", sa.String(length=256), nullable=False),
        sa.Column("interaction_id", sa.String(length=300), nullable=False),
        sa.Column("last_interaction_id", sa.String(length=300), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("headcount", sa.String(length=32), nullable=True),
        sa.Column("budget", sa.String(length=64), nullable=True),
        sa.Column("event_date", sa.String(length=64), nullable=True),
        sa.Column("company", sa.String(length=256), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("campaign", sa.String(length=128), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
    )
    for column in ("author_id", "handle", "email", "created_at"):
        op.create_index(f"ix_leads_{column}", "leads", [column])
    op.create_table(
        "crm_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("idempotency_key", sa.String(length=300), nullable=False, unique=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _ts("next_attempt_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("done_at", nullable=True),
    )
    op.create_index("ix_crm_outbox_state", "crm_outbox", ["state"])
    op.create_index("ix_crm_outbox_next_attempt_at", "crm_outbox", ["next_attempt_at"])
    with op.batch_alter_table("kpi_goals") as batch:
        batch.add_column(sa.Column("baseline_source", sa.String(length=16), nullable=False,
                                   server_default="measured"))


def downgrade() -> None:
    with op.batch_alter_table("kpi_goals") as batch:
        batch.drop_column("baseline_source")
    op.drop_table("crm_outbox")
    op.drop_table("leads")
    op.drop_table("conversion_touches")
    op.drop_table("conversions")
