"""The order a scan's findings are listed in: first things first.

A webmaster with a hundred findings fixes what decides the verdict first: findings of a
single veto that fired, then of the other single-veto indicators (one more could fire next
week), then by severity, then by check and page. The order is SQL, so a page of the list
is the right page however many findings the scan has.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case
from sqlmodel import col

from govpatrol.core.findings import SPECS, VETO_INDICATORS
from govpatrol.core.models import Finding, Scan

SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}


def finding_order(scan: Scan) -> list[Any]:
    """ORDER BY terms: fired veto → other veto → deduction, then severity, check, page, id."""
    fired = set((scan.score or {}).get("vetoes") or ())
    fired_checks = sorted(s.id for s in SPECS.values() if s.indicator in fired)
    veto_checks = sorted(s.id for s in SPECS.values() if s.indicator in VETO_INDICATORS)
    veto_rank = case(
        (col(Finding.check).in_(fired_checks), 0),
        (col(Finding.check).in_(veto_checks), 1),
        else_=2,
    )
    severity_rank = case(SEVERITY_RANK, value=col(Finding.severity), else_=len(SEVERITY_RANK))
    return [veto_rank, severity_rank, col(Finding.check), col(Finding.page), col(Finding.id)]
