"""The table of checks, in the order their site hooks run: the one place a check is enabled.

An explicit list rather than registration by import: reading this file tells what a scan runs,
and nothing depends on which module happened to be imported first.
"""

from __future__ import annotations

from checks.accessibility import AccessibilityCheck
from checks.availability import AvailabilityCheck
from checks.disclosure import DisclosureCheck
from checks.documents import DocumentCheck
from checks.expression import ExpressionCheck
from checks.freshness import FreshnessCheck
from checks.identity import IdentityCheck
from checks.injection import InjectionCheck
from checks.interaction import InteractionCheck
from checks.links import LinkCheck
from checks.outbound import OutboundCheck
from checks.personal_data import PersonalDataCheck
from checks.required_pages import RequiredPagesCheck
from checks.tampering import TamperingCheck
from govpatrol.core.types import Check

CHECKS: tuple[type[Check], ...] = (
    AvailabilityCheck,  # cheap, and independent of every other check
    LinkCheck,  # link outcomes feed reports and other site checks: settle them first
    FreshnessCheck,
    DocumentCheck,
    DisclosureCheck,  # after the document check's rows exist (they come from the crawl)
    InteractionCheck,
    RequiredPagesCheck,
    AccessibilityCheck,
    PersonalDataCheck,
    OutboundCheck,
    IdentityCheck,  # its probes contact only the site's own host, once per scan
    ExpressionCheck,  # page hook only: its place here orders nothing
    TamperingCheck,  # compares with the previous complete scan: reads rows the others wrote
    InjectionCheck,  # after outbound; its cloaking probes contact only the site's own host
)


def all_checks(only: list[str] | tuple[str, ...] | None = None) -> list[Check]:
    """Every check in site-hook order, or just those named in ``only``."""
    table = CHECKS  # read at call time: a test may add a check of its own
    if only is not None:
        unknown = set(only) - {c.name for c in table}
        if unknown:
            raise ValueError(f"unknown check(s): {', '.join(sorted(unknown))}")
        table = tuple(c for c in table if c.name in only)
    return [cls() for cls in table]


def check_names() -> list[str]:
    return sorted(c.name for c in CHECKS)
