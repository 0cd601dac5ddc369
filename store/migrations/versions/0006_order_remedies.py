"""order_remedies: delay remedies promised to callers, for a person to honour

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 12:00:00

When ``HARK_DELAY_REMEDY`` is set, the remedy Hark promises a caller whose
order is late is recorded here against the order (once per order and remedy).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_remedies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("remedy", sa.String(length=200), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.order_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "remedy"),
    )
    with op.batch_alter_table("order_remedies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_remedies_order_id"), ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("order_remedies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_remedies_order_id"))
    op.drop_table("order_remedies")
