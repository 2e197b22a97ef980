"""``suspicious_outbound_link``: links that now lead to gambling, porn or parked domains (外链变异),
and hidden link farms planted in pages (暗链).

外链变异 — a friend link's domain lapses and is bought by a gambling site, or starts serving a
"domain for sale" page. The site hook fetches every distinct external page target that link
verification found working (bounded in number, bytes and time) and reads its title and
visible text. Keywords said while condemning them (打击网络赌博, 扫黄打非) do not count, so a
police site's crackdown news is not gambling; a page counts as gambling or porn when its
title names it or two different keywords of the kind remain. One finding per page carrying
the link, as for broken links — except where the page hides that link in a link farm: the
page's 暗链 finding then takes the verdict as its second reason (one problem, one finding,
counted once by the scorer), and lists which hidden links lead where.

暗链 — a block hidden from visitors but read by search engines, full of external links. The
page hook finds elements hidden by their inline style or by a ``<style>`` rule on their
class or id: off-screen (``left:-9999px``, ``text-indent:-9999px``), zero size (font-size:0,
height:0 with overflow hidden), ``display:none`` / ``visibility:hidden``. Menus, accordions,
logo image replacement and inline-block layouts use every one of these too, so the
technique is only evidence: a hidden block counts when its external links advertise
gambling, porn or the usual SEO-spam trades, or when it sits far off-screen (≤ -1000px)
with links to five or more non-government hosts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import lxml.html
from sqlmodel import Session, col, select
from w3lib.encoding import html_to_unicode

from crawler.attachments import Fetched, FetchLimits, fetch_each
from crawler.netguard import FetchGuard
from extract.docmeta import visible_text
from extract.parse import base_url_of, page_title, parse_html
from govpatrol.core.findings.outbound import SUSPICIOUS_OUTBOUND_LINK
from govpatrol.core.models import Finding, LinkOutcome, LinkSource, LinkTarget, Scan
from govpatrol.core.types import Check, FindingData, ParsedPage, ScanContext, SiteContext
from govpatrol.core.urls import absolutize, canonical, host_of

MAX_LISTED_LINKS = 20
DEFAULT_OUTBOUND_LIMITS = {"max_targets": 500, "max_bytes": 512 * 1024, "budget_s": 300.0,
                           "concurrency": 8}  # fmt: skip


GAMBLING = (
    "博彩", "赌场", "赌博", "六合彩", "时时彩", "百家乐", "娱乐城", "老虎机", "葡京", "威尼斯人",
    "太阳城", "真人娱乐", "真人视讯", "体育投注", "足球投注", "电子游艺", "彩票投注", "捕鱼游戏",
    "casino", "baccarat", "sportsbook", "betting", "roulette",
)  # fmt: skip
PORN = (
    "色情", "成人视频", "黄色网站", "av在线", "无码", "约炮", "裸聊", "一夜情", "情色", "自拍偷拍",
    "成人影院", "porn", "xxx", "hentai", "adult video",
)  # fmt: skip
PARKED = (
    "this domain is for sale", "domain is for sale", "buy this domain", "domain may be for sale",
    "this domain name is for sale", "domain has expired", "domain parking", "parked free",
    "parkingcrew", "sedoparking", "this web page is parked", "域名出售", "域名转让", "域名正在出售",
    "此域名出售", "该域名出售", "该域名可以出售", "域名已过期", "域名已到期", "域名停放",
)  # fmt: skip
# Words that condemn what follows them: 打击网络赌博 is a crackdown, not a casino.
CONDEMN = (
    "打击", "整治", "严禁", "取缔", "查处", "举报", "治理", "防范", "警惕", "抵制", "远离", "拒绝",
    "禁止", "非法", "违法", "犯罪", "专项行动", "扫黄", "反诈", "不良",
)  # fmt: skip
CONDEMN_WINDOW = 15  # characters before a keyword searched for a condemning word
PARKED_MAX_TEXT = 5000  # parked pages are short; a long page quoting the phrase is not one


@dataclass(frozen=True)
class Verdict:
    reason: str  # gambling | porn | parked
    keywords: tuple[str, ...]


def _kept_keywords(text: str, words: Iterable[str]) -> list[str]:
    """The keywords of ``words`` that occur at least once outside a condemning phrase."""
    kept = []
    for word in words:
        start = text.find(word)
        while start != -1:
            before = text[max(0, start - CONDEMN_WINDOW) : start]
            if not any(c in before for c in CONDEMN):
                kept.append(word)
                break
            start = text.find(word, start + 1)
    return kept


def classify(title: str, text: str) -> Verdict | None:
    """What an external page is, from its title and visible text (None: nothing suspicious)."""
    title, text = title.lower(), text.lower()
    if len(text) <= PARKED_MAX_TEXT:
        parked = [p for p in PARKED if p in title or p in text]
        if parked:
            return Verdict("parked", tuple(parked))
    for reason, words in (("gambling", GAMBLING), ("porn", PORN)):
        in_title = _kept_keywords(title, words)
        in_text = _kept_keywords(text, words)
        if in_title or len(set(in_text)) >= 2:
            return Verdict(reason, tuple(dict.fromkeys(in_title + in_text)))
    return None


# -- 暗链: hidden link farms ------------------------------------------------------------------------

# How a block is kept from visitors. Menus wait behind display:none, accordions behind a zero
# height, logos replace their text with text-indent, inline-block layouts zero the font size:
# so the technique alone proves nothing, and it is kept as evidence.
_HIDINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("offscreen", re.compile(
        r"(?:^|[;\s{])(?:left|top|right|margin-left|margin-top)\s*:\s*-\s*\d{3,}"
        r"|text-indent\s*:\s*-\s*\d{3,}", re.I)),
    ("zero_size", re.compile(
        r"font-size\s*:\s*0(?:px|pt|em|rem|%)?\s*(?:;|$|!)"
        r"|(?:^|[;\s])(?:height|width|max-height|max-width)\s*:\s*0(?:px)?\s*(?:;|$|!)[^{}]*overflow\s*:\s*hidden"
        r"|overflow\s*:\s*hidden[^{}]*(?:^|[;\s])(?:height|width|max-height|max-width)\s*:\s*0(?:px)?\s*(?:;|$|!)",
        re.I)),
    ("hidden", re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)),
)  # fmt: skip
# Far off-screen (≤ -1000px, the link-farm classic) holding many links to non-government
# hosts is a farm whatever the links say; drop-down menus park at -999em, not -9999px.
_FAR_OFFSCREEN = re.compile(
    r"(?:left|top|right|margin-left|margin-top)\s*:\s*-\s*\d{4,}\s*(?:px)?\s*(?:;|$|!)", re.I
)
FAR_OFFSCREEN_MIN_LINKS = 5
_GOV_HOST = re.compile(r"\.gov(?:\.cn)?(?::\d+)?$", re.I)
# The lookahead names every branch's first character: the regex engine then tries the five
# branches only there, not at every character of the page (2.4x faster on real pages).
_QUICK = re.compile(
    r"(?=[dvf:])"
    r"(?:display\s*:\s*none|visibility\s*:\s*hidden|:\s*-\s*\d{3,}|font-size\s*:\s*0|:\s*0(?:px)?\s*[;}\"'])",
    re.I,
)
_RULE = re.compile(r"([^{}@]+)\{([^{}]*)\}")
_SIMPLE_SELECTOR = re.compile(r"^[a-z0-9]*((?:[.#][\w-]+)+)$", re.I)
# What link farms advertise: the page-content words plus SEO-spam trades.
LINK_SPAM = (
    *GAMBLING, *PORN, "赌", "菠菜", "彩金", "注册送", "开户送", "网赌", "北京赛车", "幸运飞艇",
    "pk10", "代开发票", "发票代开", "私服", "办证", "代孕", "viagra", "cialis", "poker", "slot",
)  # fmt: skip
_SPAM = re.compile("|".join(map(re.escape, LINK_SPAM)), re.I)


def hiding_of(style: str) -> str | None:
    """ "offscreen", "zero_size" or "hidden" (display/visibility), or None: how a style hides."""
    for kind, pattern in _HIDINGS:
        if pattern.search(style):
            return kind
    return None


def style_rules(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """ ".class" / "#id" → declarations that hide, from the page's own ``<style>`` blocks."""
    rules: dict[str, str] = {}
    for block in tree.iter("style"):
        css = re.sub(r"/\*.*?\*/", "", block.text or "", flags=re.S)
        for selectors, declarations in _RULE.findall(css):
            if hiding_of(declarations) is None:
                continue
            for selector in selectors.split(","):
                match = _SIMPLE_SELECTOR.match(selector.strip())
                if match:
                    for token in re.findall(r"[.#][\w-]+", match.group(1)):
                        rules[token] = f"{rules.get(token, '')};{declarations}"
    return rules


def _hiding_style(el: lxml.html.HtmlElement, rules: dict[str, str]) -> str:
    """The declarations hiding ``el``: its inline style and the rules on its class and id."""
    style = el.get("style") or ""
    if rules:
        tokens = [f".{c}" for c in (el.get("class") or "").split()]
        if el.get("id"):
            tokens.append(f"#{el.get('id')}")
        style += "".join(rules.get(t, "") for t in tokens)
    return style


def _farm(anchors: list[dict[str, str]], style: str) -> list[dict[str, str]]:
    """The links of one hidden block that make it a link farm."""
    spam = [a for a in anchors if _SPAM.search(f"{a['text']} {a['url']}")]
    if spam:
        return spam
    foreign = {host_of(a["url"]) for a in anchors if not _GOV_HOST.search(host_of(a["url"]))}
    if _FAR_OFFSCREEN.search(style) and len(foreign) >= FAR_OFFSCREEN_MIN_LINKS:
        return anchors
    return []


def hidden_external_links(
    page: ParsedPage, site_url: str
) -> tuple[list[dict[str, str]], list[str]]:
    """(link-farm links, hiding kinds used) of one page; only outermost hidden blocks count."""
    if not _QUICK.search(page.text):
        return [], []
    own = {host_of(site_url), host_of(page.final_url), host_of(page.url)}
    rules = style_rules(page.tree)
    base = base_url_of(page.tree, page.final_url)
    out: list[dict[str, str]] = []
    kinds: list[str] = []
    done: set[lxml.html.HtmlElement] = set()
    for el in page.tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "head", "body", "script", "style"):
            continue
        style = _hiding_style(el, rules)
        hiding = hiding_of(style) if style else None
        if hiding is None or any(parent in done for parent in el.iterancestors()):
            continue
        done.add(el)
        anchors = []
        for anchor in el.iter("a"):
            url = absolutize(base, anchor.get("href") or "")
            if url is not None and host_of(url) not in own:
                text = " ".join(anchor.text_content().split())[:100]
                anchors.append({"url": url, "text": text, "hiding": hiding})
        for link in _farm(anchors, style):
            if not any(known["url"] == link["url"] for known in out):
                out.append(link)
                if hiding not in kinds:
                    kinds.append(hiding)
    return out, kinds


# -- 外链变异: what external targets serve now -----------------------------------------------------


@dataclass
class TargetVerdict:
    verdict: Verdict | None
    title: str = ""
    final_url: str = ""


def judge_fetched(fetched: Fetched) -> TargetVerdict:
    """Runs in a download thread: the body is read, judged and dropped there."""
    if fetched.error or fetched.status is None or fetched.status >= 400 or not fetched.body:
        return TargetVerdict(None, final_url=fetched.final_url)
    if fetched.content_type and "html" not in fetched.content_type:
        return TargetVerdict(None, final_url=fetched.final_url)
    _, text = html_to_unicode(fetched.content_type or None, fetched.body)
    tree = parse_html(text)
    title = page_title(tree)
    body = tree.find("body")
    shown = visible_text(body if body is not None else tree)
    return TargetVerdict(classify(title, " ".join(shown.split())), title, fetched.final_url)


def outbound_limits(ctx: SiteContext, options: OutboundOptions) -> tuple[int, FetchLimits]:
    conf = {**DEFAULT_OUTBOUND_LIMITS, **((ctx.site_config or {}).get("outbound") or {})}
    limits = FetchLimits(
        max_bytes=int(conf["max_bytes"]),
        timeout_s=options.link_timeout_s,
        concurrency=int(conf["concurrency"]),
        budget_s=float(conf["budget_s"]),
    )
    return int(conf["max_targets"]), limits


def external_pages(session: Session, scan_id: int, limit: int) -> list[str]:
    rows = session.exec(
        select(LinkTarget.url)
        .where(
            LinkTarget.scan_id == scan_id,
            LinkTarget.internal == False,  # noqa: E712
            col(LinkTarget.kind).in_(("external", "page", "frame")),
            LinkTarget.outcome == LinkOutcome.ok,
        )
        .order_by(LinkTarget.url)
        .limit(limit)
    )
    return list(rows)


def _sources(session: Session, scan_id: int, url: str) -> dict[str, str]:
    """Page → link text of every page carrying ``url`` (anchors only)."""
    rows = session.exec(
        select(LinkSource.page_url, LinkSource.text)
        .where(LinkSource.scan_id == scan_id, LinkSource.target_url == url)
        .order_by(LinkSource.page_url)
    )
    out: dict[str, str] = {}
    for page, text in rows:
        if text or page not in out:
            out[page] = text or ""
    return out


_REASON_ZH = {"gambling": "博彩/赌博", "porn": "色情", "parked": "域名出售/停放"}


@dataclass(frozen=True)
class OutboundOptions:
    """The thresholds the outbound check reads: targets are fetched with the link timeout."""

    link_timeout_s: float


class OutboundCheck(Check):
    name = "outbound"
    findings = ("suspicious_outbound_link",)
    options_type = OutboundOptions

    def on_page(self, page: ParsedPage, ctx: ScanContext) -> Iterator[FindingData]:
        links, kinds = hidden_external_links(page, ctx.site_url)
        if not links:
            return
        yield FindingData(
            check=SUSPICIOUS_OUTBOUND_LINK.id,
            page=page.url,
            message=f"页面含隐藏的外部链接（暗链）{len(links)} 个",
            detail={
                "reason": "hidden_links",
                "hiding": kinds,
                "count": len(links),
                "links": links[:MAX_LISTED_LINKS],
            },
            key=("hidden_links",),
        )

    def on_site(self, ctx: SiteContext) -> Iterator[FindingData]:
        session = ctx.session
        if session is None:
            return
        limit, limits = outbound_limits(ctx, self.options(ctx))
        urls = external_pages(session, ctx.scan_id, limit)
        flagged: list[tuple[str, TargetVerdict]] = []
        checked = 0
        guard = FetchGuard(ctx.site_url, zones=ctx.address_zone)
        for url, result in fetch_each(urls, limits, judge_fetched, guard=guard):
            checked += 1
            if result.verdict is not None:
                flagged.append((url, result))
        scan = session.get(Scan, ctx.scan_id)
        if scan is not None:
            stats = {"external_targets": len(urls), "checked": checked, "flagged": len(flagged)}
            scan.stats = {**(scan.stats or {}), "outbound": stats}
            session.add(scan)
        # Committed before anything is yielded: the pipeline's writer stores findings on
        # another connection, and a write this session had flushed would hold SQLite's lock
        # until the writer's busy timeout ran out ("database is locked").
        session.commit()
        farms = hidden_link_findings(session, ctx.scan_id)
        for url, result in sorted(flagged, key=lambda pair: pair[0]):
            yield from self._findings(session, ctx.scan_id, url, result, farms)
        verdicts = {canonical(url): result for url, result in flagged}
        for row in farms.values():
            merge_hijacked(row, verdicts)
            session.add(row)  # the pipeline commits the hook's session

    def _findings(
        self,
        session: Session,
        scan_id: int,
        url: str,
        result: TargetVerdict,
        farms: dict[str, Finding],
    ) -> Iterator[FindingData]:
        verdict = result.verdict
        assert verdict is not None
        detail: dict[str, Any] = {
            "reason": verdict.reason,
            "keywords": list(verdict.keywords),
            "title": result.title[:200],
            "final_url": result.final_url,
            "redirected_host": host_of(result.final_url) != host_of(url)
            if result.final_url
            else False,
        }
        for page, text in _sources(session, scan_id, url).items():
            farm = farms.get(page)
            if farm is not None and canonical(url) in _hidden_urls(farm):
                continue  # the page's 暗链 finding carries this verdict (merge_hijacked)
            yield FindingData(
                check=SUSPICIOUS_OUTBOUND_LINK.id,
                page=page,
                target=url,
                message=f"外部链接“{text or url}”现指向{_REASON_ZH[verdict.reason]}内容",
                detail={**detail, "text": text},
            )


# -- one finding per problem: a hidden link that also leads to a casino --------------------------


def hidden_link_findings(session: Session, scan_id: int) -> dict[str, Finding]:
    """Page → this scan's 暗链 finding on it (few: pages with a planted link farm)."""
    rows = session.exec(
        select(Finding).where(
            Finding.scan_id == scan_id, Finding.check == SUSPICIOUS_OUTBOUND_LINK.id
        )
    ).all()
    return {row.page: row for row in rows if (row.detail or {}).get("reason") == "hidden_links"}


def _hidden_urls(row: Finding) -> set[str]:
    return {canonical(link["url"]) for link in (row.detail or {}).get("links") or ()}


def merge_hijacked(row: Finding, verdicts: dict[str, TargetVerdict]) -> None:
    """Give a 暗链 finding its second reason: which of its hidden links now serve gambling,
    porn or parked content. Recomputed from this scan's verdicts every time, so a finding
    re-used from an unchanged page never keeps a verdict the target no longer earns."""
    detail = dict(row.detail or {})
    hijacked = []
    for link in detail.get("links") or ():
        result = verdicts.get(canonical(link["url"]))
        if result is not None and result.verdict is not None:
            hijacked.append({"url": link["url"], "text": link.get("text") or "",
                             "reason": result.verdict.reason,
                             "keywords": list(result.verdict.keywords)})  # fmt: skip
    reasons = ["hidden_links", *dict.fromkeys(h["reason"] for h in hijacked)]
    detail.pop("hijacked", None)
    detail["reasons"] = reasons
    if hijacked:
        detail["hijacked"] = hijacked
    message = (
        f"页面含隐藏的外部链接（暗链）{detail.get('count', len(detail.get('links') or ()))} 个"
    )
    if hijacked:
        kinds = "、".join(_REASON_ZH[r] for r in reasons[1:])
        message += f"，其中 {len(hijacked)} 个现指向{kinds}内容"
    if detail != row.detail or message != row.message:
        row.detail = detail  # a new dict, so the JSON column is written
        row.message = message
