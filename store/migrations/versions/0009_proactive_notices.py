"""proactive notices: customers.timezone and contact_channels, contact_consents, notices,
notice_sends

Revision ID: 0009
Revises: 0013
Create Date: 2026-12-07 19:30:00

Changes in the shop's data become events, each decided once (``event_key``)
into a notice that an outbox sends with leases; every consent given or
withdrawn is a ledger row; every message or call made is a ``notice_sends`` row.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("contact_channels", sa.String(length=100), nullable=False, server_default="")
        )
    op.create_table(
        "contact_consents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.customer_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_contact_consents_customer_id", "contact_consents", ["customer_id"])
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(length=40), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("conversation_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.customer_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_key"),
    )
    op.create_index("ix_notices_kind", "notices", ["kind"])
    op.create_index("ix_notices_customer_id", "notices", ["customer_id"])
    op.create_index("ix_notices_created_at", "notices", ["created_at"])
    op.create_index("ix_notices_state", "notices", ["state"])
    op.create_index("ix_notices_next_attempt_at", "notices", ["next_attempt_at"])
    op.create_table(
        "notice_sends",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["notice_id"], ["notices.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notice_sends_notice_id", "notice_sends", ["notice_id"])
    op.create_index("ix_notice_sends_customer_id", "notice_sends", ["customer_id"])
    op.create_index("ix_notice_sends_at", "notice_sends", ["at"])
    op.create_index("ix_notice_sends_provider_id", "notice_sends", ["provider_id"])


def downgrade() -> None:
    op.drop_table("notice_sends")
    op.drop_table("notices")
    op.drop_table("contact_consents")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("contact_channels")
        batch_op.drop_column("timezone")
