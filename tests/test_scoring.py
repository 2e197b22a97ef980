"""The scorer on hand-built cases at each official threshold (pure: no store needed)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from govpatrol.core.findings import FindingDoc, FindingSpec
from govpatrol.core.models import Finding, Probe
from govpatrol.core.settings import Thresholds
from scoring.scorer import (
    FAIL,
    PASS,
    ScoringConfig,
    availability,
    indicator_of,
    score_scan,
)

AS_OF = dt.date(2026, 11, 22)
CST = dt.timezone(dt.timedelta(hours=8))
T = Thresholds()


def finding(check: str, n: int = 0, *, severity: str = "medium", **detail) -> Finding:
    """A Finding row (not stored) with a unique fingerprint per (check, n)."""
    page = detail.pop("page", f"http://127.0.0.1/{check}/{n}.html")
    target = detail.pop("target", None)
    return Finding(
        scan_id=1,
        check=check,
        severity=severity,
        page=page,
        target=target,
        message=check,
        detail=detail,
        fingerprint=f"{check}-{n}-{page}-{target}",
    )


def stale(n: int, *, timeboxed: bool) -> list[Finding]:
    category = "dynamic" if timeboxed else "personnel"
    return [
        finding(
            "stale_column", i + (0 if timeboxed else 1000), category=category, timeboxed=timeboxed
        )
        for i in range(n)
    ]


def probes(total: int, failures: int, *, day: dt.date = AS_OF) -> list[Probe]:
    """``total`` probes spread evenly over the 7 Beijing days ending ``day`` (naive UTC times)."""
    start = dt.datetime.combine(day - dt.timedelta(days=7), dt.time(16, 0))  # 00:00 Beijing
    step = dt.timedelta(days=7) / total
    return [Probe(site_id=1, at=start + step * i, ok=i >= failures) for i in range(total)]


def score(findings=(), probe_rows=(), **kw):
    kw.setdefault("thresholds", T)
    kw.setdefault("is_portal", False)
    kw.setdefault("as_of", AS_OF)
    kw.setdefault("specs", {})
    return score_scan(list(findings), list(probe_rows), **kw)


def test_clean_site_passes_with_full_points_and_says_probes_are_missing():
    result = score()
    assert result.verdict == PASS
    assert result.points == 100.0
    assert result.vetoes == []
    unreachable = result.indicator("site_unreachable")
    assert unreachable is not None and not unreachable.fired
    data = result.to_dict()
    json.dumps(data)  # JSON-serialisable
    ind = {i["id"]: i for i in data["indicators"]}
    assert ind["site_unreachable"]["insufficient_data"] is True
    assert "探测数据不足" in ind["site_unreachable"]["rule"]
    assert {i["kind"] for i in data["indicators"]} == {"veto", "deduction"}
    for item in data["indicators"]:
        assert {"id", "title_zh", "title_en", "kind", "max", "count", "findings"} <= set(item)
        assert {"configurable_estimate", "rule"} <= set(item)
        assert ("fired" in item) == (item["kind"] == "veto")
        assert ("deducted" in item) == (item["kind"] == "deduction")


@pytest.mark.parametrize(("count", "vetoed"), [(4, False), (5, True)])
def test_timeboxed_stale_columns_veto_at_five(count, vetoed):
    result = score(stale(count, timeboxed=True))
    assert ("stale_columns" in result.vetoes) is vetoed
    assert result.verdict == (FAIL if vetoed else PASS)
    assert result.indicator("stale_columns").extra["timeboxed_count"] == count


@pytest.mark.parametrize(("count", "vetoed"), [(9, False), (10, True)])
def test_longterm_stale_columns_veto_at_ten(count, vetoed):
    result = score(stale(count, timeboxed=False))
    assert ("stale_columns" in result.vetoes) is vetoed


def test_longterm_count_includes_timeboxed_columns():
    # 4 time-boxed (below 5) + 5 others = 9 long-term: no veto; one more long-term: veto.
    assert score(stale(4, timeboxed=True) + stale(5, timeboxed=False)).vetoes == []
    result = score(stale(4, timeboxed=True) + stale(6, timeboxed=False))
    assert result.vetoes == ["stale_columns"]
    assert result.indicator("stale_columns").extra == {
        "timeboxed_count": 4,
        "longterm_count": 10,
        "threshold": {"timeboxed": 5, "longterm": 10},
    }


def test_timeboxed_inferred_from_category_when_flag_missing():
    rows = [finding("stale_column", i, category="notice") for i in range(5)]
    assert score(rows).vetoes == ["stale_columns"]


@pytest.mark.parametrize(("count", "vetoed"), [(4, False), (5, True)])
def test_blank_columns_veto_at_five(count, vetoed):
    result = score([finding("blank_column", i) for i in range(count)])
    assert ("blank_columns" in result.vetoes) is vetoed


@pytest.mark.parametrize(("failures", "vetoed"), [(8, False), (9, False), (10, True), (11, True)])
def test_unreachable_veto_at_five_percent(failures, vetoed):
    # 200 probes: 8 = 4 %, 9 = 4.5 %, 10 = 5 % (≥ fires), 11 = 5.5 %.
    result = score(probe_rows=probes(200, failures))
    ind = result.indicator("site_unreachable")
    assert ind.fired is vetoed
    assert ind.extra["probes"] == 200 and ind.extra["failures"] == failures
    assert ind.extra["insufficient_data"] is False


def test_unreachable_not_decided_with_too_few_probes():
    # 100 probes < 20 a day × 7 days: half failing still does not veto, and it says why.
    result = score(probe_rows=probes(100, 50))
    ind = result.indicator("site_unreachable")
    assert not ind.fired
    assert ind.extra["insufficient_data"] is True
    assert ind.extra["required_probes"] == 140
    # A lower configured minimum makes the same data decisive.
    lenient = Thresholds.from_overrides({"probes_per_day_min": 10})
    assert score(probe_rows=probes(100, 50), thresholds=lenient).vetoes == ["site_unreachable"]


def test_probe_window_uses_beijing_days():
    # 23:30 Beijing on as_of (15:30 UTC) is inside; 00:30 Beijing the next day (16:30 UTC) is not;
    # nor is anything before the 7-day window.
    inside = Probe(site_id=1, at=dt.datetime(2026, 11, 22, 15, 30), ok=False)
    next_day = Probe(site_id=1, at=dt.datetime(2026, 11, 22, 16, 30), ok=False)
    aware = Probe(site_id=1, at=dt.datetime(2026, 11, 16, 0, 30, tzinfo=CST), ok=True)
    too_old = Probe(site_id=1, at=dt.datetime(2026, 11, 15, 15, 0), ok=False)  # 23:00 on 15th
    avail = availability([inside, next_day, aware, too_old], as_of=AS_OF, thresholds=T)
    assert (avail.probes, avail.failures) == (2, 1)
    assert avail.window_start == dt.date(2026, 11, 16)


def test_unreachable_finding_fires_the_veto_without_probes():
    result = score([finding("site_unreachable", 1, severity="high")])
    assert result.vetoes == ["site_unreachable"]
    assert result.indicator("site_unreachable").extra["fired_by_findings"] is True


def test_home_not_updated_and_interaction_are_single_vetoes():
    result = score([finding("home_not_updated", 1), finding("interaction_unanswered", 1)])
    assert result.vetoes == ["home_not_updated", "interaction"]
    assert result.verdict == FAIL
    assert result.points == 100.0
    assert result.to_dict()["points_official"] is False


def test_false_positive_and_unchanged_do_not_count():
    rows = stale(5, timeboxed=True)
    triage = {rows[0].fingerprint: "false_positive"}
    assert score(rows, triage=triage).vetoes == []
    triage = {rows[0].fingerprint: "unchanged"}
    assert score(rows, triage=triage).vetoes == []
    triage = {rows[0].fingerprint: "acknowledged"}  # acknowledged still counts
    assert score(rows, triage=triage).vetoes == ["stale_columns"]
    home = finding("home_not_updated", 1)
    assert score([home], triage={home.fingerprint: "false_positive"}).verdict == PASS


def test_needs_review_findings_deduct_nothing_and_fire_no_veto():
    docs = [
        finding("missing_validity_label", i, severity="low", needs_review=True) for i in range(40)
    ]
    result = score(docs, specs={})
    documents = result.indicator("documents")
    assert result.points == 100.0 and documents is not None and documents.deducted == 0
    assert documents.count == 0
    # the same findings once a person (or the classifier) says the pages are normative
    decided = [finding("missing_validity_label", i, severity="low") for i in range(40)]
    assert score(decided, specs={}).points < 100.0
    # a veto finding a person must confirm fires no veto
    rows = [finding("stale_column", i, category="dynamic", timeboxed=True, needs_review=True)
            for i in range(5)]  # fmt: skip
    assert score(rows).vetoes == []
    assert score(stale(5, timeboxed=True)).vetoes == ["stale_columns"]


def broken(n: int, *, on_home: bool, page: str | None = None) -> list[Finding]:
    return [
        finding(
            "broken_link",
            i,
            page=page or f"http://127.0.0.1/p{i}.html",
            target=f"http://127.0.0.1/gone{i}.pdf",
            on_home=on_home,
        )
        for i in range(n)
    ]


def test_link_deductions_home_and_other():
    home = broken(3, on_home=True, page="http://127.0.0.1/")
    # The same (page, target) reported twice under another fingerprint counts once.
    dup = finding("broken_link", 99, page=home[0].page, target=home[0].target, on_home=True)
    result = score([*home, dup, *broken(7, on_home=False)])
    links = result.indicator("links")
    assert links.deducted == pytest.approx(3 * 1.0 + 7 * 0.1)
    assert result.points == pytest.approx(100 - 3.7)
    assert {ln["weight_key"]: ln["count"] for ln in links.lines} == {
        "home_link_penalty": 3,
        "other_link_penalty": 7,
    }
    assert links.configurable_estimate is True


def test_indicator_cap():
    result = score(broken(300, on_home=False))  # 30 points uncapped
    links = result.indicator("links")
    assert links.uncapped == pytest.approx(30.0)
    assert links.deducted == 20.0 and links.max == 20.0
    assert result.points == 80.0


@pytest.mark.parametrize(("count", "points", "verdict"), [(401, 59.9, FAIL), (400, 60.0, PASS)])
def test_pass_mark_at_sixty(count, points, verdict):
    cfg = ScoringConfig.from_overrides({"caps": {"links": 100}})
    result = score(broken(count, on_home=False), config=cfg)
    assert result.points == points
    assert result.verdict == verdict


def test_points_add_up_across_indicators():
    rows = [
        *broken(2, on_home=True),
        *[finding("missing_validity_label", i) for i in range(3)],
        finding("missing_document_fields", 1, severity="low"),
        *[finding("accessibility", i, rule="image-alt") for i in range(4)],
    ]
    result = score(rows)
    deducted = {i.id: i.deducted for i in result.indicators if i.kind == "deduction"}
    assert deducted["links"] == 2.0
    assert deducted["documents"] == pytest.approx(3 * 1.0 + 0.1)
    assert deducted["accessibility"] == pytest.approx(0.4)
    assert result.points == pytest.approx(100 - 2 - 3.1 - 0.4)
    doc_lines = {ln["weight_key"]: ln["count"] for ln in result.indicator("documents").lines}
    assert doc_lines == {"missing_validity_label": 3, "missing_document_fields:low": 1}


def test_template_rollups_are_listed_but_not_deducted_twice():
    pages = [finding("accessibility", i, rule="image-alt", template="t1") for i in range(3)]
    rollup = finding("accessibility_template", 1, severity="low", rule="image-alt", template="t1")
    acc = score([*pages, rollup]).indicator("accessibility")
    assert acc.count == 4
    assert acc.deducted == pytest.approx(0.3)


def test_portal_bonus_only_when_configured_and_above_eighty():
    cfg = ScoringConfig.from_overrides({"portal_bonus": 10})
    assert score(is_portal=True).points == 100.0  # default: no bonus
    assert score(is_portal=True, config=cfg).points == 110.0
    assert score(is_portal=False, config=cfg).points == 100.0
    # Exactly 80 is not above 80.
    at_80 = score(broken(20, on_home=True), is_portal=True, config=cfg)
    assert at_80.points == 80.0 and at_80.bonus == 0.0
    above = score(broken(199, on_home=False), is_portal=True, config=cfg)
    assert above.points == pytest.approx(80.1 + 10)
    capped = ScoringConfig.from_overrides({"portal_bonus": 50})
    assert score(is_portal=True, config=capped).bonus == 30.0


def test_unknown_ids_never_crash_and_still_show():
    specs = {"usability_issue": _spec("usability_issue", "usability", "low")}
    rows = [finding("brand_new_check", 1, severity="high"), finding("usability_issue", 1)]
    result = score(rows, specs=specs)
    assert result.indicator("other").deducted == 1.0  # severity default for high
    usability = result.indicator("usability")
    assert usability.count == 1 and usability.title_zh == "usability"
    assert result.verdict == PASS


def _spec(finding_id: str, indicator: str, severity: str) -> FindingSpec:
    doc = FindingDoc(what="", basis="", example="", fix="", false_positives="")
    return FindingSpec(
        finding_id, "test", indicator, severity, "易用性", "Usability", "改", "fix", doc
    )


def test_a_given_spec_wins_over_the_catalogue():
    specs = {"broken_link": _spec("broken_link", "security", "high")}
    assert indicator_of("broken_link", specs) == "security"
    assert indicator_of("broken_link", {}) == "links"
    assert indicator_of("broken_link") == "links"
    # The real catalogue never breaks the scorer.
    assert score_scan([], [], thresholds=T, is_portal=False, as_of=AS_OF).verdict == PASS


def test_export_dicts_score_like_rows():
    rows = [*broken(2, on_home=True), *stale(5, timeboxed=True)]
    as_dicts = [r.model_dump() for r in rows]
    assert score(as_dicts).to_dict() == score(rows).to_dict()


def test_config_overrides_validate_and_merge():
    cfg = ScoringConfig.from_overrides({"weights": {"accessibility": 0.5}, "pass_mark": 70})
    assert cfg.weight_rule("accessibility", "low") == ("accessibility", 0.5)
    assert cfg.weight_rule("missing_validity_label", "high") == ("missing_validity_label", 1.0)
    assert cfg.pass_mark == 70.0
    with pytest.raises(ValueError, match="unknown scoring option"):
        ScoringConfig.from_overrides({"pasmark": 70})


def test_listed_findings_are_bounded_but_counts_exact():
    rows = [finding("accessibility", i, rule="image-alt") for i in range(1200)]
    data = score(rows).to_dict()
    acc = next(i for i in data["indicators"] if i["id"] == "accessibility")
    assert acc["count"] == 1200
    assert len(acc["findings"]) == 500 and acc["findings_listed_all"] is False
    assert acc["deducted"] == 10.0
