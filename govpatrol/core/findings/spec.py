"""What one finding id is: its owner, indicator, severity, weights, words and doc page."""

from __future__ import annotations

from dataclasses import dataclass

from govpatrol.core.findings.indicators import INDICATORS


@dataclass(frozen=True)
class FindingDoc:
    """The page docs/checks/<id>.md says about a finding id (in Chinese, the readers' language)."""

    what: str  # what the check looks for
    basis: str  # why it matters: the clause of the official indicators it applies
    example: str  # a page or a link that gets the finding
    fix: str  # how a webmaster clears it
    false_positives: str  # when it fires on a page that is fine, and what to do then


@dataclass(frozen=True)
class FindingSpec:
    """Everything the project knows about one finding id, in one place.

    ``check`` names the check (checks/table.py) that emits the id; ``weight`` and
    ``severity_weights`` are its default deduction weights (scoring/scorer.py looks them up as
    "id:severity", then "id", then the severity); ``evidence`` names the ``finding.detail``
    fields it writes (labelled in reports/i18n.py EVIDENCE_KEYS); ``options`` the thresholds
    (govpatrol/core/settings.py Thresholds) that change what it finds or how it counts.

    The message itself is written by the check, in Chinese, from the evidence; its English
    sentence is ``reports.messages.ENGLISH[id]`` (it needs the reports' vocabulary, a layer
    above this one). tests/test_finding_fixtures.py renders it from each id's firing fixture.
    """

    id: str
    check: str
    indicator: str
    severity: str  # default severity: high | medium | low
    title_zh: str
    title_en: str
    hint_zh: str  # how to fix, one paragraph, as reports print it
    hint_en: str
    doc: FindingDoc
    weight: float | None = None  # None: the severity's weight
    severity_weights: tuple[tuple[str, float], ...] = ()  # (severity, weight) overrides
    weight_note: str = ""  # how the scorer counts it when not by the weight table
    evidence: tuple[str, ...] = ()
    options: tuple[str, ...] = ()

    @property
    def veto(self) -> bool:
        """Does the indicator it feeds fail a site on its own (单项否决)?"""
        return INDICATORS[self.indicator].veto

    def weight_entries(self) -> list[tuple[str, float]]:
        """Its entries of the default weight table, keyed as the scorer looks them up."""
        entries = [] if self.weight is None else [(self.id, self.weight)]
        entries += [(f"{self.id}:{severity}", w) for severity, w in self.severity_weights]
        return entries
