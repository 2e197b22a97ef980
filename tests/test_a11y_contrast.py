"""The static color-contrast rule: the cascade it resolves, what it leaves to the browser,
what it costs, and real government pages (no false findings).

The W3C-ACT-style cases in tests/act_fixtures/color-contrast/ run through the static rule
and through axe-core in Chromium (tests/test_a11y_static.py); these are the finer points.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
import tinycss2

import checks.a11y_static.cascade as cascade
import checks.a11y_static.contrast as contrast
import checks.a11y_static.style_keys as style_keys
from checks.a11y_static.colours import (
    WHITE,
    contrast_ratio,
    parse_colour,
    parse_legacy_colour,
    reported_ratio,
)
from checks.a11y_static.document import Doc
from checks.a11y_static.rules import audit
from checks.accessibility import AccessibilityCheck
from extract.parse import build_parsed_page
from govpatrol.core.types import FindingData
from tests.spies import count_calls
from tests.test_a11y_static import ctx

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-pages"
EXTERNAL = '<link rel="stylesheet" href="/css/site.css">'


def page(body: str, head: str = "", doctype: str = "<!DOCTYPE html>") -> str:
    return (
        f'{doctype}<html lang="zh-CN"><head><meta charset="utf-8"><title>测试</title>{head}'
        f"</head><body>{body}</body></html>"
    )


def failing(html: str) -> list[dict]:
    """The measurements of the elements the rule fails, in document order."""
    doc = Doc(lxml.html.document_fromstring(html), html)
    return [m.evidence() for m in contrast.analyse(doc).failures]


def judged(html: str) -> int:
    doc = Doc(lxml.html.document_fromstring(html), html)
    return len(contrast.analyse(doc).judged)


# --------------------------------------------------------------------------- colours


def test_colours_and_ratios_as_axe_computes_them() -> None:
    grey = parse_colour("#767676")
    assert grey is not None and not isinstance(grey, str)
    assert reported_ratio(contrast_ratio(grey, WHITE)) == 4.54
    assert reported_ratio(contrast_ratio(parse_colour("#777"), WHITE)) == 4.47  # type: ignore[arg-type]
    assert parse_colour("hsl(0, 0%, 50%)") == parse_colour("rgb(50%, 50%, 50%)")
    assert parse_colour("rgba(118, 118, 118, 1)") == grey
    assert parse_colour("currentColor") == "currentcolor"
    assert parse_colour("var(--x)") is None
    assert parse_legacy_colour("999999") == parse_colour("#999999")
    assert parse_legacy_colour("grey") == parse_colour("gray")
    assert parse_legacy_colour("not a colour") is None


# --------------------------------------------------------------------------- cascade


def test_specificity_beats_source_order_and_important_beats_both() -> None:
    css = "<style>#main p{color:#333} p.note{color:#ccc}</style>"
    assert failing(page('<div id="main"><p class="note">注释文字</p></div>', css)) == []
    css = "<style>#main p{color:#333} p.note{color:#ccc !important}</style>"
    assert len(failing(page('<div id="main"><p class="note">注释文字</p></div>', css))) == 1


def test_inheritance_and_the_nearest_opaque_background() -> None:
    html = page(
        '<div style="background:#222"><div style="background:transparent">'
        '<p style="color:#444">深色底上的深灰字</p><p style="color:#eee">深色底上的浅色字</p>'
        "</div></div>"
    )
    assert [m["background"] for m in failing(html)] == ["#222222"]
    # links are blue by the browser's own rule on the element, not inherited
    html = page('<div style="color:#ccc;background:#fff"><a href="/x">链接文字</a></div>')
    assert failing(html) == [] and judged(html) == 1
    # but an author rule on the link (even a weak one) wins over the browser's blue
    html = page('<a href="/x">链接文字</a>', "<style>a{color:#ddd}</style>")
    assert failing(html)[0]["foreground"] == "#dddddd"


def test_pseudo_classes_and_pseudo_elements_do_not_style_the_text() -> None:
    css = "<style>a:hover{color:#eee} p::first-line{color:#eee} p:focus{color:#eee}</style>"
    assert failing(page('<p style="background:#fff">段落 <a href="/x">链接</a></p>', css)) == []


def test_media_queries_print_viewport_and_screen() -> None:
    body = '<p class="x">正文文字</p>'
    assert failing(page(body, "<style>@media print{.x{color:#eee}}</style>")) == []
    assert len(failing(page(body, "<style>@media screen{.x{color:#eee}}</style>"))) == 1
    # a viewport-dependent rule may or may not apply: the colour is not settled
    assert failing(page(body, "<style>@media (max-width:800px){.x{color:#eee}}</style>")) == []
    assert failing(page(body, '<style media="print">.x{color:#eee}</style>')) == []


def test_presentational_attributes() -> None:
    assert failing(page('<font color="cccccc">旧式字体颜色</font>'))[0]["foreground"] == "#cccccc"
    html = page(
        '<table bgcolor="#333333"><tr><td><font color="#555">表格里的字</font></td></tr></table>'
    )
    assert failing(html)[0]["background"] == "#333333"
    assert len(failing(page("<p>全页正文</p>").replace("<body>", '<body text="#d0d0d0">'))) == 1
    # <font size="6"> is xx-large: 3:1 is enough for #888 (3.54:1)
    assert failing(page('<font color="#888888" size="6">大号字</font>')) == []
    assert len(failing(page('<font color="#888888" size="3">常规字</font>'))) == 1


def test_large_text_threshold_as_axe_rounds_it() -> None:
    # 18.5px bold is 13.875pt → ceil(72 * 18.5) / 96 = 13.875 < 14: normal text
    html = page('<p style="color:#888;font-size:18.5px;font-weight:bold">加粗文字</p>')
    assert failing(html)[0]["required_ratio"] == 4.5
    html = page('<p style="color:#888;font-size:18.67px;font-weight:700">加粗大字</p>')
    assert failing(html) == []
    # sizes relative to the parent, and heading defaults
    html = page(
        '<div style="font-size:12px"><p style="color:#888;font-size:200%">两倍字号</p></div>'
    )
    assert failing(html) == []
    assert failing(page('<h2 style="color:#888">二级标题</h2>')) == []
    # rem is the root element's size: 62.5% of 16px makes 2.4rem 24px (large)
    css = "<style>html{font-size:62.5%}</style>"
    assert failing(page('<p style="color:#888;font-size:2.4rem">根字号</p>', css)) == []
    assert len(failing(page('<p style="color:#888;font-size:1.6rem">根字号</p>', css))) == 1
    assert len(failing(page('<h4 style="color:#888">四级标题</h4>'))) == 1


def test_what_hides_or_alters_text_is_left_alone() -> None:
    for style, extra in (
        ("display:none", ""),
        ("visibility:hidden", ""),
        ("opacity:0.5", ""),
        ("filter:invert(1)", ""),
        ("position:absolute;left:-9999px", ""),
        ("text-indent:-9999px", ""),
        ("text-shadow:0 0 3px #000", ""),
        ("transform:translateY(-40px)", ""),
        ("margin-left:-10000px", ""),
        ("height:0;overflow:hidden", ""),
    ):
        html = page(
            f'<div style="{style}"><p style="color:#ddd;background:#fff">文字{extra}</p></div>'
        )
        assert failing(html) == [], style
    # what editors paste from word processors changes nothing
    html = page('<p style="color:#ddd;-webkit-text-stroke-width:0px;text-indent:2em">正文</p>')
    assert len(failing(html)) == 1
    # an embedded rule hides it as surely as an inline one
    css = "<style>.folded{visibility:hidden}</style>"
    assert failing(page('<div class="folded"><p style="color:#ddd">折叠</p></div>', css)) == []


def test_text_the_rule_does_not_judge() -> None:
    html = page(
        '<button style="color:#ddd">按钮文字</button><select><option style="color:#ddd">选项一</option>'
        '</select><p style="color:#ddd" aria-disabled="true">停用的控件说明</p>'
        '<p style="color:#ddd;background:#ddd">同色文字</p>'
        "<noscript><style>p{color:#eee}</style></noscript><p>普通正文</p>"
    )
    assert failing(html) == []


# --------------------------------------------------------------------------- open cascade


def test_a_linked_stylesheet_settles_only_what_the_page_declares_inline() -> None:
    # colour inline, background left to the stylesheet we did not fetch: not judged
    assert judged(page('<p style="color:#ccc">浅灰字</p>', EXTERNAL)) == 0
    # both inline: settled whatever the stylesheet says
    assert len(failing(page('<p style="color:#ccc;background:#fff">浅灰字</p>', EXTERNAL))) == 1
    # background-color alone leaves room for a background image from the stylesheet
    assert judged(page('<p style="color:#ccc;background-color:#fff">浅灰字</p>', EXTERNAL)) == 0
    # an embedded rule can be outranked by the linked sheet; an !important one cannot
    css = "<style>.x{color:#ccc;background:#fff}</style>"
    assert judged(page('<p class="x">浅灰字</p>', EXTERNAL + css)) == 0
    css = "<style>.x{color:#ccc !important;background:#fff !important}</style>"
    assert len(failing(page('<p class="x">浅灰字</p>', EXTERNAL + css))) == 1
    css = "<style>.x{color:#ccc ! IMPORTANT;background:#fff !Important}</style>"
    assert len(failing(page('<p class="x">浅灰字</p>', EXTERNAL + css))) == 1
    # an !important colour without an !important background settles nothing
    css = "<style>.x{color:#ccc !important;background:#fff}</style>"
    assert judged(page('<p class="x">浅灰字</p>', EXTERNAL + css)) == 0
    # @import is a stylesheet we do not fetch, too
    css = "<style>@import url(/css/more.css); .x{color:#ccc;background:#fff}</style>"
    assert judged(page('<p class="x">浅灰字</p>', css)) == 0


def test_an_unsettled_size_still_fails_below_three_to_one() -> None:
    # the linked sheet may make the text large: 3.54:1 might pass, 1.6:1 fails either way
    assert failing(page('<p style="color:#888;background:#fff">中灰字</p>', EXTERNAL)) == []
    found = failing(page('<p style="color:#ccc;background:#fff">浅灰字</p>', EXTERNAL))
    assert found[0]["contrast_ratio"] == 1.6 and found[0]["required_ratio"] == 4.5


def test_quirks_mode_tables_do_not_inherit_colour_from_outside() -> None:
    body = '<div style="color:#ccc"><table><tr><td>表格文字</td></tr></table></div>'
    assert len(failing(page(body))) == 1
    legacy = '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">'
    assert judged(page(body, doctype=legacy)) == 0
    assert judged(page(body, doctype="")) == 0


# --------------------------------------------------------------------------- the finding


def test_the_page_hook_reports_contrast_with_its_measurements() -> None:
    html = page(
        '<div id="notice"><p style="color:#aaa;background:#fff">温馨提示：以正式文件为准</p>'
        '<p style="color:#bbb;background:#fff">第二处浅色文字</p></div>',
        EXTERNAL,
    )
    url = "http://127.0.0.1/a.html"
    headers = {"content-type": "text/html; charset=utf-8"}
    parsed = build_parsed_page(url, url, 200, headers, html.encode("utf-8"))
    found = [
        f
        for f in AccessibilityCheck().on_page(parsed, ctx())
        if isinstance(f, FindingData) and f.detail.get("rule") == "color-contrast"
    ]
    assert len(found) == 1
    finding = found[0]
    assert finding.key == ("color-contrast",) and finding.severity == "medium"
    assert finding.message == "文字与背景颜色对比度不足（2 处；WCAG 2.1 1.4.3 对比度（最低限度））"
    detail = finding.detail
    assert detail["standard"] == "WCAG 2.1 1.4.3; GB/T 37668-2019"
    assert detail["selector"] == "#notice > p:nth-of-type(1)"
    assert detail["snippet"].startswith('<p style="color:#aaa;background:#fff">温馨提示')
    assert {k: detail[k] for k in ("foreground", "background", "contrast_ratio")} == {
        "foreground": "#aaaaaa",
        "background": "#ffffff",
        "contrast_ratio": 2.32,
    }
    assert (detail["required_ratio"], detail["font_size"], detail["bold"]) == (4.5, 16.0, False)
    assert detail["source"] == "static"


# --------------------------------------------------------------------------- cost


def fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty the caches a process keeps across pages (parsed ``<style>`` sheets, style
    paths and their answers), as in a process that has checked no page yet."""
    monkeypatch.setattr(cascade, "_EMBEDDED", {})
    monkeypatch.setattr(style_keys, "_interned", {})
    monkeypatch.setattr(style_keys, "_outcomes", {})


def test_pages_that_cannot_fail_are_not_analysed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The two pre-filters that keep the rule cheap on every page: a page with default
    colours only, and a page whose linked stylesheet leaves no element an inline
    background, are decided without parsing a sheet or resolving an element's style."""
    fresh_process(monkeypatch)
    calls = count_calls(monkeypatch, cascade.tinycss2, "parse_stylesheet")
    calls.update()  # one counter for both
    resolved = count_calls(monkeypatch, cascade.PageStyles, "declared")
    rows = '<div class="list"><a href="/1">标题一</a></div>' * 50
    css = "<style>.list{margin:0 auto;padding:4px}</style>"
    for html in (
        page(rows, css),  # default colours only
        page(rows.replace("<a ", '<a style="color:#ccc" '), EXTERNAL + css),  # no inline background
    ):
        assert audit(lxml.html.document_fromstring(html), html) == []
    assert calls == {} and resolved == {}
    html = page('<p style="color:#ccc;background:#fff">浅灰字</p>', EXTERNAL + css)
    assert [r.rule for r in audit(lxml.html.document_fromstring(html), html)] == ["color-contrast"]
    assert calls == {"parse_stylesheet": 1} and resolved["declared"] > 0


def test_each_stylesheet_is_parsed_once_per_page(monkeypatch: pytest.MonkeyPatch) -> None:
    fresh_process(monkeypatch)
    parsed = count_calls(monkeypatch, cascade.tinycss2, "parse_stylesheet")
    css = "<style>.a{color:#ccc}</style><style>.b{color:#333} .c{background:#fff}</style>"
    rows = "".join(f'<p class="{"abc"[i % 3]}">第{i}行文字</p>' for i in range(300))
    html = page(rows, css)
    results = audit(lxml.html.document_fromstring(html), html)
    assert parsed == {"parse_stylesheet": 2}
    assert [r.nodes for r in results if r.rule == "color-contrast"] == [100]


def template_page(article: str, css: str) -> str:
    chrome = (
        '<div class="top"><a href="/">首页</a><span class="tip">温馨提示文字</span></div>'
        + '<div class="nav"><a href="/a">栏目一</a><a href="/b">栏目二</a></div>'
    )
    return page(chrome + f'<div class="body">{article}</div>', css)


def test_pages_of_one_template_share_their_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A second page of the same template is judged from the first one's answers: its
    sheet is not parsed again and no element's style is resolved again, and the findings
    are the same as for a page judged alone, element by element."""
    fresh_process(monkeypatch)
    css = "<style>.top{background:#fff} .tip{color:#bbb} .nav a{color:#0b3d91}</style>"
    first = template_page("<p>第一篇文章的正文</p>", css)
    second = template_page('<p>第二篇文章的正文</p><p class="x">另一段文字</p>', css)
    assert [r.nodes for r in audit(lxml.html.document_fromstring(first), first)] == [1]
    parsed = count_calls(monkeypatch, cascade.tinycss2, "parse_stylesheet")
    resolved = count_calls(monkeypatch, cascade.PageStyles, "_resolve")
    tree = lxml.html.document_fromstring(second)
    results = audit(tree, second)
    assert parsed == {}
    # only the new paragraph's path is new (its class is read by no rule, but it is in the key)
    assert resolved["_resolve"] <= 4
    assert [(r.rule, r.nodes) for r in results] == [("color-contrast", 1)]
    fresh_process(monkeypatch)
    alone = audit(lxml.html.document_fromstring(second), second)
    assert alone == results


def test_an_answer_is_shared_only_where_the_sheets_and_path_are_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The key holds the sheets' text, the ancestors' classes and the inline style: a page
    whose sheet, class or style differs gets its own answer."""
    fresh_process(monkeypatch)
    grey = "<style>.tip{color:#bbb}</style>"
    dark = "<style>.tip{color:#333}</style>"
    cases = [
        (template_page("", grey), 1),
        (template_page("", dark), 0),  # another sheet
        (template_page("", grey).replace('class="tip"', 'class="tip2"'), 0),  # another class
        (template_page("", grey).replace('class="tip"', 'class="tip" style="color:#000"'), 0),
        (template_page("", grey), 1),
    ]
    for html, failing in cases:
        results = audit(lxml.html.document_fromstring(html), html)
        assert sum(r.nodes for r in results if r.rule == "color-contrast") == failing, html


def test_sibling_selectors_are_judged_page_by_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a sibling combinator or a structural pseudo-class in a sheet, the same path
    may match other rules on another page: nothing is shared."""
    fresh_process(monkeypatch)
    css = "<style>.top{background:#fff} span + span{color:#bbb}</style>"
    one = page('<div class="top"><span>第一段文字</span></div>', css)
    two = page('<div class="top"><span>第一段文字</span><span>第二段文字</span></div>', css)
    for html, failing in ((one, 0), (two, 1), (one, 0)):
        results = audit(lxml.html.document_fromstring(html), html)
        assert sum(r.nodes for r in results if r.rule == "color-contrast") == failing
    assert style_keys._outcomes == {}


@pytest.mark.parametrize(
    ("selector", "path_only", "attributes"),
    [
        (".a > b #c", True, set()),
        ("a:link, a:hover, :root p", True, set()),
        ("p:not(.x) [data-k='v']", True, {"data-k"}),
        ("input[type=text] ~ label", False, {"type"}),
        ("li:first-child", False, set()),
        ("li:nth-child(2n+1)", False, set()),
        ("p:not(:last-child)", False, set()),
        ("div:has(> img)", False, set()),
        ("p:lang(zh)", False, set()),
        ("svg|a", False, set()),
        ("[lang|=zh]", True, {"lang"}),
        ("p::first-line", True, set()),
    ],
)
def test_what_a_selector_reads_of_an_element(selector, path_only, attributes) -> None:
    prelude = tinycss2.parse_component_value_list(selector)
    assert cascade._selector_reads(prelude) == (path_only, attributes)


# --------------------------------------------------------------------------- real pages


def real_pages() -> list[Path]:
    if not REAL.exists():
        pytest.skip("shared/real-pages is not beside the checkout")
    return sorted(REAL.glob("*.html"))


def test_real_pages_have_no_static_contrast_findings() -> None:
    """None of the real pages settles a failing colour pair itself: every one either links
    its stylesheet (the background behind inline-coloured text is the sheet's) or uses
    default colours. The grey dates of the 宜春 list (``<td style="color:#999">``) are
    probably low contrast, but on a background only the linked sheet knows: the browser's."""
    pages = real_pages()
    assert len(pages) >= 20
    for path in pages:
        text = path.read_text(encoding="utf-8")
        results = audit(lxml.html.document_fromstring(text), text)
        assert "color-contrast" not in {r.rule for r in results}, path.name
    text = (REAL / "list-trs-table-yichun-zwyw-2017.html").read_text(encoding="utf-8")
    doc = Doc(lxml.html.document_fromstring(text), text)
    assert cascade.PageStyles(doc).open
    assert contrast.analyse(doc).judged == []


def test_stylesheets_parse_in_every_real_page() -> None:
    for path in real_pages():
        text = path.read_text(encoding="utf-8")
        doc = Doc(lxml.html.document_fromstring(text), text)
        styles = cascade.PageStyles(doc)
        for el in doc.root.iter():
            if isinstance(el.tag, str):
                styles.declared(el)  # every selector of every sheet matched without error
    assert tinycss2.__version__


# --------------------------------------------------------------------------- sample portal


def test_the_sample_portal_plants_static_contrast_exactly_where_its_truth_says(
    portal_dir: Path, truth: dict
) -> None:
    """Over every page of the generated portal, the static rule with the site's main.css
    fails exactly the pages the truth marks as static color-contrast: not the 24px grey
    headline (3:1 is enough), not the caption on a picture. Without main.css it fails only
    the pages that settle their colours themselves, not the two whose grey class lives in
    main.css."""
    expected = {
        item["page"]
        for item in truth["findings"]
        if (item.get("key") or {}).get("rule") == "color-contrast" and item["detail"]["static"]
    }
    assert len(expected) == 4
    by_main_css = {p for p in expected if 'class="tip-light"' in _read(portal_dir, p)}
    assert len(by_main_css) == 2

    class SiteFiles:
        def stylesheet(self, url: str) -> cascade.Stylesheet | None:
            file = portal_dir / "site" / url.split("/", 3)[3]
            return cascade.Stylesheet(file.read_text("utf-8"), url) if file.is_file() else None

    found: dict[bool, set[str]] = {True: set(), False: set()}
    for path in truth["pages"]:
        text = _read(portal_dir, path)
        if not text.strip():
            continue
        for with_sheets in (True, False):
            sheets = SiteFiles() if with_sheets else None
            tree = lxml.html.document_fromstring(text)
            url = "http://portal.test" + path
            results = audit(tree, text, stylesheets=sheets, url=url)
            if "color-contrast" in {r.rule for r in results}:
                found[with_sheets].add(path)
    assert found[True] == expected
    assert found[False] == expected - by_main_css
    pictured = [p for p in truth["pages"] if "logo.png) no-repeat" in _read(portal_dir, p)]
    large = [p for p in truth["pages"] if "font-size:24px" in _read(portal_dir, p)]
    assert len(pictured) == 1 and len(large) == 1  # the two planted non-findings exist


def _read(portal_dir: Path, path: str) -> str:
    """A generated HTML page's text ('' for other files; the GB18030 pages hold no CSS)."""
    file = portal_dir / "site" / (path.lstrip("/") or "index.html")
    if file.suffix != ".html" or not file.is_file() or path.startswith("/xxgk/dazl/gb"):
        return ""
    return file.read_bytes().decode("utf-8-sig", errors="replace")


def test_embedded_sheets_kept_across_pages_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """``<style>`` sheets are kept by content for the next page of the template, but never
    more than a bounded amount of CSS text: a site that embeds a different large sheet in
    every page does not grow the process."""
    fresh_process(monkeypatch)
    monkeypatch.setattr(cascade, "_EMBEDDED_MAX_CHARS", 5_000)
    rule = ".x{color:#333}"
    first = cascade.Stylesheet.embedded(rule, None)
    assert cascade.Stylesheet.embedded(rule, None) is first  # the same text: one parse
    for n in range(50):
        cascade.Stylesheet.embedded(f".p{n}{{color:#111}}" + " " * 900, None)
        assert sum(len(css) for css, _ in cascade._EMBEDDED) <= 5_000
    huge = cascade.Stylesheet.embedded("a{color:#000}" + " " * 6_000, None)
    assert huge.css not in {css for css, _ in cascade._EMBEDDED}
