"""Links to an address no browser can open: ``http://`` with no host (a CMS field left empty)
and a port that is no number (a placeholder such as ``:$PORT`` never filled). A visitor who
follows one gets an error page, so each is a broken link, judged without a request, in a
first scan, a rescan that re-uses the page (304) and a recheck after a fix. A link whose
click a script takes, and an address that cannot even be split, are not findings, and the
scan and every other check survive them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from checks.link_findings import link_message
from checks.link_recheck import recheck_scan
from extract.parse import extract_links, parse_html
from govpatrol.core.db import get_engine
from govpatrol.core.models import Finding, LinkOutcome, LinkTarget, Scan, ScanStatus, Site
from govpatrol.core.urls import host_of, is_malformed, malformed_link
from sampleportal.server import PortalServer
from scan.pipeline import create_scan, run_scan

AS_OF = dt.date(2026, 11, 22)
NO_HOST = "http://"
PLACEHOLDER_PORT = "http://localhost:$PORT/js/tongji.js"
LETTER_PORT = "http://img.example.gov.cn:8o80/logo.png"
HOME = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>某县人民政府</title><script src="{PLACEHOLDER_PORT}"></script></head><body>
<a href="/news/a.html">新闻动态</a>
<a href="{NO_HOST}">政务服务</a>
<a href=" http:// " onclick="return openWin('fw')">办事指南</a>
<a href="https://[::1/x">坏地址</a>
<img src="{LETTER_PORT}" alt="县徽">
</body></html>"""
ARTICLE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>新闻动态</title></head><body><a href="/">首页</a><p>正文。</p></body></html>"""


@pytest.fixture
def site(tmp_path: Path) -> Iterator[PortalServer]:
    root = tmp_path / "portal"
    (root / "site" / "news").mkdir(parents=True)
    (root / "site" / "index.html").write_text(HOME, "utf-8")
    (root / "site" / "news" / "a.html").write_text(ARTICLE, "utf-8")
    with PortalServer(root) as server:
        yield server


def scan_once(db_url: str, server: PortalServer) -> Scan:
    engine = get_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        record = session.exec(select(Site)).first()
        if record is None:
            record = Site(name="某县", url=server.base_url)
            session.add(record)
            session.commit()
        scan = create_scan(session, record, as_of=AS_OF, options={"browser": False})
    return run_scan(scan.id, db_url=db_url)


def broken_targets(engine, scan_id: int) -> dict[str, str]:
    with Session(engine) as session:
        rows = session.exec(
            select(Finding.target, Finding.message).where(
                Finding.scan_id == scan_id, Finding.check == "broken_link"
            )
        )
        return {target: message for target, message in rows}


def test_an_address_no_browser_can_open_is_a_broken_link(
    site: PortalServer, tmp_path: Path
) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = get_engine(db_url)
    first = scan_once(db_url, site)
    assert first.status == ScanStatus.done, first.error
    expected = {
        NO_HOST: "链接地址无效",
        PLACEHOLDER_PORT: "脚本链接地址无效",
        LETTER_PORT: "图片链接地址无效",
    }
    assert broken_targets(engine, first.id) == expected
    with Session(engine) as session:
        rows = session.exec(
            select(LinkTarget).where(
                LinkTarget.scan_id == first.id, col(LinkTarget.url).in_(list(expected))
            )
        ).all()
        # judged, not requested: no answer was timed
        judged = {r.url: (r.outcome, (r.detail or {}).get("kind")) for r in rows}
        assert judged == {url: (LinkOutcome.broken, "bad_url") for url in expected}
        assert first.stats["links"]["requested"] == 0, first.stats["links"]
    assert not {path for _method, path in site.request_log} & {"/js/tongji.js", "/logo.png"}

    # a rescan re-uses the unchanged home page (304) and judges its links the same way
    again = scan_once(db_url, site)
    assert again.status == ScanStatus.done, again.error
    assert site.not_modified > 0
    assert broken_targets(engine, again.id) == expected

    # a recheck after "a fix" cannot make such an address work
    with Session(engine) as session:
        summary = recheck_scan(session, again.id)
    assert summary["rechecked"] == 0  # none of them is requested
    assert broken_targets(engine, again.id) == expected


def test_what_is_and_is_not_such_an_address() -> None:
    assert malformed_link(" http:// ") == "http://"
    assert malformed_link("HTTP://") == "HTTP://"
    assert malformed_link(PLACEHOLDER_PORT) == PLACEHOLDER_PORT
    assert malformed_link("http://a.gov.cn:99999/") == "http://a.gov.cn:99999/"
    for fine in ("http://www.gov.cn/", "/news/a.html", "javascript:void(0)", "#top", "mailto:a@b"):
        assert malformed_link(fine) is None
    assert malformed_link("https://[::1/x") is None  # cannot be split: left out
    # browsers skip a run of slashes: this one opens www.gov.cn
    assert malformed_link("http:///www.gov.cn/") is None
    assert malformed_link("http://:80/") == "http://:80/"
    assert not is_malformed("http://www.gov.cn:8080/a")
    assert host_of(PLACEHOLDER_PORT) == "localhost:$port"
    assert host_of("http://www.gov.cn:8080/a") == "www.gov.cn:8080"


def test_links_of_a_page_keep_such_addresses_as_written() -> None:
    links = extract_links(parse_html(HOME), HOME, "http://www.x.gov.cn/")
    by_url = {link.url: link for link in links}
    assert by_url[NO_HOST].text == "政务服务" and by_url[NO_HOST].tag == "a"
    assert by_url[PLACEHOLDER_PORT].tag == "script"
    assert by_url[LETTER_PORT].tag == "img"
    # the onclick link and the unsplittable one are not links at all
    assert len([link for link in links if link.url == NO_HOST]) == 1
    assert not any("[::1" in link.url for link in links)


def test_messages() -> None:
    assert link_message("external", False, "bad_url", None) == "链接地址无效"
    assert link_message("image", False, "bad_url", None) == "图片链接地址无效"
    assert link_message("page", False, "http", 404) == "外部链接返回 404"
