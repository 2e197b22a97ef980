"""scan completeness: the checks a scan ran to the end, and whether it ran them all

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 02:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SCANS = sa.table(
    "scan",
    sa.column("id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("options", sa.JSON()),
    sa.column("complete", sa.Boolean()),
)


def upgrade() -> None:
    with op.batch_alter_table("scan", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("complete", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("checks", sa.JSON(), nullable=True))
    # Scans stored before this revision kept no record of their checks. A done scan that was
    # not limited with --only ran every check of its day: it stays the site's official result.
    # A partial or failed scan, or an --only one, never was complete.
    connection = op.get_bind()
    rows = connection.execute(
        # status is an enum type on PostgreSQL: compared as text, the same on both stores
        sa.select(_SCANS.c.id, _SCANS.c.options).where(
            sa.cast(_SCANS.c.status, sa.String) == "done"
        )
    )
    complete = [scan_id for scan_id, options in rows if not (options or {}).get("checks")]
    for start in range(0, len(complete), 500):  # stay under SQLite's bound-parameter limit
        connection.execute(
            _SCANS.update()
            .where(_SCANS.c.id.in_(complete[start : start + 500]))
            .values(complete=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("scan", schema=None) as batch_op:
        batch_op.drop_column("checks")
        batch_op.drop_column("complete")
