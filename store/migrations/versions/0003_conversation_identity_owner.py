"""conversations carry the caller's identity level and their creator (owner)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 10:00:00

Conversations made before this revision took any customer id on trust, so
those with a customer become ``claimed``, never ``verified``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("identity", sa.String(length=16), nullable=False, server_default="anonymous")
        )
        batch_op.add_column(sa.Column("owner", sa.String(length=64), nullable=True))
    op.execute(
        sa.text("UPDATE conversations SET identity = 'claimed' WHERE customer_id IS NOT NULL")
    )


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("owner")
        batch_op.drop_column("identity")
