"""Which scans are complete, and so may stand as a site's official result.

One notion for every caller (the pipeline that records it, the rescan's re-use, reports,
exports, the dashboard, the CLI): a scan is complete when it ended ``done`` having run every
check to the end. A partial, interrupted, failed or ``--only`` scan is stored and
shown as what it is, but it is never the site's verdict, never counted in an overview, a
ranking or a trend, and never the baseline a later scan is compared with.

What a scan ran is recorded on the scan when it ends (``scan.checks``, ``scan.complete``).
Scans stored before that was recorded read as migration 0004 left them: a ``done`` scan not
limited with ``--only`` ran every check of its day.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_
from sqlmodel import col

from govpatrol.core.findings import SPECS, check_names
from govpatrol.core.models import Scan, ScanStatus


def official_clause() -> ColumnElement[bool]:
    """The SQL condition for a scan that may be the site's official result."""
    return and_(col(Scan.status) == ScanStatus.done, col(Scan.complete).is_(True))


def is_complete(scan: Scan) -> bool:
    return scan.status == ScanStatus.done and bool(scan.complete)


def runs_every_check(checks: Iterable[str]) -> bool:
    """True when ``checks`` (check names) covers every check."""
    return set(check_names()) <= set(checks)


def checks_ran(scan: Scan) -> frozenset[str]:
    """The names of the checks that ran to the end in ``scan``.

    A scan stored before this was recorded: a done scan ran what its options asked for (every
    check unless ``--only``); any other scan (killed, failed) finished none.
    """
    if scan.checks is not None:
        return frozenset(scan.checks)
    if scan.status != ScanStatus.done:
        return frozenset()
    only = (scan.options or {}).get("checks")
    return frozenset(only) if only else frozenset(check_names())


def check_of(finding_check: str) -> str | None:
    """The check (name) that emits the finding id, or None for an id no spec declares."""
    spec = SPECS.get(finding_check)
    return spec.check if spec is not None else None


def rechecked(scan: Scan, finding_check: str) -> bool:
    """Did ``scan`` run the check that emits ``finding_check`` to the end? A finding id no
    check declares counts as re-checked only by a complete scan."""
    owner = check_of(finding_check)
    if owner is None:
        return is_complete(scan)
    return owner in checks_ran(scan)
