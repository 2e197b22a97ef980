"""WCAG 2.1 success criteria as findings name them: axe tags to criteria, Chinese labels."""

from __future__ import annotations

import re
from collections.abc import Iterable

STANDARD_SUFFIX = "GB/T 37668-2019"
WCAG_VERSION = "WCAG 2.1"

# WCAG 2.1 success criteria (A and AA) with the names of the official Chinese translation.
WCAG_SC_ZH: dict[str, str] = {
    "1.1.1": "非文本内容",
    "1.2.1": "纯音频和纯视频（预录制）",
    "1.2.2": "字幕（预录制）",
    "1.2.3": "音频描述或媒体替代（预录制）",
    "1.2.4": "字幕（直播）",
    "1.2.5": "音频描述（预录制）",
    "1.3.1": "信息和关系",
    "1.3.2": "有意义的序列",
    "1.3.3": "感官特征",
    "1.3.4": "方向",
    "1.3.5": "识别输入目的",
    "1.4.1": "颜色的使用",
    "1.4.2": "音频控制",
    "1.4.3": "对比度（最低限度）",
    "1.4.4": "调整文本大小",
    "1.4.5": "文本图像",
    "1.4.10": "重排",
    "1.4.11": "非文本对比度",
    "1.4.12": "文本间距",
    "1.4.13": "悬停或聚焦时显示的内容",
    "2.1.1": "键盘",
    "2.1.2": "无键盘陷阱",
    "2.1.4": "字符键快捷键",
    "2.2.1": "可调整的时间限制",
    "2.2.2": "暂停、停止、隐藏",
    "2.3.1": "三次闪光或低于阈值",
    "2.4.1": "跳过区块",
    "2.4.2": "页面标题",
    "2.4.3": "焦点顺序",
    "2.4.4": "链接目的（上下文中）",
    "2.4.5": "多种方式",
    "2.4.6": "标题和标签",
    "2.4.7": "焦点可见",
    "2.5.1": "指针手势",
    "2.5.2": "指针取消",
    "2.5.3": "标签中包含名称",
    "2.5.4": "动作激活",
    "3.1.1": "页面的语言",
    "3.1.2": "部分的语言",
    "3.2.1": "获得焦点时",
    "3.2.2": "输入时",
    "3.2.3": "一致的导航",
    "3.2.4": "一致的识别",
    "3.3.1": "错误识别",
    "3.3.2": "标签或说明",
    "3.3.3": "错误建议",
    "3.3.4": "错误预防（法律、财务、数据）",
    "4.1.1": "解析",
    "4.1.2": "名称、角色和值",
    "4.1.3": "状态消息",
}

_WCAG_TAG = re.compile(r"^wcag(\d)(\d)(\d+)$")


def criteria_from_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """axe tags (``wcag111``, ``wcag1410``) → success criteria (``1.1.1``, ``1.4.10``)."""
    found = []
    for tag in tags:
        match = _WCAG_TAG.match(tag)
        if match:
            found.append(".".join(match.groups()))
    return tuple(found)


def wcag_label(criteria: Iterable[str]) -> str:
    """``WCAG 2.1 1.1.1 非文本内容`` (several joined by ``；``); best practices say so."""
    labels = [f"{WCAG_VERSION} {sc} {WCAG_SC_ZH.get(sc, '')}".rstrip() for sc in criteria]
    return "；".join(labels) if labels else "最佳实践（非 WCAG 条款）"


def standard_label(criteria: Iterable[str]) -> str:
    """``WCAG 2.1 1.1.1; GB/T 37668-2019``: what ``detail.standard`` of a finding says."""
    criteria = tuple(criteria)
    if not criteria:
        return STANDARD_SUFFIX
    return f"{WCAG_VERSION} {', '.join(criteria)}; {STANDARD_SUFFIX}"
