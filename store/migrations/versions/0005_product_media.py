"""products: optional image_url and model_url (kiosk product cards, 3D view)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 12:00:00

Both columns are nullable, so existing rows and older products.csv files
without the columns stay valid.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("image_url", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("model_url", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("model_url")
        batch_op.drop_column("image_url")
