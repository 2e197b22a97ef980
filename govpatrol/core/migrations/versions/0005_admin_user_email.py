"""user e-mail: each webmaster and office is mailed its own weekly reports

Revision ID: 0005_admin
Revises: 0004
Create Date: 2026-12-06 20:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_admin"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: users stored before this revision have no address and are mailed nothing
    # until an admin gives them one (GOVPATROL_SMTP_TO still receives every report).
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("email")
