"""Document pages: ``extract_document(page)`` turns a parsed article page into a
``DocumentMeta`` (None for lists, home pages and other non-articles).

Labels come from ``extract.docmeta``; this module adds what needs the page as a whole: the
dates and 发文字号, validity (the 有效性 field, else the title's 【已失效】-style marker or a
badge), the body's 有效期X年 / 自…起施行 clauses, the 落款 date as the 成文日期 of a numbered
document that shows none, where each field was read (``DocumentMeta.sources``), and whether
the page is an article at all.
The title, badge and breadcrumb are read by ``extract.docheader``, whether the page is a
行政规范性文件 (and why) by ``extract.normative``, and whether it is a 解读, with the links
between the two, by ``extract.interpretations``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import lxml.html

from extract.docheader import (
    column_from_breadcrumb,
    document_title,
    extract_breadcrumb,
    find_badge,
    title_index,
)
from extract.docmeta import (
    FIELD_LABELS,
    PLACEHOLDER_VALUES,
    BodyClauses,
    LabelFields,
    Segment,
    all_dates,
    body_clauses,
    clean_text,
    cn_number,
    date_line,
    extract_label_fields,
    find_doc_number,
    is_date_only,
    iter_dates_after,
    meta_content,
    normalize_validity,
    parse_date,
    squash,
    title_marker,
    visible_segments,
)
from extract.interpretations import (
    interpretation_links,
    is_interpretation,
    original_links,
    page_links,
)
from extract.normative import NOT_NORMATIVE, NormativeDecision, classify_normative

if TYPE_CHECKING:
    from govpatrol.core.types import ParsedPage


@dataclass
class DocumentMeta:
    """What a document page shows. ``fields`` keeps every raw label value as evidence."""

    url: str
    title: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    doc_number_raw: str | None = None  # as shown, e.g. 无
    index_no: str | None = None
    registration_no: str | None = None
    written_date: dt.date | None = None
    published_date: dt.date | None = None
    published_source: str | None = None  # label | info_line | meta
    effective_date: dt.date | None = None
    effective_source: str | None = None  # label | body | body:published | body:written
    repeal_date: dt.date | None = None
    valid_until: dt.date | None = None
    validity_raw: str | None = None  # None: no 有效性 field; "": an empty one
    validity_label: str | None = None  # the label it was shown under (有效性, 时效性 …)
    validity: str | None = None  # normalised (field, else title marker, else badge)
    validity_source: str | None = None  # field | title | badge
    title_marker: str | None = None  # e.g. 已失效, from 【已失效】
    title_marker_validity: str | None = None
    badge: str | None = None  # a stand-alone status element such as <span class="yxx">有效</span>
    period_years: int | None = None  # 有效期X年 (body or field)
    period_text: str | None = None
    effective_text: str | None = None  # the 自…起施行 clause
    provisional: bool = False  # 暂行 / 试行 in the title
    topic: str | None = None
    column_name: str | None = None
    breadcrumb: list[str] = field(default_factory=list)
    is_normative: bool = False
    normative_reason: str | None = None
    normative_decision: str = NOT_NORMATIVE  # normative | not_normative | needs_review
    normative_basis: str | None = None  # the code reports put into words
    normative_signal: str | None = None  # the page's own word that decided
    is_interpretation: bool = False
    interpretation_urls: list[str] = field(default_factory=list)
    # each 解读 link with its text and why it is taken as this document's (FoundLink.evidence)
    interpretation_links: list[dict[str, str | None]] = field(default_factory=list)
    original_urls: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    # Where each field shown was read (SOURCES): {"doc_number": "metadata", "title": "heading"}.
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def has_validity_label(self) -> bool:
        """A non-empty 有效性 field, a title marker or a badge is shown."""
        shown = self.validity_raw is not None and squash(self.validity_raw) not in (
            "",
            *PLACEHOLDER_VALUES,
        )
        return shown or self.title_marker is not None or self.badge is not None


# Where a document field was read, as ``DocumentMeta.sources`` records it (reports word them).
SOURCES = (
    "metadata",  # a labelled field of the page's metadata block (索引号：…, a table cell …)
    "heading",  # the page's visible heading
    "page_title",  # the <title> element
    "meta_tag",  # a <meta> tag (ArticleTitle, PubDate)
    "info_line",  # the date line under the title
    "under_title",  # a 发文字号 on its own line under the title, as on a 红头 document
    "signature",  # the date under the issuing office's name at the end of the body (落款)
    "body",  # a clause of the body (自…起施行, 有效期至…)
    "title_marker",  # 【已失效】 and the like in the title
    "badge",  # a stand-alone status word beside the title
)
_SOURCE_OF_PUBLISHED = {"label": "metadata", "info_line": "info_line", "meta": "meta_tag"}
_SOURCE_OF_VALIDITY = {"field": "metadata", "title": "title_marker", "badge": "badge"}


def normative_decision(meta: DocumentMeta, column_name: str | None = None) -> NormativeDecision:
    """Whether the page is a 行政规范性文件, and why (see ``classify_normative``)."""
    return classify_normative(
        meta.title,
        meta.doc_number,
        registration_no=meta.registration_no,
        registration_label=next(
            (label for label in FIELD_LABELS["registration_no"] if meta.fields.get(label)), None
        ),
        column_name=column_name or meta.column_name,
        is_interpretation=meta.is_interpretation,
        metadata=classification_fields(meta.fields),
        rule_clause=meta.effective_text or meta.period_text,
    )


def classification_fields(fields: dict[str, str]) -> list[tuple[str, str]]:
    """The (label, value) rows that say what kind of document a page is (文件类型, 主题分类 …)."""
    labels = set(FIELD_LABELS["doc_kind"]) | set(FIELD_LABELS["topic"])
    return [(label, value) for label, value in fields.items() if label in labels and value]


# ---- is this an article at all? ------------------------------------------------------------
_STRONG_FIELDS = ("doc_number", "index_no", "written_date", "registration_no", "validity", "effective_date",
                  "repeal_date", "valid_until", "issuer")  # fmt: skip


@dataclass
class _Shape:
    """How much of a page is prose, link text and list-row dates."""

    dated_rows: int
    prose: int
    link_text: int


def _page_shape(segments: Sequence[Segment]) -> _Shape:
    dated = prose = links = 0
    for seg in segments:
        text = seg.text.strip()
        if seg.in_link:
            links += len(text)
        elif len(text) >= 20:
            prose += len(text)
        if len(text) <= 40 and text[:1] in _DATE_STARTS and is_date_only(text):
            dated += 1
    return _Shape(dated, prose, links)


_DATE_STARTS = frozenset("12[【(（")


def _has_metadata(fields: LabelFields) -> bool:
    """Two or more document fields with values: a document page. List headers hold no values,
    and a list whose rows repeat 「文号：…」 shows the same label many times."""
    if any(fields.counts.get(label, 0) > 2 for label in fields.values if _is_strong(label)):
        return False
    return sum(1 for name in _STRONG_FIELDS if fields.value(name)) >= 2


def _is_strong(label: str) -> bool:
    return any(label in FIELD_LABELS[name] for name in _STRONG_FIELDS)


def _list_like(shape: _Shape) -> bool:
    """More dated rows than an article's related-links box holds."""
    return shape.dated_rows > max(6, shape.prose // 400)


def _article_like(shape: _Shape, published_source: str | None) -> bool:
    """Without metadata rows, an article needs a shown date or prose outweighing its links.

    Short pages count when a date is shown with a label or under the title: 一图读懂 解读 pages
    are a picture and two lines of text.
    """
    if shape.prose < 150:
        return published_source in ("label", "info_line")
    return published_source is not None or shape.prose >= max(400, shape.link_text)


# ---- the whole page ------------------------------------------------------------------------
def _resolve_dates(meta: DocumentMeta, fields: LabelFields, root: lxml.html.HtmlElement,
                   segments: Sequence[Segment], title_at: int | None) -> None:  # fmt: skip
    meta.written_date = parse_date(fields.value("written_date"))
    published = parse_date(fields.value("published_date"))
    issue = parse_date(fields.value("issue_date"))
    if published is None and issue is not None:
        published, issue = issue, None
    if meta.written_date is None and issue is not None:
        meta.written_date = issue  # 发文日期 beside a 发布日期: the signing date
    if published is None:
        # 生成日期 is when the CMS made the page: the publication date when nothing else is
        # shown, never the date the document was written.
        published = parse_date(fields.value("generated_date"))
    if published is None:
        published = parse_date(fields.value("generic_date"))
    meta.published_source = "label" if published else None
    if published is None and title_at is not None:
        published = next(iter(iter_dates_after(segments, title_at)), None)
        meta.published_source = "info_line" if published else None
    if published is None:
        published = parse_date(
            meta_content(root, "PubDate", "pubdate", "publishdate", "firstpublishedtime")
        )
        meta.published_source = "meta" if published else None
    meta.published_date = published
    meta.repeal_date = parse_date(fields.value("repeal_date"))
    meta.valid_until = parse_date(fields.value("valid_until"))
    meta.effective_date = parse_date(fields.value("effective_date"))
    meta.effective_source = "label" if meta.effective_date else None


def _resolve_validity(meta: DocumentMeta, fields: LabelFields) -> None:
    """有效性 field (or a 有效期 field holding a validity word / a period / a date range)."""
    found = fields.group("validity")
    if found is not None:
        label, raw = found
        value = normalize_validity(raw)
        if label == "是否有效" and value is None:
            value = {"是": "effective", "否": "expired"}.get(squash(raw))
        # A bare 状态 row is only a validity field when it reads like one.
        if label != "状态" or value is not None:
            meta.validity_label, meta.validity_raw, meta.validity = label, raw, value
            meta.validity_source = "field" if value else None
    period = fields.group("validity_period")
    if period is not None:
        label, raw = period
        as_validity = normalize_validity(raw)
        dates = all_dates(raw)
        if as_validity and not dates and meta.validity_raw is None:
            meta.validity_label, meta.validity_raw, meta.validity = label, raw, as_validity
            meta.validity_source = "field"
        elif len(dates) >= 2:
            meta.effective_date = meta.effective_date or dates[0]
            meta.effective_source = meta.effective_source or "label"
            meta.valid_until = meta.valid_until or dates[-1]
        elif len(dates) == 1:
            meta.valid_until = meta.valid_until or dates[0]
        elif (
            m := re.search(r"([0-9]{1,2}|[一二两三四五六七八九十]{1,3})\s*年", raw)
        ) and cn_number(m.group(1)):
            meta.period_years, meta.period_text = cn_number(m.group(1)), f"{label}：{raw}"


def _apply_body(meta: DocumentMeta, clauses: BodyClauses) -> None:
    if meta.period_years is None and clauses.period_years:
        meta.period_years, meta.period_text = clauses.period_years, clauses.period_text
    if meta.valid_until is None and clauses.valid_until:
        meta.valid_until, meta.period_text = clauses.valid_until, clauses.period_text
    if meta.effective_date is None:
        if clauses.effective_date:
            meta.effective_date, meta.effective_source = clauses.effective_date, "body"
        elif clauses.effective_event:
            # 自印发之日起 runs from the signing date, 自发布之日起 from publication.
            signed = clauses.effective_event in ("印发", "签发", "下发")
            base, source = (meta.written_date, "body:written") if signed else (None, "")
            if base is None:
                base, source = meta.published_date, "body:published"
            if base is not None:
                meta.effective_date = base + dt.timedelta(days=clauses.effective_delay_days)
                meta.effective_source = source
    meta.effective_text = clauses.effective_text


def extract_document(page: ParsedPage, column_name: str | None = None) -> DocumentMeta | None:
    """The document shown on ``page``, or None when the page is not an article/document.

    ``column_name`` is the column the crawler reached the page from (navigation text); without
    it the page's own breadcrumb (else ``<meta name="ColumnName">``) names the column.
    """
    if page.is_home:
        return None
    root = page.tree
    head_root = root.getroottree().getroot()
    segments = visible_segments(root)
    fields = extract_label_fields(segments)
    has_metadata = _has_metadata(fields)
    shape = _page_shape(segments)
    if not has_metadata and _list_like(shape):
        return None  # lists and portal pages, decided before the costlier steps
    title, title_source = document_title(head_root, page.title or "", fields, segments)
    if not title:
        return None
    title_at = title_index(segments, title)
    meta = DocumentMeta(url=page.url, title=title)
    _resolve_dates(meta, fields, head_root, segments, title_at)
    if not has_metadata and not _article_like(shape, meta.published_source):
        return None
    _resolve_identity(meta, fields, segments, title_at)
    _resolve_validity(meta, fields)
    _resolve_marks(meta, root, segments, title_at, page.title)
    # before the body's clauses: 自印发之日起施行 runs from the date the 落款 gives
    signed = _signature_fallback(meta, segments, title_at)
    _apply_body(meta, body_clauses("".join(s.text for s in segments if not s.in_link)))
    meta.sources = _sources(meta, fields, title_source, signed=signed)
    meta.breadcrumb = extract_breadcrumb(root, segments)
    meta.column_name = (
        column_name
        or column_from_breadcrumb(meta.breadcrumb, title)
        or meta_content(head_root, "ColumnName")
    )
    _classify(meta)
    links = page_links(page, head_root)
    if meta.is_interpretation:
        meta.original_urls = original_links(links, page.url, title)
    else:
        found = interpretation_links(links, page.url, title, meta.doc_number)
        meta.interpretation_urls = [link.url for link in found]
        meta.interpretation_links = [link.evidence() for link in found]
    return meta


def _signature_fallback(
    meta: DocumentMeta, segments: Sequence[Segment], title_at: int | None
) -> bool:
    """成文日期 from the 落款 when no field shows it: only for a numbered document (a 公文 is
    signed and dated under its office's name), never after the document was published."""
    if meta.written_date is not None or not meta.doc_number:
        return False
    signed = signature_date(segments, title_at)
    if signed is None or (meta.published_date is not None and signed > meta.published_date):
        return False
    meta.written_date = signed
    return True


# An issuing office as a 落款 names it: 某市人民政府办公室, 某某局, 某某委员会 ….
_OFFICE_RE = re.compile(
    r"[\u4e00-\u9fff（）()]{2,40}?(?:人民政府|政府|办公厅|办公室|委员会|局|厅|委|院|部|署|"
    r"中心|办|处|所|站|队|会|组)(?:[（(][\u4e00-\u9fff]{1,10}[）)])?"
)


def _is_office_line(text: str) -> bool:
    """One or more office names and nothing else (joint documents list several)."""
    parts = clean_text(text).split()
    return bool(parts) and len(parts) <= 6 and all(_OFFICE_RE.fullmatch(p) for p in parts)


def signature_date(segments: Sequence[Segment], title_at: int | None) -> dt.date | None:
    """The date of the 落款 that closes the body: a line of only a date, right after a line
    naming the office (or on its line: 「某市民政局　2024年3月5日」); the last one after the
    title that follows some body text. Linked text (related lists) never counts."""
    start = title_at + 1 if title_at is not None else 0
    prose = 0
    found: dt.date | None = None
    previous: Segment | None = None
    for seg in segments[start:]:
        if seg.in_link:
            previous = None
            continue
        text = seg.text.strip()
        if previous is not None and prose >= 40:
            day = date_line(text)
            if day is not None and _is_office_line(previous.text):
                found = day
        if prose >= 40 and len(text) <= 60 and (m := _TRAILING_DATE_RE.search(text)):
            day = date_line(m.group(0))
            if day is not None and _is_office_line(text[: m.start()]):
                found = day
        prose += len(text)
        previous = seg
    return found


_TRAILING_DATE_RE = re.compile(
    r"(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|[〇○零一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,3}\s*月\s*[一二三四五六七八九十]{1,3}\s*日)\s*$"
)


def _sources(
    meta: DocumentMeta, fields: LabelFields, title_source: str | None, *, signed: bool
) -> dict[str, str]:
    """Where each field the page shows was read (codes of SOURCES), in field order."""
    out: dict[str, str] = {}
    if meta.title and title_source:
        out["title"] = title_source
    if meta.issuer:
        out["issuer"] = "metadata"
    if meta.doc_number:
        out["doc_number"] = "metadata" if fields.value("doc_number") else "under_title"
    if meta.index_no:
        out["index_no"] = "metadata"
    if meta.registration_no:
        out["registration_no"] = "metadata"
    if meta.written_date:
        out["written_date"] = "signature" if signed else "metadata"
    if meta.published_date and meta.published_source:
        out["published_date"] = _SOURCE_OF_PUBLISHED[meta.published_source]
    if meta.effective_date and meta.effective_source:
        out["effective_date"] = "metadata" if meta.effective_source == "label" else "body"
    if meta.valid_until:
        out["valid_until"] = (
            "metadata" if fields.group("valid_until") or fields.group("validity_period") else "body"
        )
    if meta.repeal_date:
        out["repeal_date"] = "metadata"
    if meta.validity and meta.validity_source:
        out["validity"] = _SOURCE_OF_VALIDITY[meta.validity_source]
    return out


def _resolve_identity(
    meta: DocumentMeta, fields: LabelFields, segments: Sequence[Segment], title_at: int | None
) -> None:
    """Issuer, 索引号, 主题分类, registration number and 发文字号 (文号：无 is no number)."""
    meta.fields = {label: fields.values[label] for label in fields.order}
    meta.issuer = fields.value("issuer") or None
    meta.index_no = fields.value("index_no") or None
    meta.topic = fields.value("topic") or None
    registration = fields.value("registration_no") or None
    if registration and not re.search(r"ICP|公网安备|备\d", registration):
        meta.registration_no = registration  # a footer's 备案号 is not a 登记号
    number_raw = fields.value("doc_number")
    meta.doc_number_raw = number_raw
    if number_raw and squash(number_raw) not in PLACEHOLDER_VALUES and re.search(r"\d", number_raw):
        meta.doc_number = squash(number_raw)
    elif number_raw is None and title_at is not None:
        meta.doc_number = _standalone_number(segments, title_at)


def _resolve_marks(
    meta: DocumentMeta,
    root: lxml.html.HtmlElement,
    segments: Sequence[Segment],
    title_at: int | None,
    page_title: str,
) -> None:
    """Title marker and badge; either stands in for a missing 有效性 field."""
    marker = title_marker(meta.title) or title_marker(page_title)
    if marker:
        meta.title_marker, meta.title_marker_validity = marker
    if meta.validity_raw is None and not marker:
        meta.badge = find_badge(root, segments, title_at)
    if meta.validity is None:
        if meta.title_marker_validity:
            meta.validity, meta.validity_source = meta.title_marker_validity, "title"
        elif meta.badge:
            meta.validity, meta.validity_source = normalize_validity(meta.badge), "badge"
    meta.provisional = "暂行" in (meta.title or "") or "试行" in (meta.title or "")


def _classify(meta: DocumentMeta) -> None:
    meta.is_interpretation = is_interpretation(meta.title, meta.doc_number, meta.column_name)
    decision = normative_decision(meta)
    meta.is_normative, meta.normative_reason = decision.is_normative, decision.reason
    meta.normative_decision = decision.decision
    meta.normative_basis, meta.normative_signal = decision.basis, decision.signal


def _standalone_number(segments: Sequence[Segment], title_at: int, window: int = 12) -> str | None:
    """A 发文字号 printed on its own line under the title, as on a 红头 document."""
    for seg in segments[title_at + 1 : title_at + 1 + window]:
        if seg.in_link:
            continue  # a link naming a document (相关文件：某财社〔2024〕15号) is not this one's
        number = find_doc_number(seg.text)
        if number and len(squash(seg.text)) <= len(number) + 2:
            return number
    return None


def meta_as_dict(meta: DocumentMeta) -> dict[str, Any]:
    """JSON-friendly evidence of a DocumentMeta (dates as ISO strings)."""
    out: dict[str, Any] = {}
    for key, value in meta.__dict__.items():
        out[key] = value.isoformat() if isinstance(value, dt.date) else value
    return out
