"""The link check's options: the thresholds it reads, in a module of their own because both the
check (checks/links.py) and the budgets it settles links within (checks/link_settle.py) read
them, and links imports link_settle."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LinkOptions:
    """The thresholds the link check reads: the fetch timeout and the two budgets that
    bound verification."""

    link_timeout_s: float
    link_verify_budget_s: float
    scan_budget_s: float
