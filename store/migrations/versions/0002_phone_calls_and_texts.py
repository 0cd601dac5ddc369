"""phone calls and text messages (Twilio channel)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "phone_calls",
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("last_response", sa.Text(), nullable=False),
        sa.Column("misses", sa.Integer(), nullable=False),
        sa.Column("menu", sa.Boolean(), nullable=False),
        sa.Column("transfer_status", sa.String(length=20), nullable=True),
        sa.Column("handoff_note", sa.Text(), nullable=False),
        sa.Column("callback_requested", sa.Boolean(), nullable=False),
        sa.Column("callback_number", sa.String(length=40), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("duration_s", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("call_id"),
    )
    with op.batch_alter_table("phone_calls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_phone_calls_conversation_id"), ["conversation_id"], unique=False
        )

    op.create_table(
        "text_messages",
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("sender_key", sa.String(length=80), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("message_id"),
    )
    with op.batch_alter_table("text_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_text_messages_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_text_messages_received_at"), ["received_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_text_messages_sender_key"), ["sender_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("text_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_text_messages_sender_key"))
        batch_op.drop_index(batch_op.f("ix_text_messages_received_at"))
        batch_op.drop_index(batch_op.f("ix_text_messages_conversation_id"))

    op.drop_table("text_messages")
    with op.batch_alter_table("phone_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phone_calls_conversation_id"))

    op.drop_table("phone_calls")
