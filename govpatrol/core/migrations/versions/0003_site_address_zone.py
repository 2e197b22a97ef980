"""site address zone: what a site's scans may reach is fixed at registration, not by DNS

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 03:00:00.000000

The rule for sites registered before this revision: every site gets the restrictive
"public" zone (public addresses only), unless its registered URL's host is a literal address
of another class (http://10.0.0.5/ gets "private", http://127.0.0.1:8080/ "loopback",
http://100.64.0.1/ "shared"): a literal cannot be re-pointed, so its zone is what the admin
registered. An intranet site registered by name (oa.example.gov.cn → 10.x) therefore stops
reaching its intranet after the upgrade until an admin saves it once in the dashboard (which
fixes its zone from what the name resolves to then); its scans say so in words. The classes
are written out here, not imported, so that this revision keeps meaning what it meant.
"""

import ipaddress
from collections.abc import Sequence
from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LITERAL_ZONES = (
    ("loopback", ("127.0.0.0/8", "0.0.0.0/8", "::1/128", "::/128")),
    ("private", ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")),
    ("shared", ("100.64.0.0/10",)),
)


def literal_zone(url: str) -> str:
    """The zone of a URL whose host is a literal address; "public" for any name."""
    try:
        host = urlsplit(url).hostname or ""
        address = ipaddress.ip_address(host)
    except ValueError:
        return "public"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    for zone, networks in _LITERAL_ZONES:
        if any(address in ipaddress.ip_network(n) for n in networks):
            return zone
    return "public"


def upgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "address_zone",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="public",
            )
        )
    site = sa.table("site", sa.column("id", sa.Integer), sa.column("url", sa.String),
                    sa.column("address_zone", sa.String))  # fmt: skip
    connection = op.get_bind()
    for site_id, url in connection.execute(sa.select(site.c.id, site.c.url)).all():
        zone = literal_zone(url or "")
        if zone != "public":
            connection.execute(site.update().where(site.c.id == site_id).values(address_zone=zone))


def downgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("address_zone")
