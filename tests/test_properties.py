"""Property-based tests (hypothesis) of the extractors that read untrusted markup: URL
canonicalisation, dates, document metadata, list pages and the Hanweb/TRS helpers.

Every function here runs on every page of a 20,000-page crawl, on whatever a misconfigured
or compromised server sends: it must not raise, must finish quickly (each example has a
deadline), and must give the same answer when fed its own output.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from urllib.parse import urlsplit

import lxml.html
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from checks.table import all_checks
from extract import cms, dates, docmeta
from extract.documents import extract_document
from extract.homepage import home_facts
from extract.lists import extract_list
from extract.parse import absolute, build_parsed_page, decode, resolve_link
from extract.placeholders import is_placeholder_page
from govpatrol.core.types import ScanContext
from govpatrol.core.urls import (
    PatternKey,
    absolutize,
    canonical,
    host_of,
    in_scope,
    link_kind,
    looks_like_html,
    scope_for,
    split_fragment,
)
from tests.faultlog import FaultLog, fault_log_fixture  # noqa: F401  (fixture)

AS_OF = dt.date(2026, 11, 22)
BASE = "http://www.example.gov.cn/xxgk/tzgg/index.html"
# Deadlines are generous because CI machines are shared; they still catch a hang or a
# quadratic blow-up, which costs seconds, not milliseconds.
FAST = settings(max_examples=150, deadline=dt.timedelta(seconds=1), database=None)
PAGES = settings(
    max_examples=50,
    deadline=dt.timedelta(seconds=4),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- strategies --------------------------------------------------------------------------------

_SCHEMES = st.sampled_from(
    ["http://", "https://", "HTTP://", "//", "", "javascript:", "ftp://", "http:/", "http:\\\\"]
)
_HOSTS = st.one_of(
    st.sampled_from(
        [
            "www.example.gov.cn",
            "WWW.Example.GOV.cn",
            "127.0.0.1:8080",
            "例子.政府.cn",
            "[::1]",
            "[::1",
            "0x7f.1",
            "xn--",
            "a..b",
            "user:pw@host.invalid",
            "host.invalid:99999",
            "",
        ]
    ),
    st.text(alphabet="abcxyz019.-:[]@%_", max_size=14),
)
_SEGMENT = st.one_of(
    st.sampled_from(
        ["..", ".", "", "index.html", "t20240507_1.html", ";jsessionid=AB12", "附件1.pdf"]
    ),
    st.text(alphabet="abcXYZ019中文%./;=_-~!$&'()*+,\\ \t", max_size=8),
)
_QUERY = st.one_of(
    st.just(""),
    st.lists(
        st.tuples(
            st.sampled_from(["page", "id", "sid", "PHPSESSID", "a", "中", "%zz", ""]),
            st.text(alphabet="ab1%=&+ 中\x00", max_size=6),
        ),
        max_size=4,
    ).map(lambda pairs: "?" + "&".join(f"{k}={v}" for k, v in pairs)),
)
_FRAGMENT = st.one_of(st.just(""), st.text(max_size=6).map(lambda t: "#" + t))
URLISH = st.builds(
    lambda scheme, host, segments, query, fragment: (
        f"{scheme}{host}/{'/'.join(segments)}{query}{fragment}"
    ),
    _SCHEMES,
    _HOSTS,
    st.lists(_SEGMENT, max_size=5),
    _QUERY,
    _FRAGMENT,
)
HREFS = st.one_of(URLISH, st.text(max_size=40))

# Text as government pages mix it: labels, dates in every form, numbers, CJK, and noise.
_LABELS = st.sampled_from(
    [
        "发文字号：",
        "文号:",
        "成文日期：",
        "发布日期：",
        "有效性：",
        "索引号：",
        "发文机关：",
        "废止日期：",
        "有效期至：",
        "时效性：",
        "主题分类：",
        "标题：",
        "来源：",
        "发布时间：",
    ]
)
_DATE_TEXTS = st.one_of(
    st.dates(dt.date(1985, 1, 1), dt.date(2030, 12, 31)).flatmap(
        lambda d: st.sampled_from(
            [
                d.isoformat(),
                f"{d.year}/{d.month}/{d.day}",
                f"{d.year}.{d.month:02d}.{d.day:02d}",
                f"{d.year}年{d.month}月{d.day}日",
                f"[{d.month:02d}-{d.day:02d}]",
                f"{d.month}月{d.day}日",
            ]
        )
    ),
    st.sampled_from(
        ["2024-13-45", "0795-5210210", "〔2023〕5号", "2025-2029", "V2.1.3", "12.50元"]
    ),
)
_WORDS = st.sampled_from(
    [
        "国务院办公厅关于印发",
        "管理办法的通知",
        "有效",
        "已废止",
        "【已失效】",
        "国发〔2019〕5号",
        "本办法自2020年1月1日起施行",
        "有效期5年",
        "政策解读",
        "通知公告",
        "暂无信息",
        "下一页",
        "首页",
        "&nbsp;",
        "&#0;",
        "&bogus;",
        "<",
        ">",
        "\x00",
        "\u3000",
        "\ufeff",
        "]]>",
    ]
)
TEXTS = st.lists(st.one_of(_LABELS, _DATE_TEXTS, _WORDS, st.text(max_size=12)), max_size=8).map(
    "".join
)

_TAGS = ["div", "p", "span", "ul", "li", "table", "tr", "td", "th", "dl", "dt", "dd", "font"]


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def render(tag: str, cls: str, kids: list[str], text: str) -> str:
        return f'<{tag} class="{cls}">{text}{"".join(kids)}</{tag}>'

    return st.builds(
        render,
        st.sampled_from(_TAGS),
        st.sampled_from(["list", "nav", "crumb", "info", "xxgk_table", "yxx", "", 'a"b']),
        st.lists(children, max_size=5),
        TEXTS,
    )


_ANCHOR = st.builds(
    lambda tag, href, text: tag.format(href=href, text=text),
    st.sampled_from(
        [
            '<a href="{href}">{text}</a>',
            '<a href="{href}"><span>{text}</span></a>',
            '<img src="{href}" alt="{text}">',
            '<script src="{href}"></script>',
            '<iframe src="{href}"></iframe>',
            '<base href="{href}">',
        ]
    ),
    HREFS.map(lambda h: h.replace('"', "&quot;")),
    TEXTS.map(lambda t: t.replace('"', "")),
)
_HANWEB = st.lists(st.one_of(_ANCHOR, TEXTS), max_size=4).map(
    lambda records: (
        '<script type="text/xml"><datastore><recordset>'
        + "".join(f"<record><![CDATA[{r.replace(']]>', '')}]]></record>" for r in records)
        + "</recordset></datastore></script>"
    )
)
_PAGER = st.builds(
    lambda count, current, ext: (
        f'<script>createPageHTML({count}, {current}, "index", "{ext}");</script>'
    ),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.sampled_from(["html", "shtml", "htm"]),
)
BODIES = st.recursive(
    st.one_of(TEXTS, _ANCHOR, _HANWEB, _PAGER),
    _element,
    max_leaves=40,
)
HTML_PAGES = st.builds(
    lambda title, body, junk: (
        f"<html><head><title>{title}</title></head><body>{body}{junk}</body></html>"
    ),
    TEXTS,
    BODIES,
    st.sampled_from(["", "<div>", "</td></tr>", "<!--", "<![CDATA[", "<script>", "</html>x"]),
)


def parsed(html: str | bytes, url: str = BASE, content_type: str = "text/html; charset=utf-8"):
    body = html.encode("utf-8", "surrogatepass") if isinstance(html, str) else html
    return build_parsed_page(url, url, 200, {"content-type": content_type}, body)


# -- URLs --------------------------------------------------------------------------------------


@FAST
@given(href=HREFS, base=st.sampled_from([BASE, "https://a.gov.cn", "http://127.0.0.1:9/x/y"]))
@example(href="http://[::1", base=BASE)
@example(href="//[::1]:99999/x", base=BASE)
@example(href="/" + "长" * 3000, base=BASE)
def test_absolutize_never_raises_and_gives_http_urls(href: str, base: str) -> None:
    url = absolutize(base, href)
    if url is None:
        return
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.hostname


RELATIVE_HREFS = st.builds(
    lambda segments, query, fragment: "/".join(segments) + query + fragment,
    st.lists(st.sampled_from(["..", ".", "a", "b.html", "中文.pdf", "x y", "%41", ""]), min_size=1),
    st.sampled_from(["", "?p=1", "?"]),
    st.sampled_from(["", "#top", "#"]),
)


@FAST
@given(
    href=RELATIVE_HREFS,
    base=st.sampled_from(
        [BASE, "https://a.gov.cn", "http://127.0.0.1:9/x/y?q=1#f", "http://h/a;p/b.html?x"]
    ),
)
@example(href="../../up/中文.pdf", base=BASE)
@example(href="x?y#z", base="http://h/a/b.html?x=1")
def test_cached_link_resolution_matches_resolving_against_the_page(href: str, base: str) -> None:
    # the cache keys a relative path by the page's folder only: never a different answer
    assume(href.strip() and not href.strip().startswith(("?", "#", "/")))
    url = absolutize(base, href)
    expected = None if url is None else (canonical(split_fragment(url)[0]), split_fragment(url)[1])
    assert resolve_link(base, href) == expected


@FAST
@given(
    href=st.one_of(
        HREFS, RELATIVE_HREFS, RELATIVE_HREFS.map(lambda h: " /" + h.replace("/", "\\"))
    ),
    base=st.sampled_from(
        [BASE, "https://a.gov.cn", "http://127.0.0.1:9/x/y?q=1#f", "http://H.gov.cn/a;p/b.html?x"]
    ),
)
@example(href="http://a.gov.cn/b?", base="https://a.gov.cn")
@example(href="HTTP://A.gov.cn/../b", base=BASE)
@example(href="\\\\h.gov.cn/x", base=BASE)
@example(href="/\\h.gov.cn/x", base="https://a.gov.cn/x/y.html")
@example(href=" ../b.css ", base=BASE)
@example(href="http://a.gov.cn/b;", base="https://a.gov.cn")
@example(href="http:///x", base=BASE)
@example(href="/\\", base=BASE)  # read as "//": it resolves against the whole page
def test_cached_absolute_matches_absolutize(href: str, base: str) -> None:
    # cached by the origin or folder of the page for some hrefs: never a different answer
    assert absolute(base, href) == absolutize(base, href)


@FAST
@given(href=HREFS)
@example(href="http://a.gov.cn/x;jsessionid=1?b=2&a=1&sid=3#f")
@example(href="/upload/附件 1.pdf?x=%zz")
def test_canonical_is_idempotent_and_drops_fragments(href: str) -> None:
    url = absolutize(BASE, href)
    assume(url is not None)
    once = canonical(url)
    assert canonical(once) == once
    assert split_fragment(once)[1] is None
    # a canonical absolute URL resolves to itself as an href
    assert canonical(absolutize(BASE, once) or "") == once


@FAST
@given(href=HREFS)
def test_url_helpers_accept_every_resolved_href(href: str) -> None:
    url = absolutize(BASE, href)
    assume(url is not None)
    url = canonical(url)
    scope = scope_for(BASE)
    host_of(url)
    internal = in_scope(url, scope)
    assert link_kind(url, "a", internal) in {
        "attachment", "image", "script", "style", "frame", "page", "external",
    }  # fmt: skip
    looks_like_html(url)
    key = PatternKey.of(url)
    assert PatternKey.of(url) == key


# -- dates -------------------------------------------------------------------------------------

_FULL_FORMS = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month:02d}.{d.day:02d}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"发布时间：{d.isoformat()} 10:20:33",
    lambda d: f"{d.year}-{d.month:02d}-{d.day:02d}".translate(
        str.maketrans("0123456789-", "０１２３４５６７８９－")
    ),
]


@FAST
@given(
    day=st.dates(dt.date(dates.MIN_YEAR, 1, 1), AS_OF),
    form=st.sampled_from(_FULL_FORMS),
    prefix=st.sampled_from(["", "【", "日期：", " ", "abc "]),
)
def test_full_dates_read_back_in_every_printed_form(day: dt.date, form, prefix: str) -> None:
    text = prefix + form(day)
    assert dates.parse_date(text, as_of=AS_OF) == day
    assert dates.find_date(text, as_of=AS_OF) == day
    if "年" in text or "-" in text or "/" in text:
        assert docmeta.parse_date(text.replace("－", "-")) == day


@FAST
@given(text=TEXTS)
@example(text="0795-5210210 〔2023〕5号 2025-2029 V2.1.3 12.50元")
@example(text="二〇二四年十二月三十一日 二〇二四年十三月一日")
def test_dates_in_any_text_lie_in_the_window(text: str) -> None:
    latest_year = AS_OF.year + 1
    for day in (dates.parse_date(text, as_of=AS_OF), dates.find_date(text, as_of=AS_OF)):
        assert day is None or dates.MIN_YEAR <= day.year <= latest_year
    # Documents keep their own wider window: a 1981 rule still carries its 1981 成文日期.
    day = docmeta.parse_date(text)
    assert day is None or 1900 <= day.year <= 2099
    for parts in dates.iter_date_parts(text, as_of=AS_OF):
        assert parts.year is None or dates.MIN_YEAR <= parts.year <= latest_year
        assert parts.on(2000) is not None  # month/day always exist in a leap year
    for day in docmeta.all_dates(text):
        assert isinstance(day, dt.date)


@FAST
@given(url=URLISH)
@example(url="http://a.gov.cn/art/2024/5/7/art_1_2.html")
@example(url="http://a.gov.cn/202413/t20241345_1.html")
def test_dates_from_urls_are_real_dates(url: str) -> None:
    found = dates.year_from_url(url, as_of=AS_OF)
    if found is not None:
        year, month, day = found
        assert dates.MIN_YEAR <= year <= AS_OF.year + 1
        if month is not None:
            assert dt.date(year, month, day or 1)
    full = dates.date_from_url(url, as_of=AS_OF)
    assert full is None or (found is not None and full.year == found[0])


_PARTS = st.builds(
    lambda day, with_year: dates.DateParts(day.year if with_year else None, day.month, day.day, ""),
    st.dates(dt.date(2015, 1, 1), dt.date(2027, 12, 31)),
    st.booleans(),
)
_URL_YMD = st.one_of(
    st.none(),
    st.tuples(st.integers(2015, 2027), st.none() | st.integers(1, 12), st.none()),
)


@FAST
@given(
    items=st.lists(st.tuples(st.none() | _PARTS, _URL_YMD), max_size=30),
    hint=st.none() | st.integers(2015, 2027),
)
def test_year_less_list_dates_never_land_after_the_scan(items, hint) -> None:
    parts = [p for p, _ in items]
    urls = [u for _, u in items]
    assigned = dates.assign_years(parts, urls, as_of=AS_OF, year_hint=hint)
    assert len(assigned) == len(parts)
    latest = AS_OF + dates.FUTURE_GRACE
    for p, day in zip(parts, assigned, strict=True):
        if p is None:
            assert day is None
        elif p.year is not None:
            assert day == p.on(p.year)
        elif day is not None:
            assert (day.month, day.day) == (p.month, p.day)
            if hint is None:
                assert day <= latest


# -- document metadata -------------------------------------------------------------------------


@FAST
@given(
    word=st.sampled_from(sorted(docmeta.VALIDITY_WORDS)), pad=st.sampled_from(["", " ", "【", "："])
)
def test_validity_wordings_normalise_whatever_surrounds_them(word: str, pad: str) -> None:
    expected = docmeta.VALIDITY_WORDS[word]
    assert docmeta.normalize_validity(f"{pad}{word}{pad[::-1]}") == expected
    assert docmeta.normalize_validity(f"{word}（2023年5月1日）") == expected


@FAST
@given(
    issuer=st.sampled_from(["国发", "国办发", "京政办发", "粤府", "X市财规", ""]),
    year=st.integers(1990, 2030),
    number=st.integers(1, 999_999),
    brackets=st.sampled_from(["〔〕", "[]", "［］", "()", "（）", "【】"]),
    noise=TEXTS.filter(lambda text: docmeta.find_doc_number(text) is None),
)
def test_document_numbers_are_found_and_stable(issuer, year, number, brackets, noise) -> None:
    printed = f"{issuer}{brackets[0]}{year}{brackets[1]}{number}号"
    found = docmeta.find_doc_number(f"{noise}，发文字号：{printed}。{noise}")
    assert found is not None and found.endswith(f"{brackets[0]}{year}{brackets[1]}{number}号")
    assert docmeta.find_doc_number(found) == found


@FAST
@given(text=TEXTS)
def test_text_normalisers_are_idempotent(text: str) -> None:
    for fn in (docmeta.clean_text, docmeta.squash, docmeta.strip_title_marker):
        once = fn(text)
        assert fn(once) == once
    number = docmeta.find_doc_number(text)
    assert number is None or docmeta.find_doc_number(number) == number
    clauses = docmeta.body_clauses(text)
    assert clauses.period_years is None or 1 <= clauses.period_years <= 99
    docmeta.normalize_validity(text)
    docmeta.title_marker(text)


_FIELD_LAYOUTS = {
    "table": lambda pairs: (
        "<table class='bd1'>"
        + "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in pairs)
        + "</table>"
    ),
    "dl": lambda pairs: "<dl>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in pairs) + "</dl>",
    "strong": lambda pairs: "".join(f"<p><strong>{k}</strong>：{v}</p>" for k, v in pairs),
    "inline": lambda pairs: "<div>" + "　".join(f"{k}：{v}" for k, v in pairs) + "</div>",
}


@PAGES
@given(
    layout=st.sampled_from(sorted(_FIELD_LAYOUTS)),
    year=st.integers(2000, 2025),
    number=st.integers(1, 300),
    written=st.dates(dt.date(2000, 1, 1), dt.date(2025, 12, 31)),
    validity=st.sampled_from(["有效", "已废止", "失效", "现行有效"]),
    noise=TEXTS,
)
def test_document_fields_are_read_in_every_layout(
    layout, year, number, written, validity, noise
) -> None:
    title = f"某市人民政府关于印发某某管理办法的通知{year}"
    fields = [
        ("发文字号", f"某政发〔{year}〕{number}号"),
        ("成文日期", f"{written.year}年{written.month}月{written.day}日"),
        ("有效性", validity),
    ]
    html = (
        f"<html><head><title>{title}</title></head><body>"
        f"<h1>{title}</h1>{_FIELD_LAYOUTS[layout](fields)}"
        f"<div class='content'><p>{noise}</p><p>各区县人民政府：现将办法印发给你们。</p></div>"
        "</body></html>"
    )
    page = parsed(html, "http://www.example.gov.cn/zwgk/gfxwj/202401/t20240105_1.html")
    meta = extract_document(page)
    assert meta is not None
    assert meta.doc_number == f"某政发〔{year}〕{number}号"
    assert meta.written_date == written
    assert meta.validity == docmeta.normalize_validity(validity)


@PAGES
@given(html=HTML_PAGES)
def test_document_extraction_survives_any_page_and_is_repeatable(html: str) -> None:
    page = parsed(html)
    first = extract_document(page)
    again = extract_document(page)  # the tree is shared by every check: nothing may mutate it
    assert (first is None) == (again is None)
    if first is not None:
        assert first == again


# -- lists, Hanweb and TRS ---------------------------------------------------------------------


@PAGES
@given(html=HTML_PAGES)
def test_list_extraction_survives_any_page(html: str) -> None:
    page = parsed(html)
    found = extract_list(page, as_of=AS_OF)
    if found is not None:
        assert all(urlsplit(u).scheme in ("http", "https") for u in found.pagination)
        assert len(found.items) <= html.count("<a ")
    home_facts(page, as_of=AS_OF)
    is_placeholder_page(page)
    cms.read_pager(page.tree, page.url)


_UNRESOLVABLE = (
    '<html><body><script src="http://[::1/a.js"></script><iframe src="//[x"></iframe>'
    '<a href="http://[::1/">1</a><img src="http://%zz/\x0b.png"></body></html>'
)


def _run_page_checks(html: str, names: frozenset[str] | None = None) -> None:
    page = parsed(html)
    ctx = ScanContext(
        scan_id=1, site_id=1, site_url="http://www.example.gov.cn/", site_name="某局", as_of=AS_OF
    )
    for check in all_checks(sorted(names) if names else None):
        list(check.on_page(page, ctx) or ())


@PAGES
@given(html=HTML_PAGES)
@example(html=_UNRESOLVABLE)
def test_every_page_check_survives_any_page(html: str) -> None:
    """The crawler catches a failing check, but the check's findings for that page are lost:
    no registered page hook may raise on markup, however broken."""
    _run_page_checks(html)


def test_accessibility_check_survives_unresolvable_urls() -> None:
    _run_page_checks(_UNRESOLVABLE, frozenset({"accessibility"}))


@FAST
@given(records=st.lists(TEXTS.filter(lambda t: "]]>" not in t), max_size=20))
def test_hanweb_records_come_back_in_order(records: list[str]) -> None:
    html = (
        '<script type="text/xml"><datastore><nextgroup><![CDATA[]]></nextgroup><recordset>'
        + "".join(f"<record><![CDATA[{r}]]></record>" for r in records)
        + "</recordset></datastore></script>"
    )
    assert cms.hanweb_records(html) == [r.strip() for r in records]


@FAST
@given(
    count=st.integers(0, 100_000),
    current=st.integers(0, 100_000),
    ext=st.sampled_from(["html", "shtml", "htm"]),
    style=st.sampled_from(["classic", "div", "countPage"]),
    max_pages=st.integers(1, 150),
)
def test_trs_pager_urls_are_bounded_and_in_the_column(count, current, ext, style, max_pages):
    page_url = f"http://www.example.gov.cn/xwzx/gzdt/index_{current}.{ext}"
    script = {
        "classic": f'createPageHTML({count}, {current}, "index", "{ext}");',
        "div": f"createPageHTML('page_div', {count}, {current}, 'index', '{ext}', 74);",
        "countPage": f"var countPage = {count};var currentPage = {current};",
    }[style]
    urls = cms.trs_pagination(f"<script>{script}</script>", page_url, max_pages=max_pages)
    assert len(urls) <= max_pages
    assert len(urls) == len(set(urls))
    expected = max(min(count, max_pages + 1) - (1 if current < min(count, max_pages + 1) else 0), 0)
    assert len(urls) == min(expected, max_pages)
    for url in urls:
        assert url.startswith("http://www.example.gov.cn/xwzx/gzdt/index")
        assert cms.column_key(url) == "http://www.example.gov.cn/xwzx/gzdt/"


@FAST
@given(
    total=st.integers(0, 50_000),
    per_page=st.integers(1, 60),
    group=st.integers(1, 10),
    max_pages=st.integers(1, 120),
)
def test_hanweb_proxy_pages_cover_the_records_once(total, per_page, group, max_pages) -> None:
    html = (
        "<script>var param_1 = {col: 1, webid: '2', path: '/', columnid: 3, unitid: '4'};"
        f"$('#div').jpage({{dataStore: [], perPage: {per_page}, groupSize: {group}, "
        f"totalRecord: {total}, proxyUrl: '/module/web/jpage/dataproxy.jsp'}});</script>"
    )
    urls = cms.hanweb_pagination(html, "http://www.example.gov.cn/col/col3/index.html", max_pages)
    assert len(urls) <= max_pages
    starts = [int(re.search(r"startrecord=(\d+)", u).group(1)) for u in urls]
    ends = [int(re.search(r"endrecord=(\d+)", u).group(1)) for u in urls]
    step = per_page * group
    assert starts == list(range(step + 1, total + 1, step))[:max_pages]
    assert all(s <= e <= total for s, e in zip(starts, ends, strict=True))


@FAST
@given(
    urls=st.lists(
        st.builds(
            lambda n, shape: shape.format(n),
            st.integers(0, 5000),
            st.sampled_from(
                [
                    "http://a.gov.cn/x/index_{}.html",
                    "http://a.gov.cn/list-5-{}.html",
                    "http://a.gov.cn/x?page={}",
                    "http://a.gov.cn/y/",
                ]
            ),
        ),
        max_size=12,
    ),
    max_pages=st.integers(1, 200),
)
def test_numbered_pager_expansion_is_bounded_and_idempotent(urls, max_pages) -> None:
    once = cms.expand_numbered(urls, max_pages)
    assert set(cms.expand_numbered(once, max_pages)) == set(once)
    assert len(once) <= len(set(urls)) + 3 * max_pages
    assert set(urls) <= set(once) or len(once) >= max_pages


@FAST
@given(href=HREFS)
def test_column_and_page_keys_are_idempotent(href: str) -> None:
    url = absolutize(BASE, href)
    assume(url is not None)
    key = cms.column_key(url)
    assert cms.column_key(key) == key
    page_key = cms.same_page_key(url)
    assert cms.same_page_key(page_key) == page_key


# -- bytes ------------------------------------------------------------------------------------


@FAST
@given(
    body=st.binary(max_size=3000),
    charset=st.sampled_from(["utf-8", "gbk", "gb2312", "big5", "x-bogus", "", "utf-16"]),
)
def test_any_bytes_decode_and_parse(body: bytes, charset: str) -> None:
    content_type = f"text/html; charset={charset}" if charset else "text/html"
    encoding, text = decode(body, content_type)
    assert isinstance(text, str) and encoding
    page = parsed(body, content_type=content_type)
    assert page.tree is not None and isinstance(page.title, str)


# -- long hostile inputs: linear time, not a hang -----------------------------------------------

HOSTILE_TEXTS = {
    "50,000 date-like fragments": "2024-" * 50_000,
    "50,000 year brackets": "〔2023〕" * 50_000,
    "200,000 CJK characters without a label": "政" * 200_000,
    "20,000 labels in a row": "发文字号：" * 20_000,
    "100,000 spaces before a date": " " * 100_000 + "[05-07",
    "40,000 Chinese-numeral years": "二〇二四年" * 40_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
def test_long_hostile_text_is_read_in_bounded_time(name: str, fault_log: FaultLog) -> None:
    text = HOSTILE_TEXTS[name]
    started = time.monotonic()
    dates.parse_date(text, as_of=AS_OF)
    list(dates.iter_date_parts(text, as_of=AS_OF))
    docmeta.all_dates(text)
    docmeta.find_doc_number(text)
    docmeta.body_clauses(text)
    docmeta.normalize_validity(text)
    page = parsed(f"<html><head><title>t</title></head><body><p>{text}</p></body></html>")
    extract_document(page)
    extract_list(page, as_of=AS_OF)
    elapsed = time.monotonic() - started
    fault_log(f"text extractors fed {name} ({len(text):,} characters)", f"read in {elapsed:.2f} s")
    assert elapsed < 10, elapsed


def test_a_page_can_be_parsed_from_its_own_serialisation() -> None:
    """Idempotence of the parse: serialising a parsed tree and parsing it again gives the
    same links and title (what the browser audit and the report snippets rely on)."""
    html = (
        "<html><head><title>标题&amp;<b></title></head><body><ul>"
        + "".join(
            f"<li><a href='/a/t2024050{i}_1.html'>条目{i}</a><span>2024-05-0{i}</span>"
            for i in range(1, 9)
        )
        + "</ul></body></html>"
    )
    first = parsed(html)
    again = parsed(lxml.html.tostring(first.tree, encoding="unicode"))
    assert [link.url for link in again.links] == [link.url for link in first.links]
    assert again.title == first.title
