"""What a scan's budgets cut (``scan.stats["cut"]``, see govpatrol/core/budgets.py), in words for the
site report, Chinese by default and English complete.

Only numbers and budget settings are shown, never a crawled URL: the words cannot carry
anything a site wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TITLE = (
    "本次巡检受预算限制，以下内容未完整检查：",
    "This scan hit its budgets; the following was not fully checked:",
)
# reason → (Chinese, English); placeholders are the cut's count and detail
WORDS: dict[str, tuple[str, str]] = {
    "robots_txt": (
        "robots.txt 过大：只读取了前 {bytes_read} 字节中的 {rules_read} 条规则（上限 {max_bytes} 字节、"
        "{max_rules} 条），其后的规则未遵循",
        "robots.txt too large: only {rules_read} rules in its first {bytes_read} bytes were read "
        "(limits {max_bytes} bytes, {max_rules} rules); the rules after them were not obeyed",
    ),
    "robots_txt_unread": (
        "robots.txt 超过下载上限，未能读取，其规则均未遵循",
        "robots.txt was larger than the download limit and could not be read: none of its "
        "rules were obeyed",
    ),
    "page_links": (
        "{pages} 个页面的链接超过每页上限（{limit} 个）：{count} 个链接未提取、未核查",
        "{pages} page(s) carried more links than the per-page limit ({limit}): {count} links "
        "were not taken or verified",
    ),
    "link_targets": (
        "链接目标超过每次扫描上限（{limit} 个）：{count} 处链接未核查，其中 {listed} 个目标列入"
        "“无法核实的链接”",
        "Link targets exceeded the per-scan limit ({limit}): {count} links were not verified; "
        "{listed} of their targets are listed under links that could not be verified",
    ),
    "max_pages": (
        "页面数达到上限（{limit} 页），其后发现的页面未抓取（跳过 {count} 次）",
        "The page limit ({limit}) was reached; pages found after it were not crawled "
        "({count} skipped)",
    ),
    "crawl_time": (
        "抓取时间预算（{budget_s} 秒）用完：{count} 个已发现的页面未抓取",
        "The crawl's time budget ({budget_s} s) ran out: {count} pages found were not crawled",
    ),
    "link_verify_time": (
        "链接核查时间预算（{budget_s} 秒）用完：{count} 个链接目标未核查",
        "The link verification time budget ({budget_s} s) ran out: {count} link targets were "
        "not verified",
    ),
    "scan_time": (
        "扫描总时间预算（{budget_s} 秒）用完，扫描提前结束{skipped}",
        "The whole-scan time budget ({budget_s} s) ran out and the scan ended early{skipped}",
    ),
}
SKIPPED = ("；未运行的检查：{names}", "; checks not run: {names}")
UNKNOWN = ("{reason}：{count} 项", "{reason}: {count}")


@dataclass(frozen=True)
class CutSummary:
    title: str
    lines: list[str]


def cut_summary(stats: Mapping[str, Any] | None, lang: str = "zh") -> CutSummary | None:
    """The scan's cuts as sentences, or None when nothing was cut."""
    cuts = (stats or {}).get("cut") or {}
    if not cuts:
        return None
    pick = 1 if lang == "en" else 0
    lines = [_sentence(reason, cut or {}, pick) for reason, cut in sorted(cuts.items())]
    return CutSummary(TITLE[pick], lines)


def _sentence(reason: str, cut: Mapping[str, Any], pick: int) -> str:
    values = {key: _shown(value) for key, value in cut.items()}
    names = cut.get("skipped_checks")
    values["skipped"] = SKIPPED[pick].format(names=", ".join(map(str, names))) if names else ""
    words = WORDS.get(f"{reason}_unread" if cut.get("unread") else reason)
    if words is not None:
        try:
            return words[pick].format(**values)
        except KeyError:  # recorded without some detail (another version): say what is known
            pass
    return UNKNOWN[pick].format(reason=reason, count=values.get("count", "?"))


def _shown(value: Any) -> Any:
    """Counts with thousands separators, seconds without a needless ``.0``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,g}"
    return value
