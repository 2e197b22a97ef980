"""The catalogue of every finding id: one ``FindingSpec`` each, owned by the check that emits it.

It sits at the bottom of the house so every layer (the writer, the scorer, reports, the
dashboard) can read a finding's facts without importing the checks. Assembled here by hand,
owner by owner: importing a module registers nothing.
"""

from __future__ import annotations

from govpatrol.core.findings import (
    accessibility,
    availability,
    disclosure,
    documents,
    expression,
    freshness,
    identity,
    injection,
    interaction,
    links,
    outbound,
    personal_data,
    required_pages,
    tampering,
)
from govpatrol.core.findings.indicators import (
    DEDUCTION_INDICATORS,
    INDICATOR_TITLES,
    INDICATORS,
    VETO_INDICATORS,
    Indicator,
)
from govpatrol.core.findings.spec import FindingDoc, FindingSpec

__all__ = [
    "DEDUCTION_INDICATORS",
    "INDICATORS",
    "INDICATOR_TITLES",
    "SPECS",
    "VETO_INDICATORS",
    "FindingDoc",
    "FindingSpec",
    "Indicator",
    "check_names",
]


def _catalogue() -> dict[str, FindingSpec]:
    specs: dict[str, FindingSpec] = {}
    for spec in (
        *availability.SPECS,
        *freshness.SPECS,
        *interaction.SPECS,
        *links.SPECS,
        *documents.SPECS,
        *accessibility.SPECS,
        *required_pages.SPECS,
        *disclosure.SPECS,
        *personal_data.SPECS,
        *outbound.SPECS,
        *identity.SPECS,
        *expression.SPECS,
        *tampering.SPECS,
        *injection.SPECS,
    ):
        if spec.id in specs:
            raise ValueError(f"finding id {spec.id} is specified twice")
        specs[spec.id] = spec
    return specs


# Keyed by finding id; the order carries no meaning (reports sort findings themselves).
SPECS: dict[str, FindingSpec] = _catalogue()


def check_names() -> list[str]:
    """The names of every check, sorted: the owners of the specs. tests/test_check_table.py
    keeps them equal to checks/table.py, so layers below the checks can count what a complete
    scan runs."""
    return sorted({spec.check for spec in SPECS.values()})
