"""Label–value metadata of government document pages, read from the *visible* markup.

Government CMSs put the same facts (索引号, 发文字号, 成文日期, 有效性 …) into very different
markup: gov.cn ``<table class="bd1">`` cells, Jiangxi 集约化 ``dl/dd`` with ``<label>``,
TRS ``<p><strong>label</strong>：value</p>``, ``dt/dd``, ``th/td``, or plain inline text
「发布机构：X　发文字号：Y」. Rather than one parser per template, this module finds *label
text nodes* (a known label, spacing and colons ignored) and reads the value where every one of
those layouts puts it: after the label in the same text node, else in the content following it
inside the same element, else — for a label that fills its own cell — in the next cell, or, in a
table row made of labels, in the cell below it. A label whose characters a template spread over
inline tags (索<span></span>引号, 发<span>文</span>字号) is read from the joined text of its block.

Only visible text counts: HTML comments (TRS templates comment out 成文日期/有效期 rows),
``script``/``style`` and ``display:none`` subtrees are skipped, and ``<meta>`` tags are never
read here (Hanweb's ``<meta name="effectiveTime" content="0">`` is not a validity label).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import pairwise

import lxml.html

# Spacing inside labels and values: ASCII, no-break, en/em/ideographic spaces, zero-width.
_SPACES = " \t\r\n\f\v\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u202f\u205f\u3000\ufeff"
_SPACE_CLASS = "[" + re.escape(_SPACES) + "]"
_SPACE_RE = re.compile(_SPACE_CLASS + "+")
_COLONS = ":：∶﹕"
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "select"})
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
        "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "th", "thead", "tr",
        "ul",
    }
)  # fmt: skip
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_BREAK = "\x00"  # marks a line/block boundary inside collected text

# Field labels seen on government document pages, grouped by the Document field they fill.
# Order inside a group is priority: 发文机关 beats 发布机构 beats 责任部门.
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "title": (
        "标题", "文件标题", "文件名称", "公文标题", "名称", "信息名称", "文章标题", "题名",
    ),
    "issuer": (
        "发文机关", "发布机关", "制发机关", "发文单位", "成文单位", "发文机构", "发文部门",
        "发布机构", "发布单位", "发布部门", "责任部门",
    ),
    "doc_number": (
        "发文字号", "文号", "发文文号", "文件编号", "文件字号", "发文号", "发文编号",
    ),
    "index_no": ("索引号", "信息索引号", "信息索引", "索引编号", "索取号", "索引"),
    "registration_no": (
        "规范性文件登记号", "规范性文件统一编号", "规范性文件编号", "统一登记号", "统一编号",
        "登记号", "登记编号",
    ),
    "written_date": (
        "成文日期", "成文时间", "印发日期", "印发时间", "签发日期", "签发时间", "签署日期",
    ),
    "published_date": (
        "发布日期", "发布时间", "公开日期", "公开时间", "公布日期", "发表日期", "发表时间",
        "上网时间",
    ),
    # Templates whose only date is labelled 发文日期 mean the publication date; beside a
    # 发布日期 it is the signing date.
    "issue_date": ("发文日期", "发文时间"),
    # The CMS's record date (Jiangxi 集约化 templates): when the page was made, never the date
    # the document was signed, so never 成文日期; at most the publication date when no other.
    "generated_date": ("生成日期", "生成时间"),
    "generic_date": ("日期", "时间"),
    "effective_date": (
        "生效日期", "生效时间", "施行日期", "施行时间", "实施日期", "实施时间", "执行日期",
        "执行时间",
    ),
    "repeal_date": ("废止日期", "废止时间", "失效日期", "失效时间", "终止日期"),
    "valid_until": (
        "有效期至", "有效期截止", "有效期截至", "有效截止日期", "有效期限至", "有效期止",
        "截止日期",
    ),
    "validity_period": ("有效期", "有效期限"),
    "validity": (
        "有效性", "文件有效性", "时效性", "效力状态", "时效状态", "有效状态", "文件状态",
        "文件效力", "文件时效", "效力", "是否有效", "状态",
    ),
    "topic": ("主题分类", "所属主题", "主题类别", "信息分类", "分类"),
    # What kind of document the site says it is (文件类型：规范性文件): extract/normative.py.
    "doc_kind": (
        "文件类型", "文件类别", "文件分类", "公文种类", "公文类型", "文种", "体裁", "信息类别",
        "信息类型", "是否规范性文件", "是否为规范性文件", "是否行政规范性文件",
    ),
    "source": ("信息来源", "文章来源", "来源"),
}  # fmt: skip

_LABEL_GROUP = {label: group for group, labels in FIELD_LABELS.items() for label in labels}
# Longest first: a regex alternation takes the first alternative that matches, and 有效期至
# must win over 有效期, 规范性文件登记号 over 登记号.
_ALL_LABELS = sorted(_LABEL_GROUP, key=len, reverse=True)
_LABEL_ALT = "|".join((_SPACE_CLASS + "*").join(map(re.escape, lab)) for lab in _ALL_LABELS)
_LABEL_FIRST_CHARS = frozenset(lab[0] for lab in _ALL_LABELS)
# A label starts a text node or follows a separator; mid-node labels need a colon.
_LABEL_RE = re.compile(
    rf"(?:^|(?<=[{re.escape(_SPACES)}|｜;；,，]))(?P<label>{_LABEL_ALT}){_SPACE_CLASS}*"
    rf"(?P<colon>[{_COLONS}])?"
)

# What sites print in an empty field (文号：无, 有效性：—).
PLACEHOLDER_VALUES = frozenset(
    {"无", "暂无", "-", "--", "—", "——", "－", "/", "／", "空", "null", "none", "无文号", "…", "..."}
)  # fmt: skip

# ---- validity wordings (docs/CHECKS.md) --------------------------------------------------
VALIDITY_WORDS: dict[str, str] = {
    "有效": "effective",
    "现行有效": "effective",
    "全文有效": "effective",
    "继续有效": "effective",
    "长期有效": "effective",
    "部分失效": "partially_invalid",
    "部分废止": "partially_invalid",
    "部分有效": "partially_invalid",
    "已修改": "amended",
    "已被修改": "amended",
    "已修订": "amended",
    "已被修订": "amended",
    "废止": "repealed",
    "已废止": "repealed",
    "全文废止": "repealed",
    "已被废止": "repealed",
    "失效": "expired",
    "已失效": "expired",
    "全文失效": "expired",
    "无效": "expired",
    "已过期": "expired",
    "尚未生效": "not_yet_effective",
    "待生效": "not_yet_effective",
    "未生效": "not_yet_effective",
    "暂未生效": "not_yet_effective",
}
# The wordings a title marker or a stand-alone badge must match exactly (有效发挥 is no marker).
STRICT_VALIDITY_WORDS = frozenset(
    {
        "有效", "现行有效", "全文有效", "部分失效", "部分废止", "已修改", "已被修改", "废止",
        "已废止", "全文废止", "失效", "已失效", "全文失效", "尚未生效", "待生效",
    }
)  # fmt: skip
_CJK_RUN_RE = re.compile(r"[\u4e00-\u9fff]+")
_BRACKETS = "【】[]［］()（）〔〕「」『』<>《》\"'“”‘’"


def normalize_validity(text: str | None) -> str | None:
    """Map a validity wording to effective | partially_invalid | amended | repealed | expired |
    not_yet_effective; None for anything else (empty, unknown, 有效期内 …).

    Trailing qualifiers are allowed (``已废止（2023年5月1日）``, ``有效 2023年修订``): the
    leading run of Chinese characters decides.
    """
    if not text:
        return None
    cleaned = _SPACE_RE.sub("", text).strip(_BRACKETS + _COLONS + "。.,，;；")
    if cleaned in VALIDITY_WORDS:
        return VALIDITY_WORDS[cleaned]
    head = _CJK_RUN_RE.match(cleaned)
    if head is None:
        return None
    return VALIDITY_WORDS.get(head.group(0))


# ---- dates and document numbers ------------------------------------------------------------
_DATE_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:年|[-/.．])\s*(\d{1,2})\s*(?:月|[-/.．])\s*(\d{1,2})(?!\d)\s*日?"
)
_DATE_ONLY_RE = re.compile(
    r"[\[【(（]?\s*(?:19|20)\d{2}\s*(?:年|[-/.．])\s*\d{1,2}\s*(?:月|[-/.．])\s*\d{1,2}\s*日?"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?\s*[\]】)）]?"
)
_CN_DATE_RE = re.compile(
    r"([〇○零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
)
_CN_YEAR_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")


def _iter_dates(text: str) -> Iterator[dt.date]:
    """Valid dates in order: 2019年01月27日, 2019-01-27, 2019/1/27, 2019.1.27, and the 二〇一九年一月
    二十七日 that 红头 documents print under the signature."""
    found: list[tuple[int, dt.date]] = []
    for m in _DATE_RE.finditer(text.translate(_FULLWIDTH_DIGITS)):
        with suppress(ValueError):
            found.append((m.start(), dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))))
    if "〇" in text or "○" in text or "零" in text:
        for m in _CN_DATE_RE.finditer(text):
            year = int(m.group(1).translate(_CN_YEAR_DIGITS))
            month, day = cn_number(m.group(2)), cn_number(m.group(3))
            if month and day:
                with suppress(ValueError):
                    found.append((m.start(), dt.date(year, month, day)))
    found.sort(key=lambda pair: pair[0])
    for _, day in found:
        yield day


def parse_date(text: str | None) -> dt.date | None:
    """The first valid date in ``text``, or None."""
    if not text:
        return None
    return next(_iter_dates(text), None)


def all_dates(text: str) -> list[dt.date]:
    """Every valid date in ``text``, in order (for ranges such as 2023年1月1日至2027年12月31日)."""
    return list(_iter_dates(text))


def is_date_only(text: str) -> bool:
    """True for a text that is just a date (optionally bracketed, with a time): list-row dates."""
    return _DATE_ONLY_RE.fullmatch(text.strip().translate(_FULLWIDTH_DIGITS)) is not None


def date_line(text: str) -> dt.date | None:
    """The date of a line that is only a date, as under a signature: 2024年3月5日, 2024-03-05,
    二〇二四年三月五日 (brackets and spacing allowed); None for anything else."""
    squashed = squash(text).strip(_BRACKETS)
    if not squashed or len(squashed) > 24:
        return None
    if is_date_only(squashed) or _CN_DATE_RE.fullmatch(squashed):
        return parse_date(squashed)
    return None


_YEAR_BRACKETS = r"[〔\[［(（【{｛]\s*(?:19|20)\d{2}\s*[〕\]］)）】}｝]"
DOC_NUMBER_RE = re.compile(
    # 国发〔2019〕5号, 京政办发[2023]第5号, 〔2023〕5号, （2023）5号
    rf"(?:[\u4e00-\u9fffA-Za-z]{{1,30}}{_SPACE_CLASS}*)?{_YEAR_BRACKETS}{_SPACE_CLASS}*第?"
    rf"{_SPACE_CLASS}*\d{{1,6}}{_SPACE_CLASS}*号"
    # 国令第707号, 中华人民共和国国务院令 第711号 (行政法规/规章, kept as numbers, never normative)
    rf"|[\u4e00-\u9fff]{{1,30}}令{_SPACE_CLASS}*第{_SPACE_CLASS}*[\d一二三四五六七八九十百千零〇]+{_SPACE_CLASS}*号"
    # 国家税务总局公告2023年第5号
    rf"|[\u4e00-\u9fff]{{1,30}}公告{_SPACE_CLASS}*(?:19|20)\d{{2}}{_SPACE_CLASS}*年{_SPACE_CLASS}*第"
    rf"{_SPACE_CLASS}*\d{{1,6}}{_SPACE_CLASS}*号"
)


def find_doc_number(text: str | None) -> str | None:
    """The first 发文字号 in ``text`` (spaces removed), or None."""
    # every number ends in 号; without one the pattern's many CJK starts need not be tried
    if not text or "号" not in text:
        return None
    m = DOC_NUMBER_RE.search(text.translate(_FULLWIDTH_DIGITS))
    return _SPACE_RE.sub("", m.group(0)) if m else None


def clean_text(text: str) -> str:
    """Collapse every kind of spacing to one ASCII space and strip."""
    return _SPACE_RE.sub(" ", text).strip()


def squash(text: str) -> str:
    """Remove all spacing (for comparing labels and titles)."""
    return _SPACE_RE.sub("", text)


# ---- the visible text of a page ------------------------------------------------------------
@dataclass(slots=True)
class Segment:
    """One visible text node: ``owner.text`` (is_tail False) or ``owner.tail`` (is_tail True)."""

    text: str
    owner: lxml.html.HtmlElement
    is_tail: bool
    in_link: bool


def _skipped(el: lxml.html.HtmlElement) -> bool:
    """Comments, processing instructions, scripts, styles and hidden subtrees show nothing."""
    tag = el.tag
    if not isinstance(tag, str):
        return True
    if tag.lower() in _SKIP_TAGS:
        return True
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return bool(style) and _HIDDEN_STYLE_RE.search(style) is not None


def visible_segments(root: lxml.html.HtmlElement) -> list[Segment]:
    """Every non-blank visible text node under ``root``, in document order.

    An explicit stack (not recursion) keeps pathological nesting safe; the tail of a skipped
    node is still emitted because it belongs to the parent (text after an HTML comment). A
    node's tail goes on the stack below its children, as the segment it becomes, so each
    node is visited once (two documents' worth of walks run on every page).
    """
    out: list[Segment] = []
    # (element, is the element's parent inside an <a>?) or a tail's finished segment
    stack: list[tuple[lxml.html.HtmlElement, bool] | Segment] = [(root, False)]
    pop, push = stack.pop, stack.append
    while stack:
        item = pop()
        if type(item) is Segment:
            out.append(item)
            continue
        el, parent_in_link = item  # type: ignore[misc]
        if el is not root:
            tail = el.tail
            if tail and not tail.isspace():
                push(Segment(tail, el, True, parent_in_link))
        if _skipped(el):
            continue
        in_link = parent_in_link or el.tag == "a"
        text = el.text
        if text and not text.isspace():
            out.append(Segment(text, el, False, in_link))
        for child in reversed(el):
            push((child, in_link))
    return out


def visible_text(el: lxml.html.HtmlElement, *, breaks: bool = False) -> str:
    """The visible text of one element (its own subtree, not its tail).

    With ``breaks``, block boundaries and ``<br>`` become ``_BREAK`` so a caller can take one
    line of a multi-line cell. A node's tail goes on the stack below its children, as the
    string it is, so each node is visited once.
    """
    if _skipped(el):
        return ""
    if not len(el):  # a leaf (most links, cells, labels): its own text
        return el.text or ""
    parts: list[str] = []
    stack: list[lxml.html.HtmlElement | str] = [el]
    pop, push, append = stack.pop, stack.append, parts.append
    while stack:
        node = pop()
        if type(node) is str:
            append(node)
            continue
        if node is not el:
            tail = node.tail  # type: ignore[union-attr]
            if tail:
                push(tail)
        if _skipped(node):  # type: ignore[arg-type]
            continue
        if breaks and node is not el and node.tag in _BLOCK_TAGS:  # type: ignore[union-attr]
            append(_BREAK)
        text = node.text  # type: ignore[union-attr]
        if text:
            append(text)
        for child in reversed(node):  # type: ignore[call-overload]
            push(child)
    return "".join(parts)


# ---- label → value -------------------------------------------------------------------------
@dataclass
class LabelFields:
    """Raw label values as shown (first non-empty occurrence of each label wins)."""

    values: dict[str, str] = field(default_factory=dict)  # squashed label → cleaned value
    order: list[str] = field(default_factory=list)  # labels in the order they were seen
    counts: dict[str, int] = field(default_factory=dict)  # how often each label appears

    def add(self, label: str, value: str) -> None:
        self.counts[label] = self.counts.get(label, 0) + 1
        if label not in self.values:
            self.order.append(label)
            self.values[label] = value
        elif not self.values[label] and value:
            self.values[label] = value

    def group(self, name: str) -> tuple[str, str] | None:
        """(label, value) of the highest-priority label of a group present; non-empty preferred."""
        present = [lab for lab in FIELD_LABELS[name] if lab in self.values]
        for lab in present:
            if self.values[lab]:
                return lab, self.values[lab]
        return (present[0], "") if present else None

    def value(self, name: str) -> str | None:
        found = self.group(name)
        return found[1] if found else None


# Any short label after a gap (「某局　浏览次数：12」) also ends a value, known to us or not.
_ANY_LABEL_RE = re.compile(rf"{_SPACE_CLASS}+[\u4e00-\u9fff]{{2,6}}{_SPACE_CLASS}*[{_COLONS}]")


def _cut_at_label(text: str) -> str:
    """A value ends where the next label (with its colon, or alone) begins."""
    for m in _LABEL_RE.finditer(text):
        if m.start("label") == 0 or m.group("colon"):
            text = text[: m.start("label")]
            break
    other = _ANY_LABEL_RE.search(text)
    return text[: other.start()] if other else text


def _first_line(text: str) -> str:
    """The first non-blank line of collected text (values never span a ``<br>``/block)."""
    for line in text.split(_BREAK):
        if line.strip(_SPACES + _COLONS):
            return line
    return ""


def _finish(raw: str) -> str:
    value = _cut_at_label(_first_line(raw.lstrip(_SPACES + _COLONS)))
    value = clean_text(value).strip(_COLONS).strip()
    return value


def _following_text(parent: lxml.html.HtmlElement, start: int, limit: int = 600) -> str:
    """Visible text of ``parent``'s children from index ``start`` (with their tails)."""
    parts: list[str] = []
    size = 0
    for child in parent[start:]:
        if isinstance(child.tag, str) and child.tag in _BLOCK_TAGS:
            parts.append(_BREAK)
        text = visible_text(child, breaks=True)
        parts.append(text)
        if child.tail:
            parts.append(child.tail)
        size += len(text) + len(child.tail or "")
        if size > limit:
            break
    return "".join(parts)


def _label_only(el: lxml.html.HtmlElement, label_text: str) -> bool:
    return squash(visible_text(el)).strip(_COLONS) == label_text


def _known_label(text: str) -> str | None:
    """The known label a cell's whole text is (spacing and colons ignored), else None."""
    word = squash(text).strip(_COLONS)
    return word if word in _LABEL_GROUP else None


# ---- tables whose labels sit in one row and values in the row below ----------------------------
_CELL_TAGS = ("td", "th")


def _cells(row: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return [c for c in row if isinstance(c.tag, str) and c.tag in _CELL_TAGS]


def _span(cell: lxml.html.HtmlElement) -> int:
    with suppress(ValueError):
        return max(1, min(int(cell.get("colspan") or 1), 50))
    return 1


def _is_label_row(row: lxml.html.HtmlElement) -> bool:
    """A row of labels whose values are in the row below: every cell holds text and is a
    label, known or look-alike, and two known labels sit side by side (a label-value row
    alternates, 「发布机构 | 国务院 | 主题分类 | 综合政务」, and never has two labels adjacent)."""
    texts = [squash(visible_text(c)).strip(_COLONS) for c in _cells(row)]
    if not texts or any(not t or len(t) > 10 or re.search(r"\d", t) for t in texts):
        return False
    known = [t in _LABEL_GROUP for t in texts]
    if len(texts) == 1:
        return known[0]
    return any(a and b for a, b in pairwise(known))


def _rows_after(row: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """The rows after ``row`` in its table, across <thead>/<tbody> (not in nested tables)."""
    table = next((a for a in row.iterancestors("table")), None)
    if table is None:
        return
    seen = False
    for candidate in table.iter("tr"):
        if next(candidate.iterancestors("table"), None) is not table:
            continue
        if seen:
            yield candidate
        elif candidate is row:
            seen = True


def _value_below(cell: lxml.html.HtmlElement, row: lxml.html.HtmlElement) -> str:
    """The value in the next row's cell under ``cell`` (columns counted with colspan).

    A header over several value rows is a list table, not metadata: no value is read from it.
    """
    column = sum(_span(c) for c in _cells(row)[: _cells(row).index(cell)])
    rows = _rows_after(row)
    below = next(rows, None)
    if below is None or _is_label_row(below):
        return ""
    after = next(rows, None)
    if after is not None and not _is_label_row(after) and len(_cells(after)) == len(_cells(below)):
        return ""
    start = 0
    for candidate in _cells(below):
        if start <= column < start + _span(candidate):
            if _known_label(visible_text(candidate)):
                return ""
            return _finish(visible_text(candidate, breaks=True))
        start += _span(candidate)
    return ""


def _value_beside(holder: lxml.html.HtmlElement, label_text: str) -> str:
    """The value of a label that fills ``holder``: climb while the ancestor holds nothing
    else, then it is the tail, the next element, or — in a row of labels — the cell below."""
    for _ in range(3):
        parent = holder.getparent()
        if parent is None or not _label_only(parent, label_text):
            break
        holder = parent
    row = holder.getparent()
    if holder.tag in _CELL_TAGS and row is not None and row.tag == "tr" and _is_label_row(row):
        return _value_below(holder, row)
    if holder.tail and holder.tail.strip(_SPACES + _COLONS):
        return _finish(holder.tail)
    sibling = holder.getnext()
    while sibling is not None and not isinstance(sibling.tag, str):
        sibling = sibling.getnext()  # comments between cells
    if sibling is None:
        return ""
    return _finish(visible_text(sibling, breaks=True))


def _value_for(seg: Segment, end: int, label_text: str) -> str:
    """Where the value of a label ending at ``end`` of ``seg`` is, in every layout we know."""
    rest = seg.text[end:]
    if rest.strip(_SPACES + _COLONS):
        return _finish(rest)  # 「发文字号：国发〔2019〕5号」 in one text node
    if seg.is_tail:
        parent = seg.owner.getparent()
        if parent is None:
            return ""
        following = _following_text(parent, parent.index(seg.owner) + 1)
    else:
        following = _following_text(seg.owner, 0)
    if following.strip(_SPACES + _COLONS + _BREAK):
        return _finish(following)  # 「发文字号：<span>…</span>」
    if seg.is_tail or not _label_only(seg.owner, label_text):
        return ""  # the label ends its line: the value is shown empty
    # A label filling its own element (<b>, <td>, <label>, <dt>, <th>).
    return _value_beside(seg.owner, label_text)


# ---- labels split over inline elements: 索<span></span>引号, 发<span>文</span>字号 ---------------
_LABEL_PREFIXES = frozenset(lab[:n] for lab in _ALL_LABELS for n in range(1, len(lab)))


def _container(seg: Segment) -> lxml.html.HtmlElement | None:
    """The element whose content the text node is."""
    return seg.owner.getparent() if seg.is_tail else seg.owner


def _block_of(el: lxml.html.HtmlElement | None) -> lxml.html.HtmlElement | None:
    while el is not None and not (isinstance(el.tag, str) and el.tag in _BLOCK_TAGS):
        el = el.getparent()
    return el


def _common_ancestor(
    a: lxml.html.HtmlElement, b: lxml.html.HtmlElement
) -> lxml.html.HtmlElement | None:
    ancestors = {id(a), *(id(x) for x in a.iterancestors())}
    node: lxml.html.HtmlElement | None = b
    while node is not None and id(node) not in ancestors:
        node = node.getparent()
    return node


def _text_after(holder: lxml.html.HtmlElement, seg: Segment) -> str:
    """Visible text of ``holder`` after the text node ``seg`` (block boundaries as breaks)."""
    parts: list[str] = []
    collecting = False
    stack: list[tuple[lxml.html.HtmlElement, bool]] = [(holder, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            if node is not holder and node.tail and collecting:
                parts.append(node.tail)
            if seg.is_tail and node is seg.owner:
                collecting = True
            continue
        stack.append((node, True))
        if _skipped(node):
            continue
        if collecting and node is not holder and node.tag in _BLOCK_TAGS:
            parts.append(_BREAK)
        if node.text and collecting:
            parts.append(node.text)
        if not seg.is_tail and node is seg.owner:
            collecting = True
        for child in reversed(node):
            stack.append((child, False))
    return "".join(parts)


@dataclass(frozen=True)
class _SplitLabel:
    label: str
    value: str
    last: int  # index of the segment the label ends in
    resume: int  # offset in that segment where further labels may start


def _split_label(segments: Sequence[Segment], start: int) -> _SplitLabel | None:
    """A label whose characters are spread over inline elements, starting at ``start``.

    Text nodes of one block are joined while they spell the start of a label; the label is
    then read as one string. Without a colon it must fill what it was spelled in.
    """
    first = segments[start]
    joined = first.text.strip(_SPACES)
    if squash(joined) not in _LABEL_PREFIXES:
        return None
    block = _block_of(_container(first))
    last = start
    while squash(joined) in _LABEL_PREFIXES and last + 1 < len(segments):
        nxt = segments[last + 1]
        if nxt.in_link or _block_of(_container(nxt)) is not block:
            break
        last += 1
        joined += nxt.text
    if last == start:
        return None
    m = _LABEL_RE.match(joined)
    if m is None or len(squash(m.group("label"))) <= len(squash(first.text)):
        return None
    label = squash(m.group("label"))
    # Where the label (and its colon) ends inside the last text node.
    end_in_last = len(segments[last].text) - (len(joined) - m.end())
    if end_in_last < 0:
        return None  # the label ends before the last node: it was no split label
    start_el, last_el = _container(first), _container(segments[last])
    holder = (
        _common_ancestor(start_el, last_el)
        if start_el is not None and last_el is not None
        else None
    )
    if holder is None:
        return None
    fills = _label_only(holder, label)
    if not m.group("colon") and not fills:
        return None  # without a colon a label must be alone, as in 「<td>索<i></i>引号</td>」
    rest = segments[last].text[end_in_last:]
    following = rest + _text_after(holder, segments[last])
    if following.strip(_SPACES + _COLONS + _BREAK):
        value = _finish(following)
    else:
        value = _value_beside(holder, label) if fills else ""
    return _SplitLabel(label, value, last, end_in_last)


def extract_label_fields(segments: Sequence[Segment], *, max_value: int = 300) -> LabelFields:
    """Every known label on the page and the value shown for it ('' when shown empty)."""
    fields = LabelFields()
    index, resume = 0, 0
    while index < len(segments):
        seg, offset = segments[index], resume
        index, resume = index + 1, 0
        text = seg.text
        stripped = text.lstrip(_SPACES)
        if not stripped or seg.in_link:
            continue
        if offset == 0 and len(stripped) <= 8:
            split = _split_label(segments, index - 1)
            if split is not None:
                if len(split.value) <= max_value:
                    fields.add(split.label, split.value)
                index, resume = split.last, split.resume
                continue
        # Cheap prefilter: most text nodes neither start with a label character nor hold a colon.
        if stripped[0] not in _LABEL_FIRST_CHARS and not any(c in text for c in _COLONS):
            continue
        if len(text) > 2000:
            continue  # body paragraphs: labels never live there
        for m in _LABEL_RE.finditer(text, offset):
            label = squash(m.group("label"))
            after = text[m.end() :]
            at_start = not text[: m.start("label")].strip(_SPACES)
            # Without a colon a label must be alone in its node: 「<td>标题</td>」.
            if not m.group("colon") and not (at_start and not after.strip(_SPACES)):
                continue
            value = _value_for(seg, m.end(), label)
            if len(value) <= max_value:
                fields.add(label, value)
    return fields


def meta_content(root: lxml.html.HtmlElement, *names: str) -> str | None:
    """The first non-empty ``<meta name=…>`` among ``names`` (case-insensitive): a last resort."""
    wanted = {n.lower() for n in names}
    for meta in root.iter("meta"):
        name = (meta.get("name") or "").lower()
        if name in wanted:
            content = clean_text(meta.get("content") or "")
            if content:
                return content
    return None


def iter_dates_after(
    segments: Sequence[Segment], index: int, *, max_segments: int = 8, max_chars: int = 80
) -> Iterable[dt.date]:
    """Dates in the short text nodes right after segment ``index`` (an article's info line)."""
    for seg in segments[index + 1 : index + 1 + max_segments]:
        if len(seg.text) > max_chars:
            break
        found = parse_date(seg.text)
        if found:
            yield found


# ---- validity markers in titles ----------------------------------------------------------------
_TITLE_MARKER_RE = re.compile(r"[【\[［〔(（]\s*([\u4e00-\u9fff]{2,5})\s*[】\]］〕)）]")


def title_marker(title: str | None) -> tuple[str, str] | None:
    """(raw marker, normalised validity) for 【已失效】/【有效】/（已废止）… in a title."""
    if not title:
        return None
    for m in _TITLE_MARKER_RE.finditer(title):
        value = normalize_validity(m.group(1))
        if value and squash(m.group(1)) in STRICT_VALIDITY_WORDS:
            return m.group(1), value
    return None


def strip_title_marker(title: str) -> str:
    """The title without its validity marker (for matching link texts)."""
    return clean_text(
        _TITLE_MARKER_RE.sub(
            lambda m: "" if squash(m.group(1)) in STRICT_VALIDITY_WORDS else m.group(0), title
        )
    )


# ---- body clauses: 有效期X年, 有效期至, 自…起施行 ----------------------------------------------
_CN_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)} | {"两": 2}
_SENTENCE_RE = re.compile(r"[^。；;！!\n]+")
_SELF_REF_RE = re.compile(
    r"本(?:暂行|试行)?(?:实施|指导)?(?:办法|规定|意见|通知|决定|细则|规则|文件|制度|措施|方案|准则|标准|政策|规范|通告|公告)"
    r"|施行|试行"
)
_PERIOD_RE = re.compile(
    r"有效期(?:限)?(?:为|是|暂定为?|定为)?\s*([0-9]{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:个)?\s*年"
)
_UNTIL_RE = re.compile(
    r"有效期(?:限)?(?:至|到|截至|截止到?)\s*((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
)
_FROM_DATE_RE = re.compile(
    r"自\s*((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*(?:起|开始)\s*(?:施行|实施|执行|生效|试行)"
)
_FROM_EVENT_RE = re.compile(
    r"自\s*(发布|公布|印发|下发|发文|签发)之日起\s*(?:(\d{1,3})\s*日后)?\s*(?:施行|实施|执行|生效|试行)"
)


def cn_number(text: str) -> int | None:
    """1–99 written with digits or Chinese numerals (五, 十, 十二, 二十)."""
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS.get(text[1:], 0)
    if text.endswith("十"):
        return _CN_DIGITS.get(text[:-1], 0) * 10 or None
    if "十" in text:
        tens, ones = text.split("十", 1)
        return _CN_DIGITS.get(tens, 0) * 10 + _CN_DIGITS.get(ones, 0)
    return _CN_DIGITS.get(text)


@dataclass
class BodyClauses:
    """The final provisions a document states about its own force."""

    period_years: int | None = None
    period_text: str | None = None
    valid_until: dt.date | None = None
    effective_date: dt.date | None = None
    effective_event: str | None = None  # 发布 / 印发 … when it takes effect on publication
    effective_delay_days: int = 0
    effective_text: str | None = None


def body_clauses(text: str) -> BodyClauses:
    """有效期X年, 有效期至…, 自…起施行 / 自发布之日起施行 from sentences about the document itself.

    Only sentences that refer to the document (本办法…, …施行) count, so a licence's 有效期3年
    inside the body is not mistaken for the document's own period. The last such clause wins:
    final provisions come last.
    """
    out = BodyClauses()
    for m in _SENTENCE_RE.finditer(text):
        sentence = m.group(0)
        if (
            "有效期" not in sentence
            and "施行" not in sentence
            and "实施" not in sentence
            and "生效" not in sentence
        ):
            continue
        if not _SELF_REF_RE.search(sentence):
            continue
        if (pm := _PERIOD_RE.search(sentence)) and (years := cn_number(pm.group(1))):
            out.period_years, out.period_text = years, clean_text(sentence)[:200]
        if um := _UNTIL_RE.search(sentence):
            out.valid_until, out.period_text = parse_date(um.group(1)), clean_text(sentence)[:200]
        if fm := _FROM_DATE_RE.search(sentence):
            out.effective_date, out.effective_event = parse_date(fm.group(1)), None
            out.effective_text = clean_text(sentence)[:200]
        elif em := _FROM_EVENT_RE.search(sentence):
            out.effective_date, out.effective_event = None, em.group(1)
            out.effective_delay_days = int(em.group(2) or 0)
            out.effective_text = clean_text(sentence)[:200]
    return out
