"""The official-indicator scorer: maps a scan's findings and availability probes onto a verdict.

Pure: it reads only the rows it is given (findings, probes, triage states) and the catalogue
of finding ids (govpatrol/core/findings/), and never touches the store, so the pipeline, the
reports and the tests all compute the same verdict from the same facts.

The rules (docs/CHECKS.md, 国办秘函〔2019〕19号):

* any single-veto (单项否决) indicator that fires makes the site 不合格, whatever its points;
* otherwise 100 points minus deductions, each indicator capped at its own total; < 60 → 不合格;
* a portal (门户网站) may add bonus points (up to 30) when it scores above 80.

The veto rules are official; every per-finding deduction weight is a configurable estimate
(the 2019 table's per-link weights were never verified from the primary text), and reports say
so through ``configurable_estimate``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from govpatrol.core.clock import office_date
from govpatrol.core.findings import (
    DEDUCTION_INDICATORS,
    INDICATOR_TITLES,
    SPECS,
    FindingSpec,
)
from govpatrol.core.settings import Thresholds

PASS = "合格"
FAIL = "不合格"

# Triage states that take a finding out of the score: a person said it is not a problem
# (false_positive) or that the column is legitimately unchanged (unchanged).
NOT_COUNTED_STATES = frozenset({"false_positive", "unchanged"})

# Points per finding, looked up as "check:severity", then "check", then "severity": each spec's
# own entries (govpatrol/core/findings/), then one weight per severity. Estimates chosen so one
# indicator cannot sink a site on its own through sheer page count (the caps below), while the
# problems an inspector would call out by name weigh most.
DEFAULT_WEIGHTS: dict[str, float] = {
    **{key: weight for spec in SPECS.values() for key, weight in spec.weight_entries()},
    "high": 1.0,
    "medium": 0.5,
    "low": 0.1,
}

DEFAULT_CAPS: dict[str, float] = {
    "links": 20.0,
    "documents": 15.0,
    "interpretation": 10.0,
    "accessibility": 10.0,
    "disclosure": 10.0,
    "security": 20.0,
    "identity": 10.0,
}

# Kept in the score JSON per indicator; the counts stay exact beyond it. A 20,000-page site can
# carry tens of thousands of accessibility findings and the score lives in one JSON column.
MAX_LISTED_FINDINGS = 500


@dataclass(frozen=True)
class ScoringConfig:
    """Deduction weights, caps and the portal bonus: every one a configurable estimate.

    A site overrides them with ``site.config["scoring"]`` =
    ``{"weights": {...}, "caps": {...}, "default_cap": …, "portal_bonus": …, …}``.
    """

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    caps: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_CAPS))
    default_cap: float = 10.0  # an indicator the table above does not know
    pass_mark: float = 60.0
    portal_bonus: float = 0.0  # awarded by a person (加分项); a crawler cannot judge it
    portal_bonus_max: float = 30.0
    portal_bonus_floor: float = 80.0  # bonus only when the points are above this

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any] | None) -> ScoringConfig:
        """Defaults with a site's overrides; weights and caps merge key by key."""
        if not overrides:
            return cls()
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown scoring option(s): {', '.join(sorted(unknown))}")
        base = cls()
        changes: dict[str, Any] = {}
        for key, value in overrides.items():
            if key in ("weights", "caps"):
                merged = dict(getattr(base, key))
                merged.update({str(k): float(v) for k, v in dict(value).items()})
                changes[key] = merged
            else:
                changes[key] = float(value)
        return replace(base, **changes)

    def weight_rule(self, check: str, severity: str) -> tuple[str, float]:
        """The weight key that applies and its points per finding."""
        for key in (f"{check}:{severity}", check, severity):
            if key in self.weights:
                return key, float(self.weights[key])
        return "medium", float(self.weights.get("medium", 0.5))

    def cap(self, indicator: str) -> float:
        return float(self.caps.get(indicator, self.default_cap))


@dataclass
class IndicatorResult:
    """One official indicator: a veto that fired or not, or a capped deduction."""

    id: str
    kind: str  # veto | deduction
    title_zh: str
    title_en: str
    rule: str
    rule_en: str
    count: int = 0
    fired: bool = False
    deducted: float = 0.0
    max: float | None = None
    uncapped: float = 0.0
    configurable_estimate: bool = False
    findings: list[str] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)  # deduction: per-check breakdown
    extra: dict[str, Any] = field(default_factory=dict)  # veto: counts behind the decision

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "kind": self.kind,
            "max": self.max,
            "count": self.count,
            # Sorted: the same findings give the same JSON, whatever order they were read in.
            "findings": sorted(self.findings)[:MAX_LISTED_FINDINGS],
            "findings_listed_all": len(self.findings) <= MAX_LISTED_FINDINGS,
            "configurable_estimate": self.configurable_estimate,
            "rule": self.rule,
            "rule_en": self.rule_en,
        }
        if self.kind == "veto":
            data["fired"] = self.fired
        else:
            data["deducted"] = self.deducted
            data["uncapped"] = self.uncapped
            data["lines"] = self.lines
        data.update(self.extra)
        return data


@dataclass
class ScoreResult:
    verdict: str
    points: float
    vetoes: list[str]
    indicators: list[IndicatorResult]
    bonus: float = 0.0
    pass_mark: float = 60.0
    as_of: dt.date | None = None

    def indicator(self, indicator_id: str) -> IndicatorResult | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "points": self.points,
            "vetoes": list(self.vetoes),
            # Under a veto the points are shown for information only (not the official score).
            "points_official": not self.vetoes,
            "bonus": self.bonus,
            "pass_mark": self.pass_mark,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "indicators": [i.to_dict() for i in self.indicators],
        }


@dataclass(frozen=True)
class _Counted:
    """The fields of a finding the scorer reads, from a store row or an export dict alike."""

    check: str
    severity: str
    page: str
    target: str
    detail: Mapping[str, Any]
    fingerprint: str


def _counted(finding: Any) -> _Counted:
    get = finding.get if isinstance(finding, Mapping) else lambda k: getattr(finding, k, None)
    return _Counted(
        check=str(get("check") or ""),
        severity=str(get("severity") or "medium"),
        page=str(get("page") or ""),
        target=str(get("target") or ""),
        detail=get("detail") or {},
        fingerprint=str(get("fingerprint") or ""),
    )


def needs_review(detail: Mapping[str, Any] | None) -> bool:
    """A finding a person must confirm first (e.g. a page that may not be a 规范性文件, a
    serious expression error): it is reported, but deducts nothing and fires no veto until
    someone marks it acknowledged (``CONFIRMED_STATE``)."""
    return bool(detail and detail.get("needs_review"))


def indicator_of(check: str, specs: Mapping[str, FindingSpec] = SPECS) -> str:
    """The indicator a finding id feeds: ``specs``' word first (a test's own), then the
    catalogue's; an id neither knows goes under "other"."""
    spec = specs.get(check) or SPECS.get(check)
    return spec.indicator if spec is not None else "other"


def indicator_titles(indicator: str) -> tuple[str, str]:
    return INDICATOR_TITLES.get(indicator, (indicator, indicator))


def _dedupe(findings: Iterable[_Counted]) -> list[_Counted]:
    """One entry per fingerprint (or per check/page/target when a fingerprint is missing)."""
    seen: set[tuple[str, ...]] = set()
    out: list[_Counted] = []
    for f in findings:
        key = (f.fingerprint,) if f.fingerprint else (f.check, f.page, f.target)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


@dataclass(frozen=True)
class Availability:
    probes: int
    failures: int
    required: int
    window_start: dt.date
    window_end: dt.date

    @property
    def enough(self) -> bool:
        return self.probes >= self.required and self.probes > 0

    @property
    def ratio(self) -> float | None:
        return self.failures / self.probes if self.probes else None


def availability(probes: Iterable[Any], *, as_of: dt.date, thresholds: Thresholds) -> Availability:
    """Probe counts over the rolling window of the office's days (Beijing by default,
    ``govpatrol.core.clock``) ending with ``as_of`` (inclusive). Probe times are stored in UTC."""
    days = max(1, thresholds.unreachable_window_days)
    start = as_of - dt.timedelta(days=days - 1)
    total = failures = 0
    for probe in probes:
        at = probe.get("at") if isinstance(probe, Mapping) else probe.at
        ok = probe.get("ok") if isinstance(probe, Mapping) else probe.ok
        if at is None or not start <= office_date(at) <= as_of:
            continue
        total += 1
        failures += 0 if ok else 1
    return Availability(total, failures, thresholds.probes_per_day_min * days, start, as_of)


def _at_least(count: float, threshold: float) -> bool:
    """≥ as the indicators mean it (超过（含）), immune to float noise such as 0.1 * 3."""
    return count >= threshold - 1e-9


def _veto(indicator: str, rule: str, rule_en: str) -> IndicatorResult:
    zh, en = indicator_titles(indicator)
    return IndicatorResult(indicator, "veto", zh, en, rule, rule_en)


def _veto_unreachable(
    found: list[_Counted], avail: Availability, thresholds: Thresholds
) -> IndicatorResult:
    pct = f"{thresholds.unreachable_veto_ratio:.0%}"
    days = thresholds.unreachable_window_days
    result = _veto(
        "site_unreachable",
        f"近{days}天首页每天探测不少于{thresholds.probes_per_day_min}次，"
        f"失败次数占比≥{pct}即单项否决",
        f"home page probed at least {thresholds.probes_per_day_min} times a day over "
        f"{days} days; veto when failures / probes ≥ {pct}",
    )
    by_probes = avail.enough and _at_least(
        avail.failures, thresholds.unreachable_veto_ratio * avail.probes
    )
    result.fired = by_probes or bool(found)
    result.count = avail.failures
    result.findings = [f.fingerprint for f in found]
    result.extra = {
        "probes": avail.probes,
        "failures": avail.failures,
        "ratio": round(avail.ratio, 4) if avail.ratio is not None else None,
        "required_probes": avail.required,
        "threshold": thresholds.unreachable_veto_ratio,
        "insufficient_data": not avail.enough,
        "window": [avail.window_start.isoformat(), avail.window_end.isoformat()],
        "fired_by_findings": bool(found) and not by_probes,
    }
    if not avail.enough:
        result.rule += f"（探测数据不足：{avail.probes}/{avail.required}次，未据探测判定）"
        result.rule_en += (
            f" (too few probes: {avail.probes}/{avail.required}; not decided by probes)"
        )
    return result


def _veto_any(indicator: str, found: list[_Counted], rule: str, rule_en: str) -> IndicatorResult:
    result = _veto(indicator, rule, rule_en)
    result.count = len(found)
    result.fired = bool(found)
    result.findings = [f.fingerprint for f in found]
    result.extra = {"threshold": 1}
    return result


# -- vetoes a person must confirm (expression_error) ----------------------------------------------
# A machine's match alone cannot tell a typo from a quotation: these indicators count only the
# findings a person marked acknowledged; the others wait for review and count nothing at all.
CONFIRMED_STATE = "acknowledged"
# The vetoes whose every finding needs review: only an acknowledged one counts.
CONFIRMED_VETOES = ("expression", "hacked")


# indicator → (rule, rule in English): the vetoes only a person's confirmation fires. Their
# findings always carry ``detail.needs_review``; the needs-review rule (counted nowhere) gives
# way here to the acknowledged mark, which is that review.
CONFIRMED_VETOES: dict[str, tuple[str, str]] = {
    "expression": (
        "经人工确认（已确认）的严重表述错误≥1处即单项否决；待人工确认的不扣分、不否决",
        "a serious expression error a person confirmed (acknowledged): veto; "
        "those awaiting review deduct nothing and fail nothing",
    ),
    "hacked": (
        "经人工确认（已确认）的暗链或挂马≥1处即单项否决；待人工确认的不扣分、不否决",
        "a dark link or injected code a person confirmed (acknowledged): veto; "
        "those awaiting review deduct nothing and fail nothing",
    ),
    "tampering": (
        "经人工确认（已确认）的页面篡改≥1处即单项否决；待人工确认的不扣分、不否决",
        "a tampered page a person confirmed (acknowledged): veto; "
        "those awaiting review deduct nothing and fail nothing",
    ),
    "backdating": (
        "经人工确认（已确认）的伪造发稿日期≥1篇即单项否决；待人工确认的不扣分、不否决",
        "a backdated article a person confirmed (acknowledged): veto; "
        "those awaiting review deduct nothing and fail nothing",
    ),
}


def _veto_confirmed(
    indicator: str,
    confirmed: list[_Counted],
    awaiting: list[_Counted],
    rule: str,
    rule_en: str,
) -> IndicatorResult:
    """A veto that only findings a person confirmed fire; ``awaiting`` are reported as such."""
    result = _veto_any(indicator, confirmed, rule, rule_en)
    result.extra = {"threshold": 1, "awaiting_review": len(awaiting)}
    return result


def _is_timeboxed(f: _Counted) -> bool:
    flag = f.detail.get("timeboxed")
    if flag is None:  # older rows: dynamic and notice columns are the time-boxed ones
        return f.detail.get("category") in ("dynamic", "notice")
    return bool(flag)


def _veto_stale(found: list[_Counted], thresholds: Thresholds) -> IndicatorResult:
    tb_min, lt_min = thresholds.stale_timeboxed_veto, thresholds.stale_longterm_veto
    result = _veto(
        "stale_columns",
        f"动态要闻类栏目{thresholds.dynamic_cadence_days}天、通知公告政策文件类栏目"
        f"{thresholds.notice_cadence_days}天未更新的合计≥{tb_min}个，"
        f"或应更新而长期未更新的栏目≥{lt_min}个，即单项否决",
        f"time-boxed stale columns (news {thresholds.dynamic_cadence_days} d, notices/policies "
        f"{thresholds.notice_cadence_days} d) ≥ {tb_min}, or all columns past their cadence "
        f"≥ {lt_min}: veto",
    )
    timeboxed = sum(1 for f in found if _is_timeboxed(f))
    # Long-term counts every column past its cadence, the time-boxed ones included (docs/CHECKS.md).
    longterm = len(found)
    result.count = longterm
    result.fired = _at_least(timeboxed, tb_min) or _at_least(longterm, lt_min)
    result.findings = [f.fingerprint for f in found]
    result.extra = {
        "timeboxed_count": timeboxed,
        "longterm_count": longterm,
        "threshold": {"timeboxed": tb_min, "longterm": lt_min},
    }
    return result


def _veto_blank(found: list[_Counted], thresholds: Thresholds) -> IndicatorResult:
    result = _veto(
        "blank_columns",
        f"自开设以来无任何信息的空白栏目≥{thresholds.blank_column_veto}个即单项否决",
        f"columns with no item since they were opened ≥ {thresholds.blank_column_veto}: veto",
    )
    result.count = len(found)
    result.fired = _at_least(len(found), thresholds.blank_column_veto)
    result.findings = [f.fingerprint for f in found]
    result.extra = {"threshold": thresholds.blank_column_veto}
    return result


def _link_lines(
    found: list[_Counted], thresholds: Thresholds, cfg: ScoringConfig
) -> list[dict[str, Any]]:
    """Broken links: a target counts once per page; home-page links weigh more."""
    home: set[tuple[str, str]] = set()
    other: set[tuple[str, str]] = set()
    rest: list[_Counted] = []
    for f in found:
        if f.check == "broken_link":
            (home if f.detail.get("on_home") else other).add((f.page, f.target))
        else:
            rest.append(f)
    lines = [
        _line("broken_link", "home_link_penalty", len(home), thresholds.home_link_penalty),
        _line("broken_link", "other_link_penalty", len(other), thresholds.other_link_penalty),
    ]
    return [ln for ln in lines if ln["count"]] + _weighted_lines(rest, cfg)


def _line(check: str, weight_key: str, count: int, weight: float) -> dict[str, Any]:
    """One reconcilable line: count × weight = points (before the indicator's cap)."""
    return {
        "check": check,
        "weight_key": weight_key,
        "count": count,
        "weight": weight,
        "points": round(count * weight, 4),
    }


def _weighted_lines(found: list[_Counted], cfg: ScoringConfig) -> list[dict[str, Any]]:
    counts: dict[tuple[str, str], int] = {}
    weights: dict[str, float] = {}
    for f in found:
        key, weight = cfg.weight_rule(f.check, f.severity)
        weights[key] = weight
        counts[(f.check, key)] = counts.get((f.check, key), 0) + 1
    return [_line(check, key, n, weights[key]) for (check, key), n in sorted(counts.items())]


_DEDUCTION_RULES: dict[str, tuple[str, str]] = {
    "links": (
        "首页每个不可用链接扣{home}分，其他页面每个扣{other}分（同一页面同一目标只计一次）",
        "{home} per broken link on the home page, {other} elsewhere (a target once per page)",
    ),
}


def _deduction(
    indicator: str, found: list[_Counted], thresholds: Thresholds, cfg: ScoringConfig
) -> IndicatorResult:
    zh, en = indicator_titles(indicator)
    cap = cfg.cap(indicator)
    rule_zh, rule_en = _DEDUCTION_RULES.get(
        indicator, ("每项问题按权重扣分", "points per finding by configured weight")
    )
    home, other = thresholds.home_link_penalty, thresholds.other_link_penalty
    result = IndicatorResult(
        indicator,
        "deduction",
        zh,
        en,
        rule_zh.format(home=home, other=other) + f"，本项最多扣{cap:g}分（权重为可配置估计值）",
        rule_en.format(home=home, other=other)
        + f"; at most {cap:g} points (weights are configurable estimates)",
        max=cap,
        configurable_estimate=True,
    )
    if indicator == "links":
        result.lines = _link_lines(found, thresholds, cfg)
    else:
        result.lines = _weighted_lines(found, cfg)
    result.count = len(found)
    result.findings = [f.fingerprint for f in found]
    result.uncapped = round(math.fsum(ln["points"] for ln in result.lines), 4)
    result.deducted = round(min(cap, result.uncapped), 2)
    return result


def score_scan(
    findings: Iterable[Any],
    probes: Iterable[Any],
    *,
    thresholds: Thresholds,
    is_portal: bool,
    as_of: dt.date,
    triage: Mapping[str, str] | None = None,
    config: ScoringConfig | None = None,
    specs: Mapping[str, FindingSpec] = SPECS,
) -> ScoreResult:
    """The verdict of one scan.

    ``findings``: Finding rows or dicts with check, severity, page, target, detail, fingerprint.
    ``probes``: Probe rows or dicts with ``at`` and ``ok`` (any range; the window is cut here).
    ``triage``: fingerprint → FindingState.state; false_positive and unchanged do not count,
    nor does a finding whose ``detail.needs_review`` is true until a person marks it
    acknowledged (then it counts like any other; the vetoes of ``CONFIRMED_VETOES`` count
    only such confirmed findings and report how many await review).
    ``specs``: finding id → FindingSpec (default: the catalogue).
    """
    cfg = config or ScoringConfig()
    triage = triage or {}
    grouped: dict[str, list[_Counted]] = {}
    awaiting: dict[str, list[_Counted]] = {}  # needs review, not yet confirmed by a person
    for f in _dedupe(_counted(x) for x in findings):
        state = triage.get(f.fingerprint)
        if state in NOT_COUNTED_STATES:
            continue
        unconfirmed = needs_review(f.detail) and state != CONFIRMED_STATE
        (awaiting if unconfirmed else grouped).setdefault(indicator_of(f.check, specs), []).append(
            f
        )

    avail = availability(probes, as_of=as_of, thresholds=thresholds)
    indicators = [
        _veto_unreachable(grouped.pop("site_unreachable", []), avail, thresholds),
        _veto_any(
            "home_not_updated",
            grouped.pop("home_not_updated", []),
            f"首页{thresholds.home_fresh_days}天内无更新（无可见日期视为未更新）即单项否决",
            f"no dated home-page item within {thresholds.home_fresh_days} days "
            "(items without a visible date count as not updated): veto",
        ),
        _veto_stale(grouped.pop("stale_columns", []), thresholds),
        _veto_blank(grouped.pop("blank_columns", []), thresholds),
        _veto_any(
            "interaction",
            grouped.pop("interaction", []),
            f"政务咨询类栏目近{thresholds.interaction_window_days}天的留言超过"
            f"{thresholds.unanswered_days}天未回复，或无咨询渠道，即单项否决",
            f"a consultation message of the last {thresholds.interaction_window_days} days "
            f"unanswered for over {thresholds.unanswered_days} days, or no channel: veto",
        ),
    ]
    indicators += [
        _veto_confirmed(
            indicator, grouped.pop(indicator, []), awaiting.get(indicator, []), rule, rule_en
        )
        for indicator, (rule, rule_en) in CONFIRMED_VETOES.items()
    ]
    order = [*DEDUCTION_INDICATORS, *sorted(k for k in grouped if k not in DEDUCTION_INDICATORS)]
    indicators += [
        _deduction(ind, grouped.get(ind, []), thresholds, cfg)
        for ind in order
        if ind in DEDUCTION_INDICATORS or grouped.get(ind)
    ]
    return _verdict(indicators, cfg, is_portal=is_portal, as_of=as_of)


def _verdict(
    indicators: list[IndicatorResult], cfg: ScoringConfig, *, is_portal: bool, as_of: dt.date
) -> ScoreResult:
    vetoes = [i.id for i in indicators if i.kind == "veto" and i.fired]
    points = round(100.0 - math.fsum(i.deducted for i in indicators if i.kind == "deduction"), 2)
    bonus = 0.0
    if is_portal and points > cfg.portal_bonus_floor:
        bonus = round(max(0.0, min(cfg.portal_bonus, cfg.portal_bonus_max)), 2)
        points = round(points + bonus, 2)
    passed = not vetoes and _at_least(points, cfg.pass_mark)
    return ScoreResult(
        verdict=PASS if passed else FAIL,
        points=points,
        vetoes=vetoes,
        indicators=indicators,
        bonus=bonus,
        pass_mark=cfg.pass_mark,
        as_of=as_of,
    )
