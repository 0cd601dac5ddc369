"""verification budgets: verify_attempts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 19:30:00

Failed identity checks (and verification codes texted) are rows every process
counts, so a lockout spans conversations, channels and server processes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verify_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("order_key", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("verify_attempts", schema=None) as batch_op:
        for column in ("customer_id", "order_key", "created_at"):
            batch_op.create_index(
                batch_op.f(f"ix_verify_attempts_{column}"), [column], unique=False
            )


def downgrade() -> None:
    op.drop_table("verify_attempts")
