"""Normative documents (行政规范性文件): validity labels, metadata, 政策解读 — and the register.

Page hook: every article/document page becomes a ``Document`` row (normative ones, 解读 pages
and plain articles alike: the row is what the extraction already computed, and it gives the
crawler its page kind). Site hook: reads the scan's normative and 解读 rows back and yields the
findings of docs/CHECKS.md:

- ``missing_validity_label`` — a normative document shows no 有效性/时效性/状态 field, title
  marker or badge, or shows an empty one;
- ``validity_inconsistent`` — labelled effective while 废止日期/有效期至 or the body's 有效期X年
  has run out, a title marker that contradicts the field, labelled 失效/废止 with a future
  生效日期 (or 尚未生效 after it), and — low severity, only where a site switches on an
  assumed period (``default_validity_years``, off by default) — that assumed period;
- ``missing_document_fields`` — 标题, 发文字号, 成文日期, 发布日期 missing (索引号 and 发布机构
  only recommended: low severity);
- ``missing_interpretation`` — a normative document that links no 解读 of its own, or a 解读
  that links no 原文; a pair linked only one way is reported with the side that lacks the
  link (``original_lacks_link`` / ``interpretation_lacks_link``, low), not as missing;
- ``late_interpretation`` — a 解读 published more than N working days after its document,
  whichever way they link (chinese-calendar, Mon–Fri fallback stated in the evidence).

Which pages are normative is extract/normative.py's three-valued decision. Every finding of a
document carries its ``normative_reason``; a document the classifier could not decide
(needs review) still gets its findings, at low severity with ``detail.needs_review``, which the
scorer does not count and the reports label 待人工确认.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, or_, select

from extract.docmeta import PLACEHOLDER_VALUES, squash
from extract.documents import DocumentMeta, extract_document
from extract.interpretations import MATCH_DOC_NUMBER, relation
from extract.normative import NEEDS_REVIEW
from govpatrol.core.models import Document
from govpatrol.core.types import Check, FindingData, ParsedPage, ScanContext, SiteContext
from govpatrol.core.workdays import late_count_evidence, unconfirmed_note, working_days_between

VALIDITY_ZH = {
    "effective": "有效",
    "partially_invalid": "部分失效",
    "amended": "已修改",
    "repealed": "已废止",
    "expired": "已失效",
    "not_yet_effective": "尚未生效",
}
_EXTRA_KEYS = (
    "fields", "doc_number_raw", "published_source", "effective_source", "validity_label",
    "validity_source", "title_marker_validity", "badge", "period_years", "period_text",
    "effective_text", "provisional", "breadcrumb", "topic", "interpretation_links", "sources",
    "normative_decision", "normative_basis", "normative_signal",
)  # fmt: skip


def document_row(meta: DocumentMeta, scan_id: int, final_url: str | None = None) -> Document:
    """The store row of one extracted document; what has no column goes to ``extra``."""
    extra: dict[str, Any] = {key: getattr(meta, key) for key in _EXTRA_KEYS}
    if final_url and final_url != meta.url:
        extra["final_url"] = final_url
    return Document(
        scan_id=scan_id,
        url=meta.url,
        title=meta.title,
        is_normative=meta.is_normative,
        normative_reason=meta.normative_reason,
        is_interpretation=meta.is_interpretation,
        issuer=meta.issuer,
        doc_number=meta.doc_number,
        index_no=meta.index_no,
        registration_no=meta.registration_no,
        written_date=meta.written_date,
        published_date=meta.published_date,
        effective_date=meta.effective_date,
        repeal_date=meta.repeal_date,
        valid_until=meta.valid_until,
        validity_raw=meta.validity_raw,
        validity=meta.validity,
        title_marker=meta.title_marker,
        column_name=meta.column_name,
        interpretation_urls=list(meta.interpretation_urls),
        original_urls=list(meta.original_urls),
        extra=extra,
    )


# ---- validity --------------------------------------------------------------------------------
def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _period_basis(doc: Document) -> tuple[dt.date | None, str]:
    """The date a period runs from: 施行/生效 date, else 发布日期, else 成文日期."""
    if doc.effective_date:
        return doc.effective_date, "effective_date"
    if doc.published_date:
        return doc.published_date, "published_date"
    return doc.written_date, "written_date"


@dataclass
class _Inconsistency:
    reason: str
    message: str
    severity: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


def validity_inconsistencies(
    doc: Document, as_of: dt.date, options: DocumentOptions
) -> list[_Inconsistency]:
    """Every way the shown validity contradicts the document's own dates, as of ``as_of``."""
    extra = doc.extra or {}
    out: list[_Inconsistency] = []
    # The wording as the page shows it (现行有效, 【有效】), else the normalised one.
    shown = (
        (doc.validity_raw or "").strip()
        or doc.title_marker
        or extra.get("badge")
        or VALIDITY_ZH.get(doc.validity or "", "")
    )
    if doc.validity == "effective":
        if doc.repeal_date and doc.repeal_date <= as_of:
            out.append(
                _Inconsistency(
                    "repeal_date_passed", f"标注“{shown}”，但废止日期 {doc.repeal_date} 已过"
                )
            )
        if doc.valid_until and doc.valid_until < as_of:
            out.append(
                _Inconsistency(
                    "valid_until_passed", f"标注“{shown}”，但有效期至 {doc.valid_until} 已过"
                )
            )
        out.extend(_period_checks(doc, as_of, options, shown))
    marker = extra.get("title_marker_validity")
    if extra.get("validity_source") == "field" and marker and marker != doc.validity:
        out.append(
            _Inconsistency(
                "title_marker_disagrees",
                f"标题标注【{doc.title_marker}】与有效性字段“{doc.validity_raw}”不一致",
            )
        )
    if (
        doc.validity in ("expired", "repealed")
        and doc.effective_date
        and doc.effective_date > as_of
    ):
        out.append(
            _Inconsistency(
                "future_effective_date", f"标注“{shown}”，但生效日期 {doc.effective_date} 尚未到来"
            )
        )
    if doc.validity == "not_yet_effective" and doc.effective_date and doc.effective_date <= as_of:
        out.append(
            _Inconsistency(
                "effective_date_reached", f"标注“{shown}”，但生效日期 {doc.effective_date} 已到"
            )
        )
    return out


def _period_checks(
    doc: Document, as_of: dt.date, options: DocumentOptions, shown: str
) -> list[_Inconsistency]:
    """有效期X年 from the body (or a 有效期 field), else the default period of local practice."""
    extra = doc.extra or {}
    basis, basis_name = _period_basis(doc)
    if basis is None:
        return []
    years = extra.get("period_years")
    if years:
        end = add_years(basis, int(years))
        if as_of >= end:
            return [
                _Inconsistency(
                    "period_expired",
                    f"标注“{shown}”，但正文所定有效期 {years} 年（自 {basis} 起）已于 {end} 届满",
                    evidence={"period_years": years, "period_text": extra.get("period_text"),
                              "basis": basis_name, "basis_date": basis.isoformat(), "ends": end.isoformat()},
                )
            ]  # fmt: skip
        return []
    if doc.valid_until or doc.repeal_date:
        return []  # an explicit end date was shown and judged above
    # No period stated anywhere. Some provinces cap a 规范性文件 at 5 years (2 for 暂行/试行)
    # and let one that states no period lapse when the cap runs out; most do not, and a
    # document labelled 有效 for longer is normal there. So an assumed period applies only
    # where a site switches it on (0, the default, is off), and then only at low severity.
    provisional = bool(extra.get("provisional"))
    years = options.provisional_validity_years if provisional else options.default_validity_years
    if years <= 0:
        return []
    end = add_years(basis, years)
    if as_of < end:
        return []
    kind = "暂行/试行文件" if provisional else "未载明有效期的文件"
    return [
        _Inconsistency(
            "default_period_expired",
            f"标注“{shown}”，但{kind}按本站设定的有效期 {years} 年（自 {basis} 起）已于 {end} 届满，请核实是否已评估延续",
            severity="low",
            evidence={"default_years": years, "provisional": provisional, "basis": basis_name,
                      "basis_date": basis.isoformat(), "ends": end.isoformat(),
                      "rule": "local practice (configurable): default_validity_years / provisional_validity_years"},
        )
    ]  # fmt: skip


def _validity_evidence(doc: Document) -> dict[str, Any]:
    extra = doc.extra or {}
    return {
        "title": doc.title,
        "doc_number": doc.doc_number,
        "validity": doc.validity,
        "validity_raw": doc.validity_raw,
        "validity_label": extra.get("validity_label"),
        "validity_source": extra.get("validity_source"),
        "title_marker": doc.title_marker,
        "title_marker_validity": extra.get("title_marker_validity"),
        "written_date": _iso(doc.written_date),
        "published_date": _iso(doc.published_date),
        "effective_date": _iso(doc.effective_date),
        "effective_text": extra.get("effective_text"),
        "repeal_date": _iso(doc.repeal_date),
        "valid_until": _iso(doc.valid_until),
        "sources": extra.get("sources") or {},
    }


# ---- findings per document -------------------------------------------------------------------
def validity_findings(
    doc: Document, as_of: dt.date, options: DocumentOptions
) -> Iterator[FindingData]:
    extra = doc.extra or {}
    shown_labels = list((extra.get("fields") or {}).keys())
    if not _has_validity_label(doc):
        empty = doc.validity_raw is not None
        yield FindingData(
            check="missing_validity_label",
            page=doc.url,
            message=(
                f"规范性文件的“{extra.get('validity_label')}”字段为空"
                if empty
                else "规范性文件未标注有效性（无有效性/时效性字段，标题也无【有效】【已失效】等标识）"
            ),
            detail={"reason": "empty" if empty else "missing", "shown_labels": shown_labels,
                    **_validity_evidence(doc)},
        )  # fmt: skip
    for issue in validity_inconsistencies(doc, as_of, options):
        yield FindingData(
            check="validity_inconsistent",
            page=doc.url,
            message=issue.message,
            severity=issue.severity,
            detail={
                "reason": issue.reason,
                "as_of": as_of.isoformat(),
                **_validity_evidence(doc),
                **issue.evidence,
            },
            key=(issue.reason,),
        )


def _has_validity_label(doc: Document) -> bool:
    """A non-empty 有效性 field (placeholders such as 无 or — are empty), a marker or a badge."""
    raw = squash(doc.validity_raw or "")
    extra = doc.extra or {}
    return (
        bool(raw and raw not in PLACEHOLDER_VALUES)
        or bool(doc.title_marker)
        or bool(extra.get("badge"))
    )


_REQUIRED = (
    ("title", "标题"),
    ("doc_number", "发文字号"),
    ("written_date", "成文日期"),
    ("published_date", "发布日期"),
)
_RECOMMENDED = (("index_no", "索引号"), ("issuer", "发布机构"))


def field_findings(doc: Document) -> Iterator[FindingData]:
    """标题/发文字号/成文日期/发布日期 required; 索引号/发布机构 recommended (low severity)."""
    missing = [(attr, zh) for attr, zh in _REQUIRED if not getattr(doc, attr)]
    recommended = [(attr, zh) for attr, zh in _RECOMMENDED if not getattr(doc, attr)]
    if not missing and not recommended:
        return
    extra = doc.extra or {}
    names = "、".join(zh for _, zh in missing or recommended)
    yield FindingData(
        check="missing_document_fields",
        page=doc.url,
        message=f"规范性文件缺少{names}" if missing else f"规范性文件未标注{names}（建议项）",
        severity=None if missing else "low",
        detail={
            "missing": [attr for attr, _ in missing],
            "missing_zh": [zh for _, zh in missing],
            "recommended_missing": [attr for attr, _ in recommended],
            "recommended_missing_zh": [zh for _, zh in recommended],
            "doc_number_raw": extra.get("doc_number_raw"),
            "shown_fields": extra.get("fields") or {},
            "sources": extra.get("sources") or {},
            "title": doc.title,
        },
    )


# ---- 解读 pairing ------------------------------------------------------------------------------
# Why a document's link to a 解读 page is taken as its own: the link text names the document
# (extract.interpretations: "title", "doc_number"), or — for a generic link (「图文解读」) — the
# crawled 解读 page's title does, or the 解读 links back to the document.
MATCH_TARGET_TITLE = "target_title"
MATCH_TARGET_DOC_NUMBER = "target_doc_number"
MATCH_LINKS_BACK = "links_back"
ORIGINAL_LACKS_LINK = "original_lacks_link"
INTERPRETATION_LACKS_LINK = "interpretation_lacks_link"


def _urls_of(doc: Document) -> list[str]:
    extra = doc.extra or {}
    return [doc.url, *([extra["final_url"]] if extra.get("final_url") else [])]


@dataclass(frozen=True)
class _Related:
    """A document's link to a 解读 judged to be its own, and why (``match``)."""

    url: str
    text: str
    match: str
    interp: Document | None  # the crawled 解读 row, when the target was crawled as one

    def evidence(self) -> dict[str, str]:
        return {"url": self.url, "text": self.text, "match": self.match}


@dataclass
class _Pairs:
    """Which 解读 belongs to which document, from links in either direction."""

    by_url: dict[str, Document]
    linked_from_doc: dict[str, list[_Related]]  # doc url → its links judged related
    linking_back: dict[str, list[Document]]  # doc url → 解读 rows whose 原文 link leads to it
    linked_by: dict[str, list[tuple[Document, _Related]]]  # 解读 url → documents linking it
    unconfirmed: dict[str, list[dict[str, Any]]]  # doc url → generic links to no crawled 解读
    unrelated: dict[str, list[dict[str, Any]]]  # doc url → links to other documents' 解读


def _links_of(doc: Document) -> list[dict[str, Any]]:
    """The document's 解读 links with their evidence (url, text, match)."""
    links = (doc.extra or {}).get("interpretation_links")
    if links is None:  # a row written before links kept their evidence: nothing confirmed
        return [{"url": url, "text": "", "match": None} for url in doc.interpretation_urls or []]
    return list(links)


def _judge_link(doc: Document, link: dict[str, Any], interp: Document | None) -> str | bool | None:
    """Why the link is the document's own 解读 (a match), False when it leads to the 解读 of
    another document, None when nothing confirms it (a generic link to no crawled 解读)."""
    if link.get("match"):
        return str(link["match"])
    if interp is None:
        return None
    named = relation(interp.title or "", doc.title, doc.doc_number)
    if named == MATCH_DOC_NUMBER:
        return MATCH_TARGET_DOC_NUMBER
    if named:
        return MATCH_TARGET_TITLE
    if set(_urls_of(doc)) & set(interp.original_urls or []):
        return MATCH_LINKS_BACK
    return False


def _pair(docs: Iterable[Document], interps: Iterable[Document]) -> _Pairs:
    docs, interps = list(docs), list(interps)
    by_url = {url: i for i in interps for url in _urls_of(i)}
    pairs = _Pairs(by_url, defaultdict(list), defaultdict(list), defaultdict(list),
                   defaultdict(list), defaultdict(list))  # fmt: skip
    for doc in docs:
        for link in _links_of(doc):
            interp = by_url.get(link["url"])
            match = _judge_link(doc, link, interp)
            shown = {"url": link["url"], "text": link.get("text") or None}
            if match is None:
                pairs.unconfirmed[doc.url].append(shown)
            elif match is False:
                pairs.unrelated[doc.url].append(shown)
            elif all(r.url != link["url"] for r in pairs.linked_from_doc[doc.url]):
                related = _Related(link["url"], link.get("text") or "", str(match), interp)
                pairs.linked_from_doc[doc.url].append(related)
                if interp is not None:
                    pairs.linked_by[interp.url].append((doc, related))
    doc_urls = {url: d.url for d in docs for url in _urls_of(d)}
    for interp in interps:
        for url in interp.original_urls or []:
            if url in doc_urls and interp not in pairs.linking_back[doc_urls[url]]:
                pairs.linking_back[doc_urls[url]].append(interp)
    return pairs


def interpretation_findings(
    doc: Document, pairs: _Pairs, options: DocumentOptions
) -> Iterator[FindingData]:
    linked = pairs.linked_from_doc.get(doc.url, [])
    back = pairs.linking_back.get(doc.url, [])
    # A generic link (「图文解读」) to a page the crawl did not read as a 解读 cannot be
    # confirmed either way: it is not taken as the document's 解读, nor reported missing.
    if not linked and not pairs.unconfirmed.get(doc.url):
        yield _missing_interpretation(doc, back, pairs)
    limit = options.interpretation_max_working_days
    links_to = {r.interp.url: r for r in linked if r.interp is not None}
    interps = _unique([r.interp for r in linked if r.interp is not None] + back)
    for interp in interps:
        late = _lateness(doc, interp)
        if late is None or late[0] <= limit:
            continue
        days, calendar_days, fallback = late
        counted = late_count_evidence(
            doc.published_date, interp.published_date, days, fallback, limit
        )
        note = unconfirmed_note(counted["fallback_years"], regardless=counted["late_regardless"])
        link = links_to.get(interp.url)
        one_way = _one_way(link, interp, back)
        yield FindingData(
            check="late_interpretation",
            page=doc.url,
            message=f"政策解读在文件发布 {days} 个工作日后才发布（要求 {limit} 个工作日内）{note}",
            detail={
                "interpretation": interp.url,
                "interpretation_title": interp.title,
                "interpretation_link": link.evidence() if link else None,
                "one_way": one_way,
                "published": _iso(doc.published_date),
                "interpretation_published": _iso(interp.published_date),
                "working_days": days,
                "calendar_days": calendar_days,
                "max_working_days": limit,
                **counted,
                "fallback_note": note or None,
            },
            key=(interp.url,),
        )


def _one_way(link: _Related | None, interp: Document, back: list[Document]) -> str | None:
    """Which side of a pair lacks the link, or None when they link both ways."""
    if link is None:
        return ORIGINAL_LACKS_LINK
    if interp in back or interp.original_urls:
        return None
    return INTERPRETATION_LACKS_LINK


def _missing_interpretation(doc: Document, back: list[Document], pairs: _Pairs) -> FindingData:
    """The document links no 解读 of its own. When a 解读 links it, the link is one-way (the
    document page lacks it: low); otherwise it has no interpretation."""
    evidence = {"title": doc.title, "doc_number": doc.doc_number}
    if back:
        first = back[0]
        return FindingData(
            check="missing_interpretation",
            page=doc.url,
            message=f"单向关联：解读页《{first.title}》链接了本文件，但文件页没有链接到该解读",
            severity="low",
            detail={"reason": ORIGINAL_LACKS_LINK, "one_way": ORIGINAL_LACKS_LINK, **evidence,
                    "interpretation": first.url, "interpretation_title": first.title,
                    "interpretations_linking_back": [i.url for i in back]},
            key=(ORIGINAL_LACKS_LINK,),
        )  # fmt: skip
    unrelated = pairs.unrelated.get(doc.url, [])
    return FindingData(
        check="missing_interpretation",
        page=doc.url,
        message="规范性文件未关联政策解读"
        + ("（页面上的解读链接指向其他文件的解读）" if unrelated else ""),
        detail={"reason": "no_interpretation", **evidence, "unrelated_links": unrelated},
        key=("no_interpretation",),
    )


def _lateness(doc: Document, interp: Document) -> tuple[int, int, bool] | None:
    if not doc.published_date or not interp.published_date:
        return None
    days, fallback = working_days_between(doc.published_date, interp.published_date)
    return days, (interp.published_date - doc.published_date).days, fallback


def _unique(rows: list[Document]) -> list[Document]:
    seen: set[str] = set()
    out = []
    for row in rows:
        if row.url not in seen:
            seen.add(row.url)
            out.append(row)
    return out


def backlink_findings(interp: Document, pairs: _Pairs) -> Iterator[FindingData]:
    """A 解读 that links no 原文: one-way (low) when a document links it as its 解读."""
    if interp.original_urls:
        return
    linkers = pairs.linked_by.get(interp.url, [])
    if linkers:
        doc, link = linkers[0]
        yield FindingData(
            check="missing_interpretation",
            page=interp.url,
            message=f"单向关联：原文《{doc.title}》链接了本解读，但解读页没有链接回政策原文",
            severity="low",
            detail={"reason": INTERPRETATION_LACKS_LINK, "one_way": INTERPRETATION_LACKS_LINK,
                    "title": interp.title, "published_date": _iso(interp.published_date),
                    "document": doc.url, "document_title": doc.title,
                    "interpretation_link": link.evidence()},
            key=(INTERPRETATION_LACKS_LINK,),
        )  # fmt: skip
        return
    yield FindingData(
        check="missing_interpretation",
        page=interp.url,
        message="政策解读页未链接政策原文",
        detail={
            "reason": "no_backlink",
            "title": interp.title,
            "published_date": _iso(interp.published_date),
        },
        key=("no_backlink",),
    )


# ---- why the page was judged ------------------------------------------------------------------
REVIEW_NOTE = "（是否为规范性文件待人工确认）"


def judged(doc: Document, findings: Iterable[FindingData]) -> Iterator[FindingData]:
    """``findings`` of ``doc``, each saying why the page was judged as it was
    (``normative_reason``). A page the classifier could not decide is reported all the same,
    at low severity and with ``needs_review``: the scorer leaves such findings out and the
    reports label them 待人工确认, so a person decides before anything counts."""
    extra = doc.extra or {}
    review = extra.get("normative_decision") == NEEDS_REVIEW
    for finding in findings:
        detail = {**finding.detail, "normative_reason": doc.normative_reason}
        if extra.get("normative_basis"):
            detail["normative_basis"] = extra["normative_basis"]
        if extra.get("normative_signal"):
            detail["normative_signal"] = extra["normative_signal"]
        if review:
            detail["needs_review"] = True
            finding.severity = "low"
            finding.message += REVIEW_NOTE
        finding.detail = detail
        yield finding


def _needs_review_rows() -> Any:
    """The SQL condition of a row whose page the classifier left to a person."""
    return Document.extra["normative_decision"].as_string() == NEEDS_REVIEW  # type: ignore[index]


# ---- the 现行有效规范性文件库 -------------------------------------------------------------------
@dataclass(frozen=True)
class RegisterEntry:
    """One normative document of a scan, as the register report lists it."""

    url: str
    title: str | None
    doc_number: str | None
    issuer: str | None
    written_date: dt.date | None
    published_date: dt.date | None
    effective_date: dt.date | None
    valid_until: dt.date | None
    repeal_date: dt.date | None
    validity: str | None  # normalised; None when the page shows none
    validity_raw: str | None
    title_marker: str | None
    interpretation_urls: tuple[str, ...]


def document_register(
    session: Session, scan_id: int, *, only_effective: bool = False
) -> list[RegisterEntry]:
    """The scan's normative documents, newest first, with number, dates and validity."""
    query = select(Document).where(Document.scan_id == scan_id, Document.is_normative == True)  # noqa: E712
    if only_effective:
        query = query.where(Document.validity == "effective")
    rows = session.exec(query).all()
    entries = [
        RegisterEntry(
            url=r.url,
            title=r.title,
            doc_number=r.doc_number,
            issuer=r.issuer,
            written_date=r.written_date,
            published_date=r.published_date,
            effective_date=r.effective_date,
            valid_until=r.valid_until,
            repeal_date=r.repeal_date,
            validity=r.validity,
            validity_raw=r.validity_raw,
            title_marker=r.title_marker,
            interpretation_urls=tuple(r.interpretation_urls or ()),
        )
        for r in rows
    ]
    entries.sort(key=lambda e: (e.published_date or dt.date.min, e.title or ""), reverse=True)
    return entries


# ---- the check ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentOptions:
    """The thresholds the document check reads."""

    default_validity_years: int
    provisional_validity_years: int
    interpretation_max_working_days: int


class DocumentCheck(Check):
    name = "documents"
    findings = (
        "missing_validity_label",
        "validity_inconsistent",
        "missing_document_fields",
        "missing_interpretation",
        "late_interpretation",
    )
    options_type = DocumentOptions

    def on_page(self, page: ParsedPage, ctx: ScanContext) -> Iterable[Any]:
        meta = extract_document(page)
        if meta is not None:
            yield document_row(meta, ctx.scan_id, page.final_url)

    def on_site(self, ctx: SiteContext) -> Iterable[Any]:
        if ctx.session is None:
            return
        rows = ctx.session.exec(
            select(Document).where(
                Document.scan_id == ctx.scan_id,
                or_(
                    Document.is_normative == True,  # noqa: E712
                    Document.is_interpretation == True,  # noqa: E712
                    _needs_review_rows(),
                ),
            )
        ).all()
        docs = [r for r in rows if not r.is_interpretation]
        interps = [r for r in rows if r.is_interpretation]
        pairs = _pair(docs, interps)
        options = self.options(ctx)
        for doc in docs:
            yield from judged(doc, validity_findings(doc, ctx.as_of, options))
            yield from judged(doc, field_findings(doc))
            yield from judged(doc, interpretation_findings(doc, pairs, options))
        for interp in interps:
            yield from judged(interp, backlink_findings(interp, pairs))
