"""The crawl of the sample portal against its truth file (issue 2)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from urllib.parse import unquote, urlsplit

import pytest
from sqlmodel import Session, select

from checks.injection_compare import CLOAK_SAMPLE
from crawler.cloaking_probe import VISITORS
from govpatrol.core.db import get_engine
from govpatrol.core.models import LinkSource, LinkTarget, Page, Scan, ScanStatus, Site
from scan.pipeline import create_scan, run_scan
from tests.conftest import AS_OF
from tests.polling import wait_for


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return unquote(parts.path) + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def crawl(portal, tmp_path_factory):
    """A crawl-focused scan (no browser) of the sample portal, with the server's request log."""
    url = f"sqlite:///{tmp_path_factory.mktemp('crawl') / 'g.db'}"
    portal.request_log.clear()
    with Session(get_engine(url), expire_on_commit=False) as session:
        site = Site(name="示例", url=portal.base_url)
        session.add(site)
        session.commit()
        scan = create_scan(
            session,
            site,
            as_of=AS_OF,
            options={"browser": False, "thresholds": {"link_timeout_s": 2.0}},
        )
    done = run_scan(scan.id, db_url=url)
    with Session(get_engine(url)) as session:
        pages = {
            path_of(p.url): p for p in session.exec(select(Page).where(Page.scan_id == done.id))
        }
        sources = list(session.exec(select(LinkSource).where(LinkSource.scan_id == done.id)))
        targets = {
            t.url: t for t in session.exec(select(LinkTarget).where(LinkTarget.scan_id == done.id))
        }
    return {
        "scan": done,
        "pages": pages,
        "sources": sources,
        "targets": targets,
        "log": list(portal.request_log),
    }


def test_scan_completes(crawl):
    assert crawl["scan"].status == ScanStatus.done, crawl["scan"].error
    assert crawl["scan"].stats["pages"] == len(crawl["pages"])


def test_every_truth_page_is_crawled(crawl, truth):
    fetched = {path for path, page in crawl["pages"].items() if page.status == 200}
    missing = set(truth["pages"]) - fetched
    assert not missing, f"pages the crawl missed: {sorted(missing)[:20]}"


def test_hanweb_and_trs_pagination_pages_are_found(crawl, truth):
    assert truth["hanweb_only_pages"] and truth["trs_pagination_pages"]
    for path in truth["hanweb_only_pages"] + truth["trs_pagination_pages"]:
        assert path in crawl["pages"], path


def test_nothing_under_robots_disallowed_paths_is_fetched(crawl, truth):
    requested = {path_of(path) for method, path in crawl["log"]}
    for path in truth["robots_disallowed"]:
        assert path not in requested
        assert path not in crawl["pages"]
    blocked = [t for t in crawl["targets"].values() if t.detail.get("robots_disallowed")]
    assert {path_of(t.url) for t in blocked} >= set(truth["robots_disallowed"])


def test_crawl_ends_on_traps_with_a_bound(crawl, truth):
    for prefix in truth["trap_prefixes"]:
        trapped = [p for p in crawl["pages"] if p.startswith(prefix)]
        assert 0 < len(trapped) <= 210, (prefix, len(trapped))
    assert crawl["scan"].stats["crawl"]["skipped_trap"] > 0


def test_gbk_titles_are_decoded(crawl, truth):
    assert truth["gbk_pages"]
    for path, title in truth["gbk_pages"].items():
        assert crawl["pages"][path].title == title
        assert crawl["pages"][path].encoding == "gb18030"


def test_pages_and_links_carry_their_evidence(crawl):
    home = crawl["pages"]["/"]
    assert home.depth == 0 and home.kind == "home" and home.content_hash and home.bytes > 0
    assert home.template_key and home.elapsed_ms is not None
    on_home = [s for s in crawl["sources"] if s.on_home]
    assert on_home and all(s.page_url == home.url for s in on_home)
    assert any(s.text for s in on_home)
    tags = {s.tag for s in crawl["sources"]}
    assert {"a", "img", "script", "link"} <= tags
    assert not any(
        t.startswith(("javascript:", "mailto:", "tel:", "data:")) for t in crawl["targets"]
    )


def test_each_page_is_fetched_once(crawl):
    gets = [path_of(path) for method, path in crawl["log"] if method == "GET"]
    repeated = {p for p in set(gets) if gets.count(p) > 1 and p in crawl["pages"]}
    # Only failures are asked again: retries of 5xx and timeouts, and redirect loops; and the
    # few pages the cloaking probe asks for once more as each other visitor (checks/injection.py).
    retried = {
        path
        for path, page in crawl["pages"].items()
        if page.kind == "failed" or (page.status or 0) >= 500 or page.status == 429
    }
    probed = {path_of(url) for url in crawl["scan"].stats["injection"]["cloaking_pages"]}
    assert 0 < len(probed) <= CLOAK_SAMPLE
    for path in probed:
        assert gets.count(path) <= 1 + len(VISITORS), path
    assert repeated <= retried | probed, sorted(repeated - retried - probed)


def test_interrupted_scan_is_partial_and_the_next_one_succeeds(portal, tmp_path):
    url = f"sqlite:///{tmp_path / 'g.db'}"
    env = {**os.environ, "GOVPATROL_DATABASE_URL": url}
    with Session(get_engine(url), expire_on_commit=False) as session:
        site = Site(name="示例", url=portal.base_url)
        session.add(site)
        session.commit()
        site_id = site.id
    # a slow, polite crawl so there is time to interrupt it halfway
    cmd = [
        sys.executable,
        "-m",
        "govpatrol.cli.main",
        "scan",
        portal.base_url,
        "--no-browser",
        "--as-of",
        AS_OF.isoformat(),
        "--only",
        "freshness",
        "--set",
        "link_timeout_s=2",
    ]
    with Session(get_engine(url)) as session:
        s = session.get(Site, site_id)
        s.config = {"thresholds": {"concurrency": 1, "download_delay_s": 0.3}}
        session.add(s)
        session.commit()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def crawled_some():
        with Session(get_engine(url)) as session:
            scan = session.exec(select(Scan)).first()
            return scan if scan and (scan.stats or {}).get("pages", 0) >= 3 else None

    first = wait_for(crawled_some, "3 pages crawled", 60, every_s=0.2)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    with Session(get_engine(url)) as session:
        interrupted = session.get(Scan, first.id)
        assert interrupted.status == ScanStatus.partial
        kept = session.exec(select(Page).where(Page.scan_id == first.id)).all()
        assert len(kept) >= 3
        s = session.get(Site, site_id)
        s.config = {}
        session.add(s)
        session.commit()
    second = subprocess.run(cmd, env=env, capture_output=True, timeout=300)
    assert second.returncode == 0, second.stderr.decode()[-2000:]
    with Session(get_engine(url)) as session:
        scans = session.exec(select(Scan).order_by(Scan.id)).all()
        assert [s.status for s in scans] == [ScanStatus.partial, ScanStatus.done]
        # the earlier scan's rows are untouched by the later one
        assert len(session.exec(select(Page).where(Page.scan_id == first.id)).all()) == len(kept)


_CRAWL_HERE = """
import json, signal, sys
import psutil
from sqlmodel import Session
from govpatrol.core.db import get_engine
from govpatrol.core.models import Site
from scan.pipeline import create_scan, run_scan
from tests.conftest import AS_OF

db_url, base_url = sys.argv[1], sys.argv[2]
with Session(get_engine(db_url), expire_on_commit=False) as session:
    site = Site(name="示例", url=base_url)
    session.add(site)
    session.commit()
    thresholds = {"link_timeout_s": 2.0, "max_pages": 60, "concurrency": 2,
                  "download_delay_s": 0.05}
    options = {"browser": False, "checks": ["freshness"], "thresholds": thresholds}
    scan = create_scan(session, site, as_of=AS_OF, options=options)
children, updates, listening = set(), [], set()

def progress(current):
    updates.append(current.stage)
    children.update(" ".join(c.cmdline()) for c in psutil.Process().children())
    listening.update(
        c.laddr.port for c in psutil.Process().net_connections("tcp")
        if c.status == psutil.CONN_LISTEN
    )

# what the process had before (a disposition ignored by the parent is inherited)
before = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
done = run_scan(scan.id, db_url=db_url, progress=progress, crawl_in_process=True)
print(json.dumps({
    "status": done.status, "pages": done.stats["pages"], "updates": updates,
    "children": sorted(children), "left": [c.pid for c in psutil.Process().children()],
    "listening": sorted(listening), "aiohttp": "aiohttp" in sys.modules,
    "stages": done.stats.get("stages", {}),
    "sigint_restored": signal.getsignal(signal.SIGINT) is before[0],
    "sigterm_restored": signal.getsignal(signal.SIGTERM) == before[1],
    "handlers": [repr(before), repr((signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)))],
}))
"""


def test_a_scan_can_crawl_in_its_own_process(portal, tmp_path):
    """``govpatrol scan`` crawls in the scan process (one interpreter less): the scan ends
    as usual, progress is reported during the crawl, the page checks still run in their
    forked worker, which is gone afterwards, and Ctrl-C is the scan's again once the
    crawl is over (Scrapy's handlers are put back). The crawl opens no port (Scrapy's
    remote-control server, which runs any code sent to it, stays off and unimported), and
    the scan records the wall and CPU time of each of its stages."""
    out = subprocess.run(
        [sys.executable, "-c", _CRAWL_HERE, f"sqlite:///{tmp_path / 'g.db'}", portal.base_url],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["status"] == ScanStatus.done
    assert seen["pages"] >= 30
    assert "crawl" in seen["updates"]
    assert seen["children"], "no page-check worker was seen"
    assert not any("scan.crawl" in command for command in seen["children"])
    assert seen["left"] == []
    assert seen["listening"] == [] and not seen["aiohttp"]
    stages = seen["stages"]
    assert list(stages)[:2] == ["before", "crawl"] and "freshness" in stages, stages
    assert stages["crawl"]["wall_s"] > 0 and stages["crawl"]["cpu_s"] > 0, stages
    assert seen["sigint_restored"] and seen["sigterm_restored"], seen["handlers"]
