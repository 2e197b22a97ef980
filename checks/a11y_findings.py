"""What the accessibility check's findings say: their ids, severities and Chinese titles,
and the findings built from a static page audit, a browser audit (适老化 items) and a
template roll-up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from checks.a11y_care_entry import CARE_MODE_KEYWORDS
from checks.a11y_sample import SamplePage
from checks.a11y_static.report import RuleResult
from checks.a11y_static.rules import RULES
from checks.a11y_static.wcag import STANDARD_SUFFIX, wcag_label
from crawler.browser_results import PageAudit
from govpatrol.core.types import FindingData

ACCESSIBILITY = "accessibility"
ELDERLY = "elderly_friendly"
TEMPLATE_ROLLUP = "accessibility_template"

ELDERLY_STANDARD = "《互联网网站适老化通用设计规范》; " + STANDARD_SUFFIX

_IMPACT_SEVERITY = {"critical": "high", "serious": "medium", "moderate": "low", "minor": "low"}

# Chinese titles for axe rules the browser finds that have no static twin.
_AXE_TITLES_ZH = {
    "color-contrast": "文字与背景颜色对比度不足",
    "list": "列表（ul/ol）结构不正确",
    "listitem": "列表项（li）不在列表中",
    "definition-list": "定义列表（dl）结构不正确",
    "dlitem": "dt/dd 不在 dl 中",
    "nested-interactive": "交互控件相互嵌套",
    "scrollable-region-focusable": "可滚动区域无法用键盘访问",
    "aria-allowed-attr": "元素使用了其角色不允许的 ARIA 属性",
    "aria-required-attr": "缺少角色必需的 ARIA 属性",
    "aria-required-children": "ARIA 角色缺少必需的子元素",
    "aria-required-parent": "ARIA 角色不在必需的父元素中",
    "aria-valid-attr-value": "ARIA 属性值无效",
    "aria-hidden-focus": "aria-hidden 区域内含可聚焦元素",
    "aria-command-name": "ARIA 按钮/链接/菜单项没有可识别的名称",
    "aria-input-field-name": "ARIA 输入框没有可识别的名称",
    "aria-toggle-field-name": "ARIA 开关控件没有可识别的名称",
    "aria-tooltip-name": "ARIA 提示没有可识别的名称",
    "aria-progressbar-name": "ARIA 进度条没有可识别的名称",
    "aria-meter-name": "ARIA 计量器没有可识别的名称",
    "aria-dialog-name": "ARIA 对话框没有可识别的名称",
    "autocomplete-valid": "autocomplete 属性值无效",
    "link-in-text-block": "正文中的链接仅靠颜色与文字区分",
    "td-headers-attr": "表格单元格的 headers 属性引用无效",
    "th-has-data-cells": "表头单元格没有对应的数据单元格",
    "frame-focusable-content": "tabindex=-1 的框架内含可聚焦内容",
    "no-autoplay-audio": "音频自动播放且无法停止",
    "video-caption": "视频缺少字幕",
    "form-field-multiple-labels": "表单控件有多个标签",
    "object-alt": "嵌入对象（object）缺少替代文本",
    "frame-title-unique": "多个框架的标题相同",
    "target-size": "可点击目标过小",
}


def rule_title_zh(rule: str, fallback: str = "") -> str:
    if rule in RULES:
        return RULES[rule][0].title_zh
    return _AXE_TITLES_ZH.get(rule) or fallback or rule


def severity_of(impact: str | None) -> str:
    return _IMPACT_SEVERITY.get(impact or "", "medium")


def static_finding(url: str, result: RuleResult, template: str) -> FindingData:
    return FindingData(
        check=ACCESSIBILITY,
        page=url,
        message=f"{result.title_zh}（{result.nodes} 处；{result.wcag}）",
        severity=severity_of(result.impact),
        key=(result.rule,),
        detail={
            "rule": result.rule,
            "impact": result.impact,
            "nodes": result.nodes,
            "selector": result.selector,
            "snippet": result.snippet,
            "wcag": result.wcag,
            "standard": result.standard,
            "help": result.help_en,
            "source": "static",
            "template": template,
            **result.evidence,
        },
    )


def care_entry_finding(url: str, template: str | None) -> FindingData:
    return FindingData(
        check=ELDERLY,
        page=url,
        message="首页未找到“无障碍 / 关怀版（长者模式）”入口",
        key=("care_mode_entry",),
        detail={
            "item": "care_mode_entry",
            "keywords": list(CARE_MODE_KEYWORDS),
            "wcag": "",
            "standard": ELDERLY_STANDARD,
            "source": "static",
            "template": template,
        },
    )


def static_ads_finding(url: str, ads: list[dict[str, str]], template: str) -> FindingData:
    return FindingData(
        check=ELDERLY,
        page=url,
        message=f"页面含广告脚本或广告位（{len(ads)} 处）",
        key=("ad_script",),
        detail={
            "item": "ad_script",
            "ads": ads[:10],
            "count": len(ads),
            "wcag": "",
            "standard": ELDERLY_STANDARD,
            "source": "static",
            "template": template,
        },
    )


def rollup_finding(
    template: str, rule: str, urls: list[str], total: int, example: dict[str, Any]
) -> FindingData:
    title = rule_title_zh(rule, example.get("help") or "")
    return FindingData(
        check=TEMPLATE_ROLLUP,
        page=urls[0],
        message=f"模板问题：{title}（同一模板 {len(urls)}/{total} 个已检页面）",
        severity=severity_of(example.get("impact")),
        key=(template, rule),
        detail={
            "rule": rule,
            "template": template,
            "template_pages": total,
            "failing_pages": len(urls),
            "sample_pages": urls[:5],
            "impact": example.get("impact"),
            "wcag": example.get("wcag"),
            "standard": example.get("standard"),
            "selector": example.get("selector"),
            "snippet": example.get("snippet"),
        },
    )


def _elderly(
    item: SamplePage,
    template_pages: Counter[str],
    key: str,
    message: str,
    wcag: tuple[str, ...],
    extra: dict[str, Any],
) -> FindingData:
    return FindingData(
        check=ELDERLY,
        page=item.url,
        message=message,
        key=(key,),
        detail={
            "item": key,
            "wcag": wcag_label(wcag) if wcag else "",
            "standard": (
                f"WCAG 2.1 {', '.join(wcag)}; {ELDERLY_STANDARD}" if wcag else ELDERLY_STANDARD
            ),
            "source": "browser",
            "template": item.template,
            "template_pages": template_pages.get(item.template or "", 0),
            **extra,
        },
    )


def elderly_findings(
    item: SamplePage, result: PageAudit, template_pages: Counter[str]
) -> Iterator[FindingData]:
    if result.popups:
        kinds = sorted({p.kind for p in result.popups})
        yield _elderly(
            item,
            template_pages,
            "popup_on_load",
            f"页面打开时出现弹窗/飘窗（{len(result.popups)} 个：{'、'.join(kinds)}）",
            ("2.2.2",) if "floating" in kinds else (),
            {"popups": [vars(p) for p in result.popups]},
        )
    if result.ad_scripts:
        yield _elderly(
            item,
            template_pages,
            "ad_script",
            f"页面含广告脚本或广告位（{len(result.ad_scripts)} 处）",
            (),
            {"ads": [vars(a) for a in result.ad_scripts[:10]], "count": len(result.ad_scripts)},
        )
    walk = result.tab_walk
    if walk is not None and walk.no_focus_indicator:
        yield _elderly(
            item,
            template_pages,
            "focus_not_visible",
            f"键盘聚焦时没有可见的焦点标识（{walk.no_focus_indicator}/{walk.stops} 个控件）",
            ("2.4.7",),
            {
                "stops": walk.stops,
                "without_indicator": walk.no_focus_indicator,
                "samples": [vars(s) for s in walk.no_focus_samples],
            },
        )
    if walk is not None and walk.unreachable:
        yield _elderly(
            item,
            template_pages,
            "keyboard_unreachable",
            f"有 {walk.unreachable} 个可点击控件无法用键盘（Tab）到达",
            ("2.1.1",),
            {
                "count": walk.unreachable,
                "walk_completed": walk.completed,
                "samples": [vars(s) for s in walk.unreachable_samples],
            },
        )
