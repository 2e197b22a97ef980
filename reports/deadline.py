"""The rectification deadline (整改时限) the bulletin and the ledger give: N working days."""

from __future__ import annotations

import datetime as dt

from govpatrol.core.workdays import add_working_days

# Local practice, not a national rule: offices set their own with the ``working_days`` argument.
DEFAULT_WORKING_DAYS = 10


def rectification_deadline(
    day: dt.date, working_days: int = DEFAULT_WORKING_DAYS
) -> tuple[dt.date, bool]:
    """The last day to fix what a report of ``day`` lists, and whether Mon–Fri was assumed
    (the official holiday calendar does not cover that year)."""
    return add_working_days(day, working_days)
