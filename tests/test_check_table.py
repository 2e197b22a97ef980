"""The table of checks (checks/table.py) and the catalogue of finding ids
(govpatrol/core/findings/) agree, and every spec is complete enough for a report."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from checks.links import LinkCheck
from checks.table import CHECKS, all_checks, check_names
from govpatrol.core import findings
from govpatrol.core.findings import INDICATORS, SPECS
from govpatrol.core.settings import Thresholds
from govpatrol.core.types import ScanContext
from reports.i18n import CHECK_NAMES, EVIDENCE_KEYS
from scoring.scorer import DEFAULT_WEIGHTS, ScoringConfig

SEVERITIES = {"high", "medium", "low"}


def test_every_spec_is_owned_by_a_check_of_the_table_that_lists_it() -> None:
    by_name = {check.name: check for check in CHECKS}
    for spec in SPECS.values():
        assert spec.check in by_name, f"{spec.id}: owner {spec.check} is not in checks/table.py"
        assert spec.id in by_name[spec.check].findings, f"{spec.check} does not list {spec.id}"


def test_every_id_a_check_emits_has_a_spec_and_one_owner() -> None:
    listed = [finding_id for check in CHECKS for finding_id in check.findings]
    assert len(listed) == len(set(listed)), "an id is listed by two checks"
    assert set(listed) == set(SPECS)
    for check in CHECKS:
        assert check.findings, f"{check.name} names no finding id"
        for finding_id in check.findings:
            assert SPECS[finding_id].check == check.name


def test_the_check_names_below_the_checks_are_the_tables() -> None:
    assert findings.check_names() == check_names()
    assert len({check.name for check in CHECKS}) == len(CHECKS)
    assert [check.name for check in all_checks(["outbound", "availability"])] == [
        "availability",
        "outbound",
    ]  # table order, not the order asked for


def test_every_spec_says_what_a_report_needs() -> None:
    threshold_names = {field.name for field in dataclasses.fields(Thresholds)}
    for spec in SPECS.values():
        assert spec.indicator in INDICATORS and spec.indicator != "other", spec.id
        assert spec.severity in SEVERITIES, spec.id
        assert all((spec.title_zh, spec.title_en, spec.hint_zh, spec.hint_en)), spec.id
        assert set(spec.options) <= threshold_names, spec.id
        for field in spec.evidence:
            assert f"{spec.id}.{field}" in EVIDENCE_KEYS or field in EVIDENCE_KEYS, (spec.id, field)
        for section, text in dataclasses.asdict(spec.doc).items():
            assert text.strip(), f"{spec.id}: doc.{section} is empty"
        assert spec.check in CHECK_NAMES, spec.check


def test_the_default_weights_are_the_specs_own() -> None:
    for spec in SPECS.values():
        for key, weight in spec.weight_entries():
            assert DEFAULT_WEIGHTS[key] == weight
    cfg = ScoringConfig()
    assert cfg.weight_rule("validity_inconsistent", "low") == ("validity_inconsistent:low", 0.2)
    assert cfg.weight_rule("validity_inconsistent", "high") == ("validity_inconsistent", 1.0)
    assert cfg.weight_rule("elderly_friendly", "medium") == ("medium", 0.5)  # no weight of its own
    own = {key for spec in SPECS.values() for key, _ in spec.weight_entries()}
    assert set(DEFAULT_WEIGHTS) == own | SEVERITIES


def test_a_veto_spec_feeds_a_veto_indicator() -> None:
    vetoes = {spec.id for spec in SPECS.values() if spec.veto}
    assert vetoes == {
        "site_unreachable",
        "home_not_updated",
        "stale_column",
        "blank_column",
        "interaction_unanswered",
        "expression_error",
        "content_tampered",
        "backdated_article",
        "hidden_link",
        "injected_code",
    }


# Thresholds a finding's spec lists because they change how it is found or counted, but which
# another layer reads, not the check: each is named with the module that reads it.
READ_OUTSIDE_THE_CHECK = {
    "probe_timeout_s": "scheduler/probe.py",  # the probes site_unreachable counts
    "max_link_targets": "crawler/page_sink.py",  # targets past it are left unverified
    "home_link_penalty": "scoring/scorer.py",
    "other_link_penalty": "scoring/scorer.py",
    "blank_column_veto": "scoring/scorer.py",
    "stale_longterm_veto": "scoring/scorer.py",
    "stale_timeboxed_veto": "scoring/scorer.py",
}


def test_each_check_reads_the_options_its_findings_list() -> None:
    threshold_names = {field.name for field in dataclasses.fields(Thresholds)}
    for check in CHECKS:
        assert check.options_type is not None, f"{check.name} declares no options_type"
        own = {field.name for field in dataclasses.fields(check.options_type)}
        assert own <= threshold_names, (check.name, own - threshold_names)
        listed = set().union(*(SPECS[finding_id].options for finding_id in check.findings))
        elsewhere = listed - own
        assert elsewhere <= set(READ_OUTSIDE_THE_CHECK), (check.name, elsewhere)
        assert own == listed - elsewhere, (check.name, own ^ listed)


def test_the_options_read_outside_a_check_are_read_where_named() -> None:
    root = Path(__file__).resolve().parent.parent
    declared = {f.name for check in CHECKS for f in dataclasses.fields(check.options_type)}
    for name, module in READ_OUTSIDE_THE_CHECK.items():
        assert name not in declared, f"{name} is a check's own option now: drop it here"
        assert re.search(rf"\.{name}\b", (root / module).read_text(encoding="utf-8")), name


def test_a_check_sees_the_scans_thresholds_through_its_options() -> None:
    ctx = ScanContext(
        scan_id=1,
        site_id=1,
        site_url="http://127.0.0.1/",
        site_name="样例",
        as_of=dt.date(2026, 1, 5),
        thresholds=Thresholds(link_timeout_s=3.5, scan_budget_s=60.0),
    )
    options = LinkCheck().options(ctx)
    assert (options.link_timeout_s, options.scan_budget_s) == (3.5, 60.0)
    assert options.link_verify_budget_s == Thresholds().link_verify_budget_s
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.link_timeout_s = 1.0  # type: ignore[misc]
