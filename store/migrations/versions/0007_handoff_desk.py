"""handoff desk, analytics and review: handoffs, assisted_orders, nlu_examples, nlu_models,
admin_sessions; turns.confidence and turns.understood

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 14:00:00

Every handoff becomes a record staff can claim and resolve, with its webhook
delivery outbox on the same row; orders Hark places are tied to their
conversation for analytics; reviewed turns become NLU examples kept apart from
the shipped training data; each retraining is a row every process follows.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("turns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confidence", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("understood", sa.Boolean(), nullable=True))
    op.create_table(
        "handoffs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("turn_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("identity", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("sentiment_trend", sa.String(length=16), nullable=False),
        sa.Column("sentiment_last", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("transfer_status", sa.String(length=20), nullable=True),
        sa.Column("callback", sa.String(length=16), nullable=True),
        sa.Column("callback_contact", sa.String(length=80), nullable=True),
        sa.Column("delivery_state", sa.String(length=16), nullable=False),
        sa.Column("delivery_attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(length=40), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.customer_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        for column in ("conversation_id", "status", "created_at", "delivery_state"):
            batch_op.create_index(batch_op.f(f"ix_handoffs_{column}"), [column], unique=False)
        batch_op.create_index(
            batch_op.f("ix_handoffs_next_attempt_at"), ["next_attempt_at"], unique=False
        )
    op.create_table(
        "assisted_orders",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.order_id"]),
        sa.PrimaryKeyConstraint("order_id"),
    )
    with op.batch_alter_table("assisted_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assisted_orders_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assisted_orders_placed_at"), ["placed_at"], unique=False
        )
    op.create_table(
        "nlu_examples",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("turn_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("chosen_intent", sa.String(length=64), nullable=True),
        sa.Column("intent", sa.String(length=64), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("heldout_delta", sa.Float(), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("turn_id"),
    )
    with op.batch_alter_table("nlu_examples", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nlu_examples_conversation_id"), ["conversation_id"], unique=False
        )
    op.create_table(
        "nlu_models",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("example_ids", sa.JSON(), nullable=False),
        sa.Column("examples", sa.Integer(), nullable=False),
        sa.Column("heldout_before", sa.Float(), nullable=True),
        sa.Column("heldout_after", sa.Float(), nullable=True),
        sa.Column("reviewed_before", sa.Float(), nullable=True),
        sa.Column("reviewed_after", sa.Float(), nullable=True),
        sa.Column("trained_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "admin_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("admin_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_admin_sessions_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("admin_sessions")
    op.drop_table("nlu_models")
    op.drop_table("nlu_examples")
    op.drop_table("assisted_orders")
    op.drop_table("handoffs")
    with op.batch_alter_table("turns", schema=None) as batch_op:
        batch_op.drop_column("understood")
        batch_op.drop_column("confidence")
