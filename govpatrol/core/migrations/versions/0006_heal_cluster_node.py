"""cluster nodes: the scheduler's lease and the workers' heartbeats

Revision ID: 0006_heal
Revises: 0005_admin
Create Date: 2026-12-06 20:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_heal"
down_revision: str | None = "0005_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cluster_node",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("heartbeat_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("info", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_index(
        op.f("ix_cluster_node_heartbeat_at"), "cluster_node", ["heartbeat_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_cluster_node_heartbeat_at"), table_name="cluster_node")
    op.drop_table("cluster_node")
