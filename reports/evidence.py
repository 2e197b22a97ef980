"""A finding's evidence (``Finding.detail``) as labelled lines for people to read.

Every key gets a label in the reader's language (reports.i18n.EVIDENCE_KEYS) and its value a
formatter: dates as dates, status codes with their meaning, failure kinds and other codes as
words (reports.vocabulary), booleans as yes/no, lists and nested dicts as readable rows. A key
no table knows gets a humanised label, never the raw key; bookkeeping keys are left out.

A line is a list of segments ``(text, quoted)``: ``quoted`` marks text copied from the crawled
page (link texts, titles, snippets), which the HTML report shows as a quotation in the page's
own language. Values are plain text: each output escapes or neutralises them its own way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from checks.a11y_findings import rule_title_zh
from checks.a11y_static.rules import RULES as A11Y_RULES
from extract.placeholders import PLACEHOLDER_MARKER_EMPTY
from reports import vocabulary as words
from reports.fmt import show_date
from reports.i18n import CATEGORIES, DOC_SOURCES, EVIDENCE_KEYS, NORMATIVE_BASES, VALIDITY, t

MAX_VALUE_CHARS = 300
MAX_ROWS = 10  # rows of a list shown; the count says the rest

Segment = tuple[str, bool]  # (text, quoted: copied from the crawled page)
Line = list[Segment]

# Of no use to a person fixing the problem: the verifier's and the checks' bookkeeping, raw
# tool output repeated in readable keys (axe, browser), and Chinese texts a check stores for
# its own message (missing_zh …), which the readable keys say in the reader's language.
SKIPPED_KEYS = frozenset({
    "fingerprint", "checked_at", "failure", "elapsed_ms", "content_type", "bytes", "error_text",
    "column_key", "axe", "browser", "missing_zh", "recommended_missing_zh", "fallback_note",
    "note", "help", "allow_key", "normative_basis", "normative_signal",
})  # fmt: skip
# In the rows of a list: how the ad finder matched (its own English notes).
ROW_SKIPPED_KEYS = {"ads": frozenset({"reason"})}
# The common statuses in words for Chinese readers (English readers get HTTP's own phrase).
_STATUS_ZH = {
    301: "永久重定向", 302: "临时重定向", 400: "请求无效", 401: "需要登录", 403: "禁止访问",
    404: "页面不存在", 405: "不允许的请求方法", 410: "已删除", 429: "请求过多", 500: "服务器内部错误",
    502: "网关错误", 503: "服务不可用", 504: "网关超时",
}  # fmt: skip

_DATE_KEYS = frozenset({
    "newest_date", "url_newest_date", "written_date", "published_date", "effective_date",
    "repeal_date", "valid_until", "as_of", "basis_date", "ends", "asked", "answered", "deadline",
    "published", "interpretation_published", "not_after",
})  # fmt: skip
# Text copied from the crawled page.
_QUOTED_KEYS = frozenset({
    "text", "title", "column", "doc_number", "doc_number_raw", "validity_raw", "validity_label",
    "title_marker", "effective_text", "period_text", "interpretation_title", "document_title",
    "unit", "query",
    "fragment", "selector", "snippet", "keywords", "shown_labels", "channels", "placeholder",
    "cadence_basis", "shown", "verify_message",
    "wrong_text", "right_text", "sentence", "rule_source",
})  # fmt: skip
_PERCENT_KEYS = frozenset({"ratio", "threshold", "over_target_share", "coverage"})
_WORDS_OF_KEY: dict[str, words.Words] = {
    "kind": {**words.LINK_KINDS, **words.ITEMS},
    "error": words.FAILURES,
    "recent_errors": words.FAILURES,
    "impact": words.IMPACTS,
    "hiding": words.HIDINGS,
    "source": words.SOURCES,
    "validity_source": words.SOURCES,
    "item": words.ITEMS,
    "rule_kind": words.EXPRESSION_KINDS,
    "technique": words.TECHNIQUES,
    "techniques": words.TECHNIQUES,
    "visitor": words.VISITORS,
    "via": words.HIDDEN_VIA,
    "differences": words.CLOAKING_DIFFERENCES,
    "target_verdict": words.TARGET_VERDICTS,
    "category": CATEGORIES,
    "cadence_source": words.CADENCE_SOURCES,
    "validity": VALIDITY,
    "title_marker_validity": VALIDITY,
    "calendar": words.CALENDARS,
    "match": words.INTERPRETATION_MATCHES,
    "one_way": words.ONE_WAY_SIDES,
    "basis": words.FIELDS,
    "missing": words.FIELDS,
    "recommended_missing": words.FIELDS,
    "kinds": words.PII_KINDS,
    "counts": words.PII_KINDS,
    "samples_masked": words.PII_KINDS,
}
# Only for English readers: axe's reference pages are in English (its help text is the rule).
_ENGLISH_ONLY = frozenset({"help_url"})
_WCAG_CRITERION = re.compile(r"WCAG\s*[\d.]+\s+\d+\.\d+\.\d+")

TemplateNamer = Callable[[str], Line | None]  # reports.page_templates


@dataclass(frozen=True)
class EvidenceItem:
    key: str
    label: str
    lines: list[Line]

    @property
    def text(self) -> str:
        """The value as one line of plain text (exports, the dashboard)."""
        return "; ".join("".join(text for text, _ in line) for line in self.lines)


def humanise(key: str) -> str:
    """``some_new_key`` → ``Some new key``: a label for a key no table knows yet."""
    return key.replace("_", " ").replace("-", " ").strip().capitalize() or "—"


def label_of(key: str, lang: str, context: str | None = None) -> str:
    """``context`` (the check, or the dict a key sits in) picks a key's meaning there:
    ``stats.answered`` is a count, ``answered`` a date."""
    pair = EVIDENCE_KEYS.get(f"{context}.{key}") or EVIDENCE_KEYS.get(key)
    if pair is None:
        return humanise(key)
    return pair[1] if lang == "en" else pair[0]


def word(table: words.Words, code: object, lang: str) -> str:
    """A code in words; an unknown code humanised (``new_kind`` → ``New kind``)."""
    pair = table.get(str(code))
    if pair is None:
        return humanise(str(code))
    return pair[1] if lang == "en" else pair[0]


def reason_words(check: str | None, reason: object, lang: str) -> str:
    table = words.REASONS
    pair = table.get(f"{check}:{reason}") or table.get(str(reason))
    if pair is None:
        return humanise(str(reason))
    return pair[1] if lang == "en" else pair[0]


def _clip(text: str) -> str:
    text = " ".join(str(text).split())
    if len(text) > MAX_VALUE_CHARS:
        return text[: MAX_VALUE_CHARS - 1] + "…"
    return text


def _plain(text: object) -> Line:
    return [(_clip(str(text)), False)]


def _quoted(text: object) -> Line:
    return [(_clip(str(text)), True)]


def _date(value: object, lang: str) -> str:
    try:
        return show_date(dt.date.fromisoformat(str(value)[:10]), lang)
    except ValueError:
        return str(value)


def _status(value: object, lang: str) -> Line:
    if isinstance(value, bool) or not isinstance(value, int):
        return _quoted(value)  # a status the page shows (已回复 …)
    if lang != "en":
        phrase = _STATUS_ZH.get(value)
        return _plain(f"{value}（{phrase}）" if phrase else value)
    try:
        return _plain(f"{value} {HTTPStatus(value).phrase}")
    except ValueError:
        return _plain(value)


def wcag_text(value: str, lang: str) -> str:
    """Chinese criterion names stay in the Chinese report; the English one keeps the numbers."""
    if lang != "en":
        return value
    found = _WCAG_CRITERION.findall(value)
    return "; ".join(found) if found else "best practice (not a WCAG criterion)"


def _standard(value: str, lang: str) -> str:
    for code, pair in words.STANDARDS.items():
        value = value.replace(code, pair[1] if lang == "en" else pair[0])
    return value


def rule_text(rule: str, help_en: str | None, lang: str) -> str:
    """An accessibility rule in words: its Chinese title, or axe's English help."""
    if lang != "en":
        return rule_title_zh(rule, "")  # the rule id only when no title is known
    if help_en:
        return help_en
    if rule in A11Y_RULES:
        return A11Y_RULES[rule][0].help_en
    return humanise(rule)


def _rule(check: str | None, value: Any, detail: Mapping[str, Any], lang: str) -> Line:
    if str(value) in words.RULE_TEXTS:
        return _plain(word(words.RULE_TEXTS, value, lang))
    return _plain(rule_text(str(value), detail.get("help"), lang))


def _row_of_dict(
    item: Mapping[str, Any], lang: str, check: str | None, skip: frozenset[str] = frozenset()
) -> Line:
    """One readable row of a dict in a list: ``http://… · 澳门新葡京 · 移出屏幕外``."""
    line: Line = []
    for key, value in item.items():
        if value in (None, "", [], {}) or key in SKIPPED_KEYS or key in skip:
            continue
        for segment_line in _lines(key, value, item, lang, check):
            if line:
                line.append((" · ", False))
            line.extend(segment_line)
    return line


def _list_lines(key: str, values: Sequence[Any], lang: str, check: str | None) -> list[Line]:
    if all(isinstance(v, Mapping) for v in values):
        skip = ROW_SKIPPED_KEYS.get(key, frozenset())
        lines = [_row_of_dict(v, lang, check, skip) for v in values[:MAX_ROWS]]
    else:
        joined = _join_scalars(key, values[:MAX_ROWS], lang, check)
        lines = [joined]
    if len(values) > MAX_ROWS:
        lines.append(_plain(t("more_pages", lang, n=len(values))))
    return lines


def _join_scalars(key: str, values: Sequence[Any], lang: str, check: str | None) -> Line:
    line: Line = []
    sep = " → " if key == "redirects" else ", "
    for value in values:
        if line:
            line.append((sep, False))
        line.extend(_scalar(key, value, {}, lang, check))
    return line


def _dict_lines(key: str, value: Mapping[str, Any], lang: str, check: str | None) -> list[Line]:
    """A nested dict as rows ``label: value``; its keys are codes, page labels or our keys."""
    lines = []
    for inner, inner_value in value.items():
        if inner_value in (None, "", [], {}) or inner in SKIPPED_KEYS:
            continue
        if key in _WORDS_OF_KEY:
            head: Line = [(word(_WORDS_OF_KEY[key], inner, lang), False)]
            rest = _scalar_or_list(key + ".", inner_value, lang, check)
        elif key == "shown_fields":
            head = [(_clip(inner), True)]
            rest = _quoted(inner_value)
        elif key == "sources":  # field → where it was read: 发文字号：元数据字段
            head = [(word(words.FIELDS, inner, lang), False)]
            rest = _plain(word(DOC_SOURCES, inner_value, lang))
        else:
            head = [(label_of(inner, lang, key), False)]
            rest = []
            for line in _lines(inner, inner_value, value, lang, check):
                rest.extend([(" · ", False), *line] if rest else line)
        lines.append([*head, (": " if lang == "en" else "：", False), *rest])
    return lines


def _scalar_or_list(key: str, value: Any, lang: str, check: str | None) -> Line:
    if isinstance(value, list | tuple):
        return _join_scalars(key, value, lang, check)
    return _scalar(key, value, {}, lang, check)


def _scalar(key: str, value: Any, detail: Mapping[str, Any], lang: str, check: str | None) -> Line:
    if isinstance(value, bool):
        return _plain(t("yes" if value else "no", lang))
    if key == "status":
        return _status(value, lang)
    if key in ("reason", "reasons"):
        return _plain(reason_words(check, value, lang))
    if key == "rule":
        return _rule(check, value, detail, lang)
    if key in _WORDS_OF_KEY:
        table = _WORDS_OF_KEY[key]
        if key == "error" and str(value) not in table:
            return _plain(value)  # the search's own error text (HTTP 404 …)
        return _plain(word(table, value, lang))
    if key in _DATE_KEYS or key == "window":
        return _plain(_date(value, lang))
    if key in _PERCENT_KEYS and isinstance(value, int | float):
        return _plain(f"{value:.1%}")
    if key == "placeholder" and value == PLACEHOLDER_MARKER_EMPTY:
        return _plain("empty list" if lang == "en" else "空列表")
    if key == "wcag":
        return _plain(wcag_text(str(value), lang))
    if key == "standard":
        return _plain(_standard(str(value), lang))
    if key == "reused_from_scan":
        return _plain(f"#{value}")
    if key == "format":
        return _plain(str(value).upper())
    if key in _QUOTED_KEYS or key.rstrip(".") in _QUOTED_KEYS:
        return _quoted(value)
    return _plain(value)


def normative_reason(detail: Mapping[str, Any], lang: str) -> Line:
    """Why the page was judged a normative document (or left to a person): the classifier's
    basis in the reader's language, with the page's own word that decided quoted."""
    basis = detail.get("normative_basis")
    if not basis:  # evidence of an older shape: the stored Chinese sentence, as the page's words
        text = detail.get("normative_reason") or ""
        return _quoted(text) if lang != "en" else _plain("see the Chinese report")
    line = _plain(word(NORMATIVE_BASES, basis, lang))
    signal = detail.get("normative_signal")
    if not signal:
        return line
    return [*line, (" (" if lang == "en" else "（", False), (_clip(str(signal)), True),
            (")" if lang == "en" else "）", False)]  # fmt: skip


def _lines(
    key: str, value: Any, detail: Mapping[str, Any], lang: str, check: str | None
) -> list[Line]:
    if key == "normative_reason":
        return [normative_reason(detail, lang)]
    if isinstance(value, Mapping):
        return _dict_lines(key, value, lang, check)
    if isinstance(value, list | tuple):
        if key == "window" and len(value) == 2:
            return [_plain(f"{_date(value[0], lang)} — {_date(value[1], lang)}")]
        return _list_lines(key, value, lang, check)
    return [_scalar(key, value, detail, lang, check)]


def evidence_rows(
    detail: Mapping[str, Any] | None,
    lang: str = "zh",
    check: str | None = None,
    template_name: TemplateNamer | None = None,
) -> list[EvidenceItem]:
    """Labelled evidence in the detail's own order, empty values left out.

    ``template_name`` names a page template (a DOM hash) by a column and an example page;
    without it the template is left out: its hash means nothing to a reader.
    """
    detail = detail or {}
    items = []
    for key, value in detail.items():
        if key in SKIPPED_KEYS or value is None or value == "" or value == [] or value == {}:
            continue
        if key in _ENGLISH_ONLY and lang != "en":
            continue
        if key == "template":
            name = template_name(str(value)) if template_name else None
            if not name:
                continue
            lines = [name]
        else:
            lines = _lines(key, value, detail, lang, check)
        lines = [line for line in lines if line]
        if lines:
            items.append(EvidenceItem(key, label_of(key, lang, check), lines))
    return items


def evidence_items(
    detail: Mapping[str, Any] | None, lang: str = "zh", check: str | None = None
) -> list[tuple[str, str]]:
    """(label, value) pairs as plain text."""
    return [(item.label, item.text) for item in evidence_rows(detail, lang, check)]


def evidence_text(
    detail: Mapping[str, Any] | None, lang: str = "zh", check: str | None = None
) -> str:
    """One line: ``label：value；label：value`` (``label: value; …`` in English)."""
    colon, sep = (": ", "; ") if lang == "en" else ("：", "；")
    return sep.join(
        f"{label}{colon}{value}" for label, value in evidence_items(detail, lang, check)
    )
