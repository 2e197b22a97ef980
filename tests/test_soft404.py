"""Soft-404 and bot-challenge recognition, on real government markup and planted pages."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import lxml.html
import pytest

import extract.soft404 as soft404
from extract.soft404 import (
    NotFoundProfile,
    challenge_reason,
    is_error_page,
    not_found_reason,
    page_text,
)
from tests.spies import count_calls

REAL_PAGES = Path(__file__).resolve().parents[2] / "shared" / "real-pages"
CHALLENGE_NAME = "soft-challenge-energyrag-anquanyanzheng.html"

TEMPLATE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><div class="top"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/hdjl/">互动交流</a>
</div><div id="dh"><ul><li>机构概况</li><li>政策文件</li><li>通知公告</li></ul></div>
<div class="content">{body}</div>
<div class="bottom"><p>主办单位：示例市人民政府办公室 联系电话：0571-86404404</p>
<p>网站标识码：3300000001 浙ICP备05000404号</p></div></body></html>"""
NOT_FOUND_BODY = (
    "<p>抱歉，您要浏览的内容暂时无法显示，请返回首页继续浏览。</p><p>请求地址：{path}</p>"
)


def real_pages() -> list[Path]:
    if not REAL_PAGES.exists():
        pytest.skip("shared/real-pages is not beside the repository")
    return sorted(REAL_PAGES.glob("*.html"))


def parse(html: str) -> lxml.html.HtmlElement:
    """The tree the crawler hands the hooks: the decoded page parsed as UTF-8 bytes."""
    return lxml.html.fromstring(html.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))


def title_of(html: str) -> str:
    return (parse(html).findtext(".//title") or "").strip()


# -- phrases ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "页面不存在",
        "404",
        "404 Not Found",
        "404 - 示例市人民政府",
        "错误404：页面找不到",
        "页面已删除",
    ],
)
def test_error_titles(title: str) -> None:
    assert is_error_page(200, title, TEMPLATE.format(title=title, body="")) is not None


@pytest.mark.parametrize(
    "title",
    [
        "政府信息不存在告知书",  # a real 依申请公开 document type
        "关于印发国办函〔2019〕404号文件的通知",
        "G404国道示例段改建工程环境影响评价公示",
        "示例市人民政府",
        "关于开展网络安全验证工作的通知",
    ],
)
def test_normal_titles(title: str) -> None:
    body = "<p>" + "正文内容。" * 80 + "</p>"
    assert is_error_page(200, title, TEMPLATE.format(title=title, body=body)) is None


def test_phrase_in_main_text_of_a_short_page() -> None:
    html = TEMPLATE.format(title="示例市人民政府", body="<p>对不起，您访问的页面不存在！</p>")
    assert "页面不存在" in (is_error_page(200, "示例市人民政府", html) or "")


def test_not_found_phrase_deep_in_a_long_article_is_news() -> None:
    body = (
        "<p>" + "本次检查发现部分网站存在链接打开后显示页面不存在等问题，已要求整改。" * 20 + "</p>"
    )
    html = TEMPLATE.format(title="关于政府网站检查情况的通报", body=body)
    assert is_error_page(200, "关于政府网站检查情况的通报", html) is None


def test_404_in_footer_phone_number_or_record_number_is_not_an_error() -> None:
    html = TEMPLATE.format(title="联系我们", body="<p>咨询电话：0571-404404</p>")
    assert is_error_page(200, "联系我们", html) is None
    assert "0571-86404404" in page_text(html).full
    assert "0571-86404404" not in page_text(html).main  # the footer is not main text


def test_http_error_status_is_an_error_page() -> None:
    assert is_error_page(404, "", "") == "HTTP 404"
    assert is_error_page(500, "首页", "<html></html>") == "HTTP 500"


def test_plain_text_bodies() -> None:
    assert not_found_reason("", "404 Not Found") is not None
    assert not_found_reason("", "每日更新") is None


def test_real_government_pages_are_not_error_pages() -> None:
    checked = 0
    for path in real_pages():
        if path.name == CHALLENGE_NAME:
            continue
        html = path.read_text(encoding="utf-8")
        title = title_of(html)
        assert is_error_page(200, title, html) is None, path.name
        assert challenge_reason(200, {"server": "nginx"}, html) is None, path.name
        checked += 1
    assert checked >= 29


# -- the site's own not-found page -----------------------------------------------------------


def not_found_html(path: str) -> str:
    return TEMPLATE.format(title="示例市人民政府", body=NOT_FOUND_BODY.format(path=path))


def make_profile() -> NotFoundProfile:
    """The profile of a site answering missing URLs with 200 and a 页面不存在 page (also
    bench/checks.py's, which cannot call a fixture)."""
    url = "http://127.0.0.1:8080/govpatrol-missing-1f2e3d4c5b6a.html"
    return NotFoundProfile.from_response(
        200,
        "text/html; charset=utf-8",
        not_found_html("/govpatrol-missing-1f2e3d4c5b6a.html"),
        "示例市人民政府",
        requested_url=url,
        final_url=url,
    )


@pytest.fixture
def profile() -> NotFoundProfile:
    return make_profile()


def test_profile_recognises_the_not_found_page_at_another_url(profile) -> None:
    url = "http://127.0.0.1:8080/xxgk/2024/t20240507_12345.html"
    html = not_found_html("/xxgk/2024/t20240507_12345.html")
    assert profile.matches(200, "示例市人民政府", html, url=url) is not None
    # the echoed path is recognised as a path even when the URL is not known
    assert profile.matches(200, "示例市人民政府", html, url="http://127.0.0.1:8080/other.html")
    # a not-found page whose words do not say so is only compared when the URL is known
    assert profile.matches(200, "示例市人民政府", html) is None


def test_profile_does_not_match_real_pages_of_the_same_template(profile) -> None:
    tiny = TEMPLATE.format(title="示例市人民政府", body="<p>暂无信息</p>")
    short = TEMPLATE.format(title="示例市人民政府", body="<p>局领导：张三 李四 王五 赵六</p>")
    long = TEMPLATE.format(title="示例市人民政府", body="<p>" + "工作动态。" * 200 + "</p>")
    for html in (tiny, short, long):
        assert profile.matches(200, "示例市人民政府", html, url="http://127.0.0.1:8080/a/") is None
    # another title: a 200 not-found page of this site always carries the same one
    other = not_found_html("/x.html")
    assert profile.matches(200, "通知公告", other) is None


def test_profile_survives_json_round_trip(profile) -> None:
    restored = NotFoundProfile.from_dict(json.loads(json.dumps(profile.to_dict())))
    assert restored is not None and restored.says_not_found is False
    assert restored.matches(200, "示例市人民政府", not_found_html("/y.html"), url="http://h/y.html")
    assert NotFoundProfile.from_dict(None) is None


def test_site_answering_missing_urls_with_its_home_page() -> None:
    home = TEMPLATE.format(title="示例市人民政府", body="<ul>" + "<li>要闻标题</li>" * 30 + "</ul>")
    profile = NotFoundProfile.from_response(
        200,
        "text/html",
        home,
        "示例市人民政府",
        requested_url="http://h/govpatrol-missing-00aa.html",
        final_url="http://h/govpatrol-missing-00aa.html",
    )
    assert not profile.says_not_found
    # the home page itself, and directory indexes, are never "the not-found page"
    for url in ("http://h/", "http://h/index.html", "http://h/zwgk/"):
        assert profile.matches(200, "示例市人民政府", home, url=url) is None
    assert profile.matches(200, "示例市人民政府", home, url="http://h/zwgk/t1.html") is not None
    assert profile.matches(200, "示例市人民政府", home) is None  # unknown URL: no judgement


def test_site_redirecting_missing_urls_to_one_page() -> None:
    profile = NotFoundProfile.from_response(
        200,
        "text/html",
        not_found_html(""),
        "示例市人民政府",
        requested_url="http://h/govpatrol-missing-1.html",
        final_url="http://h/404.html",
    )
    assert profile.redirects_elsewhere
    reason = profile.matches(
        200, "x", "<p>x</p>", url="http://h/old.html", final_url="http://h/404.html"
    )
    assert reason is not None and "404.html" in reason
    assert (
        profile.matches(
            200, "x", "<p>x</p>", url="http://h/404.html", final_url="http://h/404.html"
        )
        is None
    )


def test_profile_of_an_empty_shell_never_matches() -> None:
    shell = '<html><head><title>加载中</title></head><body><div id="app"></div></body></html>'
    profile = NotFoundProfile.from_response(200, "text/html", shell, "加载中")
    assert profile.matches(200, "加载中", shell, url="http://h/a.html") is None


# -- bot protection ---------------------------------------------------------------------------


def test_real_anti_bot_interstitial() -> None:
    pages = {p.name: p for p in real_pages()}
    html = pages[CHALLENGE_NAME].read_text(encoding="utf-8")
    assert "安全验证" in (challenge_reason(200, {}, html) or "")
    assert challenge_reason(403, {"server": "nginx"}, html) is not None


@pytest.mark.parametrize(
    ("status", "headers", "body"),
    [
        (999, {}, ""),
        (403, {"cf-mitigated": "challenge"}, ""),
        (503, {"Server": "cloudflare"}, "<html><title>Just a moment...</title></html>"),
        (412, {}, "<html><script>$_ts=window['$_ts'];</script></html>"),
        (200, {}, "<html><script>document.cookie='__jsl_clearance=1'</script></html>"),
        (200, {}, '<html><body><script>var yunsuo_session_verify="x"</script></body></html>'),
        (403, {}, "<html><title>访问被拦截</title><body>您的访问被阻断</body></html>"),
        (200, {}, "<html><body><p>请开启JavaScript后刷新页面</p></body></html>"),
    ],
)
def test_challenges(status: int, headers: dict[str, str], body: str) -> None:
    assert challenge_reason(status, headers, body) is not None


def test_jiasule_cookie_challenge_with_multiple_set_cookie_headers() -> None:
    headers = httpx.Headers([("Set-Cookie", "a=1"), ("Set-Cookie", "__jsluid_h=abc; path=/")])
    assert challenge_reason(521, headers, "<script>eval(x)</script>") is not None
    assert challenge_reason(200, headers, "<html><title>首页</title></html>") is None


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, "<html><title>首页</title><body>" + "政务动态" * 400 + "</body></html>"),
        # an article about the subject is long
        (
            200,
            "<html><title>通知</title><body>关于开展安全验证的通知"
            + "正文" * 500
            + "</body></html>",
        ),
        # a real 404 page asking for JavaScript is still a 404
        (404, "<html><body>请开启JavaScript</body></html>"),
        (200, "<html><!-- 网站防火墙 --><title>首页</title><body>欢迎</body></html>"),
    ],
)
def test_not_challenges(status: int, body: str) -> None:
    assert challenge_reason(status, {"server": "nginx"}, body) is None


# -- what keeps the page hooks cheap --------------------------------------------------------


def test_page_hooks_decide_ordinary_pages_before_reading_their_text(
    profile: NotFoundProfile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The crawler asks both questions of every page of 20,000-page sites (bench/checks.py
    times them). A scan of the raw HTML for literal fragments of the phrases answers most
    pages without extracting any text, and the profile's title and length gates answer
    them without building a 3-gram set. The fragments are loose (a 防火墙 headline, a 404
    inside a URL), so the few pages they let through are then read and found ordinary."""
    docs = []
    for path in real_pages():
        html = path.read_text(encoding="utf-8")
        docs.append((path.name, html, parse(html), title_of(html)))
    calls = count_calls(monkeypatch, soft404, "visible_text", "page_text", "_normalise")
    shingles = count_calls(monkeypatch, soft404, "_shingles")
    url = "http://127.0.0.1:8080/a/b.html"
    read_for_challenge: list[str] = []
    read_for_not_found: list[str] = []
    for name, html, tree, title in docs:
        calls.clear()
        reason = challenge_reason(200, {}, html)
        assert (reason is not None) == (name == CHALLENGE_NAME), name
        if calls["visible_text"]:
            read_for_challenge.append(name)
        calls.clear()
        assert is_error_page(200, title, html, profile, url=url, tree=tree) is None, name
        if calls["page_text"]:
            read_for_not_found.append(name)
        assert calls["_normalise"] == 0, name  # another title than the not-found page's
    assert shingles == {}
    assert CHALLENGE_NAME in read_for_challenge
    assert len(read_for_challenge) * 10 <= len(docs)  # 2 of 30 when written
    assert len(read_for_not_found) * 4 <= len(docs)  # 6 of 30 when written
    # A template giving every page one title: the length gate still spares the 3-gram set.
    name, html, tree, _ = next(doc for doc in docs if doc[0] == "doc-jxjyh-wanzai-tjgb2015.html")
    calls.clear()
    assert profile.matches(200, profile.title, html, url=url, tree=tree) is None, name
    assert calls["_normalise"] == 1 and shingles == {}
    missing = not_found_html("/another/missing.html")
    assert profile.matches(200, profile.title, missing, url=url) is not None
    assert shingles == {"_shingles": 1}  # a page of the not-found page's size is compared


# -- error pages by their wording (issue #21) -----------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "error-404",
        "Error_404",
        "HTTP404",
        "404_页面不存在",
        "Error 404 | 示例市人民政府",
        "404-您访问的页面不存在",
        "404-示例市人民政府",
        "提示信息：您访问的页面不存在或已被删除",
        "对不起，您访问的页面已被移动！",
        "链接已过期 - 示例市人民政府",
    ],
)
def test_error_titles_with_separators_and_wording(title: str) -> None:
    body = "<p>" + "请返回首页继续浏览。" * 5 + "</p>"
    assert not_found_reason(title, TEMPLATE.format(title=title, body=body)) is not None, title


@pytest.mark.parametrize(
    "title",
    [
        "G404-1 国道改建工程公示",  # a road number, then a section
        "会议室404-2使用登记",  # a room
        "关于2019-404号建议的答复",
        "关于部分网站页面不存在问题的整改通报",  # a headline about error pages
        "市政府网站旧版页面已移除，新版网站正式上线运行",
        "关于网址输入错误导致无法办理业务的情况说明会",
    ],
)
def test_titles_mentioning_error_words_are_not_error_pages(title: str) -> None:
    body = "<p>" + "正文内容。" * 80 + "</p>"
    assert not_found_reason(title, TEMPLATE.format(title=title, body=body)) is None, title


@pytest.mark.parametrize(
    "message",
    [
        "您要查找的资源可能已被删除、已更改名称或者暂时不可用。请检查地址中可能存在键入错误。",
        "您输入的网址有误，请返回首页。",
        "链接已过期，请重新获取。",
        "该链接已失效。",
        "页面已移除。",
        "页面已删除，3 秒后返回首页。",
        "您访问的页面已被移动到新地址。",
        "抱歉！您访问的页面不存在。",
        "找不到您要访问的页面",
        "抱歉，您访问的页面暂时无法打开，请稍后再试。",
        "请检查您输入的网址是否正确。",
    ],
)
def test_error_wording_as_the_main_text_of_a_short_page(message: str) -> None:
    html = TEMPLATE.format(title="示例市人民政府", body=f"<p>{message}</p>")
    assert not_found_reason("示例市人民政府", html) is not None, message


def test_error_heading_in_a_big_template_counts() -> None:
    """The main text of this page is long (an unrecognised side menu), but its heading says
    what the page is."""
    menu = "".join(f"<li><a href='/c{i}/'>栏目名称{i}号</a></li>" for i in range(60))
    body = f"<h1>404-您访问的页面不存在</h1><ul class='lm'>{menu}</ul>"
    html = TEMPLATE.format(title="示例市人民政府", body=body)
    assert len(page_text(html).main) > soft404.MAX_ERROR_MAIN_CHARS
    assert "标题栏" in (not_found_reason("示例市人民政府", html) or "")


@pytest.mark.parametrize(
    "body",
    [
        # a download guide that says what to do if a link has expired
        "<p>附件：2024年度统计表.xls</p><p>如链接已失效请联系我们：0571-88888888</p>",
        "<p>下载说明：若链接已过期，请在本页重新获取下载地址。</p>",
        # short news about cleaning up dead links
        "<p>本周我局开展网站巡查，清理“链接已失效”页面12个，整改完毕。</p>",
        # a login prompt is no error page
        "<p>抱歉，您访问的页面需要登录后查看。</p>",
    ],
)
def test_short_pages_mentioning_error_words_are_not_error_pages(body: str) -> None:
    html = TEMPLATE.format(title="示例市人民政府", body=body)
    assert not_found_reason("示例市人民政府", html) is None, body


def test_a_long_article_about_error_pages_is_news_even_with_such_a_heading() -> None:
    text = "本次检查发现部分网站存在链接打开后显示页面不存在、链接已过期等问题，已要求整改。"
    body = "<h1>网站链接已失效</h1>" + "<p>" + text * 40 + "</p>"
    html = TEMPLATE.format(title="关于政府网站检查情况的通报", body=body)
    assert not_found_reason("关于政府网站检查情况的通报", html) is None


@pytest.mark.parametrize(
    "title",
    [
        "我区开展政府网站404页面规范化检查_示例市人民政府",  # a headline naming 404 pages
        "关于整改404错误页面设置不规范问题的通知 - 示例市人民政府",
    ],
)
def test_headlines_naming_404_pages_are_not_error_titles(title: str) -> None:
    body = "<p>" + "正文内容。" * 80 + "</p>"
    assert not_found_reason(title, TEMPLATE.format(title=title, body=body)) is None, title


@pytest.mark.parametrize("title", ["404 页面没有找到", "404错误页面", "示例市人民政府 - 404"])
def test_titles_of_404_and_little_else_are_error_titles(title: str) -> None:
    body = "<p>" + "请返回首页继续浏览。" * 5 + "</p>"
    assert not_found_reason(title, TEMPLATE.format(title=title, body=body)) is not None, title


def test_titles_of_a_short_list_are_not_what_the_page_says() -> None:
    """A short column list whose row titles speak of 404 pages and dead links is a list."""
    rows = "".join(
        f"<li><a href='/xw/t2026111{n}_{n}.html'>{title}</a><span>2026-11-1{n}</span></li>"
        for n, title in enumerate(
            [
                "我区开展网站404页面检查",
                "关于部分网站页面不存在问题的整改通报",
                "区政府召开常务会议",
            ]
        )
    )
    html = TEMPLATE.format(title="工作动态", body=f"<ul class='list'>{rows}</ul>")
    assert not_found_reason("工作动态", html) is None


def test_a_short_article_about_error_pages_is_news() -> None:
    """Quoted wording and an article's dateline: a short news item about 404 pages."""
    body = (
        "<h1>我区开展政府网站错误页面检查</h1><p>发布时间：2026-11-12 来源：区政务公开办</p>"
        "<p>检查发现，部分网站仍返回“页面不存在”的空白提示，要求设置统一的404页面。</p>"
    )
    html = TEMPLATE.format(title="示例市人民政府", body=body)
    assert not_found_reason("示例市人民政府", html) is None
    quoted = TEMPLATE.format(title="示例", body="<p>仍返回“页面不存在”的提示</p>")
    assert not_found_reason("示例", quoted) is None
