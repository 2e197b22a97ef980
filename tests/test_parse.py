"""Decoding and link extraction of one page, on markup that government CMSs really serve."""

from pathlib import Path

import pytest

from extract.parse import build_parsed_page, decode

# shared/ sits beside the checkout (on developers' machines and in CI alike)
REAL = Path(__file__).resolve().parents[2] / "shared" / "real-pages"


def page(
    html: str | bytes, url: str = "http://a.gov.cn/x/index.html", content_type: str = "text/html"
):
    body = html.encode("utf-8") if isinstance(html, str) else html
    return build_parsed_page(url, url, 200, {"content-type": content_type}, body)


def test_gbk_from_http_header_meta_and_gb18030_only_characters():
    title = "民政局通知公告"
    body = f"<html><head><title>{title}</title></head><body>正文</body></html>".encode("gbk")
    assert page(body, content_type="text/html; charset=GBK").title == title
    meta = f'<html><head><meta charset="gb2312"><title>{title}</title></head></html>'.encode("gbk")
    assert page(meta).title == title
    # 䶮 (U+4DAE) is outside GBK: a page declaring gb2312 still reads right as GB18030
    rare = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>刘䶮</title></head></html>'
    parsed = page(rare.encode("gb18030"))
    assert parsed.title == "刘䶮"
    assert parsed.encoding == "gb18030"


def test_bom_wins_and_lying_header_is_corrected():
    bom = "\ufeff<html><head><title>无障碍</title></head></html>".encode()
    assert page(bom, content_type="text/html; charset=gbk").title == "无障碍"
    gbk = (
        "<html><head><title>政务公开目录</title></head><body>"
        + "政府信息公开" * 50
        + "</body></html>"
    )
    encoding, text = decode(gbk.encode("gbk"), "text/html; charset=utf-8")
    assert encoding == "gb18030" and "政务公开目录" in text


def test_links_of_every_tag_base_href_and_skipped_schemes():
    html = """<html><head><base href="http://a.gov.cn/base/">
      <link rel="stylesheet" href="css/site.css"><link rel="dns-prefetch" href="//cdn.example">
      <script src="/js/app.js"></script></head><body>
      <a href="page.html">页面</a> <a href="javascript:void(0)">js</a> <a href="mailto:a@a.cn">m</a>
      <a href="tel:123">t</a> <a href="data:text/plain,x">d</a> <a href="#top">top</a>
      <a href="/doc/附件1.pdf#page=2">附件一</a> <a href="../up.html"><img src="i.png" alt="图"></a>
      <img src="/img/a.png"> <iframe src="/frame.html"></iframe> <area href="/map.html" alt="地图">
      <object data="/flash.swf"></object> <embed src="/e.swf"></body></html>"""
    links = {(link.url, link.tag, link.attr) for link in page(html).links}
    assert ("http://a.gov.cn/base/page.html", "a", "href") in links
    assert ("http://a.gov.cn/base/css/site.css", "link", "href") in links
    assert ("http://a.gov.cn/js/app.js", "script", "src") in links
    assert ("http://a.gov.cn/doc/%E9%99%84%E4%BB%B61.pdf", "a", "href") in links
    assert ("http://a.gov.cn/up.html", "a", "href") in links
    assert ("http://a.gov.cn/base/i.png", "img", "src") in links
    assert ("http://a.gov.cn/img/a.png", "img", "src") in links
    assert ("http://a.gov.cn/frame.html", "iframe", "src") in links
    assert ("http://a.gov.cn/map.html", "area", "href") in links
    assert ("http://a.gov.cn/flash.swf", "object", "data") in links
    assert ("http://a.gov.cn/e.swf", "embed", "src") in links
    assert not any(u.startswith(("javascript", "mailto", "tel", "data")) for u, _, _ in links)
    assert not any("cdn.example" in u for u, _, _ in links)
    texts = {link.url: link.text for link in page(html).links}
    assert texts["http://a.gov.cn/up.html"] == "图"  # an image link is named by its alt
    fragments = {link.url: link.fragment for link in page(html).links}
    assert fragments["http://a.gov.cn/doc/%E9%99%84%E4%BB%B61.pdf"] == "page=2"


@pytest.mark.skipif(not REAL.exists(), reason="shared/real-pages not beside the checkout")
def test_hanweb_datastore_records_become_links():
    parsed = page(
        (REAL / "list-hanweb-sdnyj-tzgg-2026.html").read_bytes(),
        url="http://nyj.example.gov.cn/col/col1/index.html",
    )
    datastore = [link for link in parsed.links if link.attr == "datastore"]
    assert len(datastore) >= 10
    assert all(link.url.startswith("http") for link in datastore)


@pytest.mark.skipif(not REAL.exists(), reason="shared/real-pages not beside the checkout")
def test_trs_create_page_html_pagination_becomes_links():
    url = "http://www.zhangshu.gov.cn/zwgk/zhxx/index.html"
    parsed = page((REAL / "list-trs-table-zhangshu-zhxx-2017.html").read_bytes(), url=url)
    pagers = {link.url for link in parsed.links if link.attr == "pager"}
    assert "http://www.zhangshu.gov.cn/zwgk/zhxx/index_1.html" in pagers
    assert "http://www.zhangshu.gov.cn/zwgk/zhxx/index_20.html" in pagers


def test_malformed_and_empty_pages_do_not_raise():
    for body in (
        b"",
        b"<",
        b"\x00\x01\x02",
        b"<?xml version='1.0' encoding='gbk'?><html><title>x</title></html>",
        b"<html>" * 5000,
    ):
        parsed = page(body)
        assert parsed.tree is not None
