"""DOM-skeleton template keys, on real government pages and on made-up variations."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

import extract.templates as templates
from extract.templates import template_key
from tests.spies import record_calls

# The real-pages corpus beside the checkout (../shared/real-pages), not part of the repository:
# the tests that read it skip without it.
REAL = Path(__file__).resolve().parents[2] / "shared" / "real-pages"


def real_dir() -> Path:
    if not REAL.exists():
        pytest.skip("shared/real-pages is not beside the checkout")
    return REAL


def key_of(name: str) -> str:
    # Parse the decoded text, as the crawler does (one file declares gb2312 but is UTF-8).
    text = (real_dir() / name).read_text(encoding="utf-8")
    return template_key(lxml.html.document_fromstring(text))


def key_html(html: str) -> str:
    return template_key(lxml.html.document_fromstring(html))


def test_two_list_pages_of_one_site_share_a_key() -> None:
    # cnta.gov.cn: 旅游人才 and 市场推广 columns, rendered by the same TRS list template
    assert key_of("list-trs-ul-cnta-lyrc-2017.html") == key_of("list-trs-ul-cnta-sctg-2017.html")


def test_list_and_article_of_one_site_differ() -> None:
    # nyj.shandong.gov.cn (Hanweb): 通知公告 list vs an article
    assert key_of("list-hanweb-sdnyj-tzgg-2026.html") != key_of("doc-hanweb-sdnyj-dtyw-2026.html")
    # cnta.gov.cn: column list vs channel page
    assert key_of("list-trs-ul-cnta-lyrc-2017.html") != key_of("home-trs-cnta-zdgz-2017.html")


def test_documents_of_one_template_share_a_key_despite_different_bodies() -> None:
    # gov.cn policy pages: article bodies of 1 to 90 paragraphs, same layout
    names = [
        "doc-govcn-frag-gbf2018-115.html",
        "doc-govcn-frag-gbf2019-3.html",
        "doc-govcn-frag-gbf2019-6.html",
        "doc-govcn-frag-gf2019-5.html",
        "doc-govcn-frag-gh2018-159.html",
        "doc-govcn-frag-gl707.html",
    ]
    assert len({key_of(n) for n in names}) == 1


def test_different_sites_get_different_keys() -> None:
    keys = {
        key_of(name)
        for name in (
            "list-trs-table-zhangshu-zhxx-2017.html",
            "list-trs-table-yzq-zwyw-2017.html",
            "list-powereasy-jxjaxzf-zwyw-2017.html",
            "list-phpcms-wanzai-wzyw-2017.html",
            "list-turbocms-jxfc-xw-2017.html",
        )
    }
    assert len(keys) == 5


PAGE = """<html><head><title>{title}</title><meta name="keywords" content="{title}"></head>
<body><div id="header" class="top {state}"><ul class="nav"><li class="{state}"><a href="/">首页</a></li>
<li><a href="/a">政务公开</a></li></ul></div>
<div class="main"><div class="list"><ul>{items}</ul></div><div id="pager">{pager}</div></div>
<div class="footer"><p>版权所有</p></div></body></html>"""


def list_page(n: int, *, title: str = "通知公告", state: str = "", pager: str = "") -> str:
    items = "".join(
        f'<li class="{"odd" if i % 2 else "even"}"><a href="/t{i}.html">标题{i}</a><span>2026-01-{i % 28 + 1:02d}</span></li>'
        for i in range(n)
    )
    return PAGE.format(title=title, items=items, state=state, pager=pager)


def test_text_list_length_and_state_classes_do_not_matter() -> None:
    base = key_html(list_page(3))
    assert key_html(list_page(25, title="人事信息")) == base
    assert key_html(list_page(1, state="on current")) == base


def test_a_structural_change_changes_the_key() -> None:
    base = key_html(list_page(3))
    article = list_page(3).replace(
        '<div class="list"><ul>',
        '<div class="article"><h1>题目</h1><div id="zoom"><p>一</p><p>二</p></div><ul>',
    )
    assert key_html(article) != base
    renamed = list_page(3).replace('class="main"', 'class="content-wrap"')
    assert key_html(renamed) != base


def test_article_bodies_are_one_opaque_node() -> None:
    shell = '<html><body><div class="art"><h1>题</h1><div id="zoom">{}</div></div></body></html>'
    short = shell.format("<p>一段</p><p>两段</p>")
    long = shell.format("<p>一</p>" * 40 + "<table><tr><td>表</td></tr></table><div>图注</div>")
    assert key_html(short) == key_html(long)


def test_numbered_ids_are_folded() -> None:
    tabs = '<html><body><div id="con_{}" class="tab"><ul><li><a href="/">x</a></li></ul></div></body></html>'
    assert key_html(tabs.format(1)) == key_html(tabs.format(7))


def test_key_format_and_fragments() -> None:
    key = key_html("<div><p>片段</p></div>")
    assert len(key) == 20 and all(c in "0123456789abcdef" for c in key)
    fragment = lxml.html.fragment_fromstring('<div class="a"><ul><li>1</li></ul></div>')
    assert template_key(fragment) == template_key(
        lxml.html.fragment_fromstring('<div class="a"><ul><li>2</li><li>3</li></ul></div>')
    )


@pytest.mark.parametrize(
    "name", ["doc-jxjyh-wanzai-tjgb2015.html", "list-powereasy-jxjaxzf-zwyw-2017.html"]
)
def test_one_pass_over_the_body_with_bounded_signatures(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It runs on every crawled page (bench/checks.py times it): one recursive pass visits
    each block element of the body once, never the head, inline markup or what a leaf
    holds, and a signature longer than the limit is hashed where it is built, so no parent
    concatenates its whole subtree's skeleton."""
    tree = lxml.html.document_fromstring((real_dir() / name).read_text(encoding="utf-8"))
    expected = template_key(tree)
    calls = record_calls(monkeypatch, templates, "_signature")
    assert template_key(tree) == expected  # the spy changes no answer
    body = tree.find("body")
    visited = [el for el, _ in calls]
    assert visited[-1] is body and len(set(visited)) == len(visited)
    assert all(body in el.iterancestors() for el in visited[:-1])  # the head is not read
    # the article's paragraphs and the list's links are not walked (118 of 808, 295 of 726)
    assert len(visited) * 2 < sum(1 for _ in body.iter())
    for el, signature in calls:
        label = templates._label(el, el.tag.lower())
        assert len(signature) <= len(label) + len("()") + templates._MAX_SIG, el.tag
