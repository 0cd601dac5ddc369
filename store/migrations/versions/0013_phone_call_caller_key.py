"""phone_calls.caller_key: a keyed digest of the caller's number

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-07 19:30:00

Erasure and purge reach every call row of a caller by this digest, also calls that
never joined a conversation (issue 21). The number itself is never stored.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("phone_calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("caller_key", sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f("ix_phone_calls_caller_key"), ["caller_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("phone_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phone_calls_caller_key"))
        batch_op.drop_column("caller_key")
