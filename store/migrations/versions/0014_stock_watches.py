"""stock_watches: who asked about a product while it was out of stock

Revision ID: 0014
Revises: 0009
Create Date: 2026-12-07 22:30:00

When the shop's stock for the product rises above zero again, each customer
with an open watch gets one ``back_in_stock`` notice (issue 26).
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stock_watches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("notified_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.customer_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stock_watches_customer_id", "stock_watches", ["customer_id"])
    op.create_index("ix_stock_watches_sku", "stock_watches", ["sku"])


def downgrade() -> None:
    op.drop_index("ix_stock_watches_sku", table_name="stock_watches")
    op.drop_index("ix_stock_watches_customer_id", table_name="stock_watches")
    op.drop_table("stock_watches")
