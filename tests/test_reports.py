"""States, triage, the site report and the organisation overview, on a real SQLite store.

``build_store`` (also used by test_exports.py and test_report_browser.py) writes two consecutive
scans of one site so new / open / fixed are all exercised, crawled text carrying markup and
script payloads, and a three-level organisation tree.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import lxml.html
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from checks.table import check_names
from govpatrol.core.db import init_db, make_engine
from govpatrol.core.models import (
    Document,
    Finding,
    FindingState,
    LinkOutcome,
    LinkSource,
    LinkTarget,
    Org,
    Page,
    Probe,
    Scan,
    ScanStatus,
    Site,
    SiteColumn,
)
from reports import i18n
from reports.fmt import safe_href
from reports.org_overview import render_org_overview
from reports.site_report import column_tree, render_site_report
from scoring.scorer import FAIL, PASS
from scoring.scores import score_for_scan
from scoring.states import (
    change_counts,
    clear_triage,
    findings_with_state,
    fixed_findings,
    set_triage,
)

XSS_TITLE = '<script>window.__xss = 1</script><img src=x onerror="window.__xss=2">'
JS_URL = "javascript:window.__xss=3"
BASE = "http://127.0.0.1:8765"
AS_OF = dt.date(2026, 11, 22)


@dataclass
class Store:
    engine: Engine
    path: Path
    site_id: int  # 某市民政局: two consecutive scans
    scan1: int
    scan2: int
    site_b: int  # 某区民政局: home page not updated (veto)
    site_c: int  # 市教育局: never scanned
    site_outside: int  # another org tree: must not appear in the overview
    root_org: int
    mid_org: int
    leaf_org: int


def _finding(scan_id: int, check: str, page: str, fp: str, **kw) -> Finding:
    kw.setdefault("message", f"{check} 问题")
    kw.setdefault("severity", "medium")
    return Finding(scan_id=scan_id, check=check, page=page, fingerprint=fp, **kw)


def _scan(site_id: int, as_of: dt.date, status=ScanStatus.done, **kw) -> Scan:
    """A scan as the pipeline leaves it; a done one ran every check (complete) unless told."""
    kw.setdefault("complete", status == ScanStatus.done)
    started = dt.datetime.combine(as_of, dt.time(1, 0), tzinfo=dt.UTC)
    return Scan(
        site_id=site_id,
        status=status,
        as_of=as_of,
        started_at=started,
        finished_at=started + dt.timedelta(minutes=7),
        stats={"pages": 120, "link_targets": 860, "browser_audited_pages": 12},
        **kw,
    )


def _link(scan_id: int, n: int, page: str, target: str, *, on_home=False, text="附件", fp=None):
    return _finding(
        scan_id,
        "broken_link",
        page,
        fp or f"link-{n}",
        target=target,
        severity="high" if on_home else "medium",
        message="附件链接返回 404",
        detail={
            "status": 404,
            "error": None,
            "kind": "attachment",
            "text": text,
            "on_home": on_home,
        },
    )


def _stale(scan_id: int, n: int, name: str) -> Finding:
    return _finding(
        scan_id,
        "stale_column",
        f"{BASE}/col{n}/index.html",
        f"stale-{n}",
        message=f"栏目“{name}”超过14天未更新",
        detail={
            "column": name,
            "category": "dynamic",
            "newest_date": "2026-10-01",
            "cadence_days": 14,
            "days_overdue": 38,
            "timeboxed": True,
        },
    )


def _a11y(scan_id: int, n: int, rule: str, template: str) -> Finding:
    return _finding(
        scan_id,
        "accessibility",
        f"{BASE}/art/{n}.html",
        f"a11y-{rule}-{n}",
        severity="low",
        message=f"无障碍问题：{rule}",
        detail={
            "rule": rule,
            "impact": "serious",
            "nodes": 3,
            "selector": "img.logo",
            "snippet": '<img src="logo.png">',
            "wcag": "WCAG 2.1 1.1.1 非文本内容",
            "standard": "WCAG 2.1 1.1.1; GB/T 37668-2019",
            "template": template,
            "source": "static",
        },
    )


def _orgs_and_sites(s: Session) -> dict[str, int]:
    root = Org(name="某市人民政府")
    s.add(root)
    s.flush()
    mid = Org(name="某市民政局", parent_id=root.id)
    edu = Org(name="某市教育局", parent_id=root.id)
    other = Org(name="另一个市")
    s.add_all([mid, edu, other])
    s.flush()
    leaf = Org(name="某区民政局", parent_id=mid.id)
    s.add(leaf)
    s.flush()
    sites = {
        "a": Site(name="某市民政局", url=f"{BASE}/", org_id=mid.id),
        "b": Site(name="某区民政局", url="http://127.0.0.1:8766/", org_id=leaf.id),
        "c": Site(name="某市教育局", url="http://127.0.0.1:8767/", org_id=edu.id),
        "x": Site(name="外市网站", url="http://127.0.0.1:8768/", org_id=other.id),
    }
    s.add_all(sites.values())
    s.flush()
    ids = {k: v.id for k, v in sites.items()}
    ids.update(root=root.id, mid=mid.id, leaf=leaf.id)
    return ids


def _site_a_scan1(s: Session, site_id: int, scan_id: int) -> None:
    s.add_all(
        [
            _link(scan_id, 1, f"{BASE}/", f"{BASE}/upload/plan.pdf", on_home=True),
            _link(scan_id, 2, f"{BASE}/xxgk/index.html", f"{BASE}/upload/old.doc"),  # fixed later
            _stale(scan_id, 1, "工作动态"),
            _a11y(scan_id, 1, "image-alt", "tplA"),
        ]
    )


def _site_a_scan2(s: Session, site_id: int, scan_id: int) -> None:
    links = [
        _link(scan_id, 1, f"{BASE}/", f"{BASE}/upload/plan.pdf", on_home=True),  # open
        _link(scan_id, 3, f"{BASE}/xxgk/index.html", f"{BASE}/upload/a.pdf", text=XSS_TITLE),
        _link(scan_id, 4, f"{BASE}/xxgk/tzgg/index.html", f"{BASE}/upload/a.pdf"),
        _link(scan_id, 5, f"{BASE}/xxgk/tzgg/index.html", f"{BASE}/upload/=cmd.pdf", text="=1+2"),
        _link(scan_id, 6, JS_URL, f"{BASE}/x.pdf", text="+SUM(A1)"),
    ]
    others = [
        _stale(scan_id, 1, "工作动态"),  # open
        _stale(scan_id, 2, XSS_TITLE),  # new, triaged false positive below
        _stale(scan_id, 3, "-通知公告"),
        _finding(
            scan_id,
            "blank_column",
            f"{BASE}/zwgk/rsxx/index.html",
            "blank-1",
            message="空白栏目“人事信息”：暂无信息",
            detail={"column": "人事信息", "reason": "暂无信息"},
        ),
        _finding(
            scan_id,
            "missing_validity_label",
            f"{BASE}/gfxwj/1.html",
            "doc-1",
            severity="high",
            message="规范性文件未标注有效性",
            detail={"doc_number": "某民发〔2026〕5号"},
        ),
        _a11y(scan_id, 1, "image-alt", "tplA"),
        _a11y(scan_id, 2, "image-alt", "tplA"),
        _a11y(scan_id, 3, "link-name", "tplB"),
        _finding(
            scan_id,
            "brand_new_check",
            f"{BASE}/x.html",
            "new-1",
            message="@unknown check",
            detail={"weird": {"a": 1}, "tab": "\tstarts with a tab"},
        ),
    ]
    s.add_all([*links, *others])
    root = SiteColumn(scan_id=scan_id, key=f"{BASE}/zwgk/", name="政务公开", url=f"{BASE}/zwgk/")
    s.add_all(
        [
            root,
            SiteColumn(
                scan_id=scan_id,
                key=f"{BASE}/col1/index.html",
                name="工作动态",
                url=f"{BASE}/col1/index.html",
                parent_key=f"{BASE}/zwgk/",
                category="dynamic",
                cadence_days=14,
                newest_date=dt.date(2026, 10, 1),
                item_count=20,
                is_stale=True,
                days_overdue=38,
            ),
            SiteColumn(
                scan_id=scan_id,
                key=f"{BASE}/col2/index.html",
                name=XSS_TITLE,
                url=JS_URL,
                parent_key=f"{BASE}/zwgk/",
                category="dynamic",
                cadence_days=14,
                newest_date=dt.date(2026, 9, 1),
                item_count=5,
                is_stale=True,
                days_overdue=68,
            ),
            SiteColumn(
                scan_id=scan_id,
                key=f"{BASE}/zwgk/rsxx/index.html",
                name="人事信息",
                url=f"{BASE}/zwgk/rsxx/index.html",
                parent_key=f"{BASE}/zwgk/",
                category="personnel",
                cadence_days=365,
                is_blank=True,
            ),
            SiteColumn(
                scan_id=scan_id,
                key=f"{BASE}/jgzn/index.html",
                name="机构职能",
                url=f"{BASE}/jgzn/index.html",
                item_count=3,
            ),
            Document(
                scan_id=scan_id,
                url=f"{BASE}/gfxwj/1.html",
                title=XSS_TITLE,
                is_normative=True,
                doc_number="某民发〔2026〕5号",
                written_date=dt.date(2026, 3, 1),
                published_date=dt.date(2026, 3, 5),
                validity=None,
            ),
            Document(
                scan_id=scan_id,
                url=f"{BASE}/gfxwj/2.html",
                title="某市最低生活保障办法",
                is_normative=True,
                doc_number="某民规〔2024〕1号",
                written_date=dt.date(2024, 1, 2),
                published_date=dt.date(2024, 1, 5),
                validity="effective",
                validity_raw="现行有效",
                interpretation_urls=[f"{BASE}/zcjd/1.html"],
            ),
            Document(scan_id=scan_id, url=f"{BASE}/news/1.html", title="新闻", is_normative=False),
            LinkTarget(
                scan_id=scan_id,
                url="http://127.0.0.1:8769/guarded",
                kind="external",
                internal=False,
                outcome=LinkOutcome.unverified,
                status=403,
                detail={"reason": "challenge: 安全验证"},
            ),
            LinkSource(
                scan_id=scan_id,
                page_url=f"{BASE}/",
                target_url="http://127.0.0.1:8769/guarded",
                on_home=True,
            ),
            LinkTarget(scan_id=scan_id, url=f"{BASE}/upload/a.pdf", outcome=LinkOutcome.broken),
        ]
    )


def _probes(s: Session, site_id: int, day: dt.date, failures: int) -> None:
    start = dt.datetime.combine(day - dt.timedelta(days=7), dt.time(16, 0), tzinfo=dt.UTC)
    step = dt.timedelta(days=7) / 168
    s.add_all(
        Probe(site_id=site_id, at=start + step * i, ok=i >= failures, status=200)
        for i in range(168)
    )


def _crawled_pages(s: Session) -> None:
    """Every page a finding is on was crawled by its scan (a finding comes from reading it)."""
    seen = s.exec(select(Finding.scan_id, Finding.page).distinct()).all()
    s.add_all(Page(scan_id=scan_id, url=url, status=200, kind="other") for scan_id, url in seen)
    s.commit()


def _fill_store(path: Path) -> Store:
    engine = make_engine(f"sqlite:///{path}")
    init_db(engine)
    with Session(engine) as s:
        ids = _orgs_and_sites(s)
        a = ids["a"]
        old = _scan(a, AS_OF - dt.timedelta(weeks=3))
        old.score = {"verdict": PASS, "points": 91.5, "vetoes": []}
        failed = _scan(a, AS_OF - dt.timedelta(weeks=1, days=1), status=ScanStatus.failed)
        scan1 = _scan(a, AS_OF - dt.timedelta(weeks=1))
        s.add_all([old, failed, scan1])
        s.flush()
        scan2 = _scan(a, AS_OF)
        s.add(scan2)
        s.flush()
        _site_a_scan1(s, a, scan1.id)
        _site_a_scan2(s, a, scan2.id)
        _probes(s, a, AS_OF, failures=2)
        b_prev = _scan(ids["b"], AS_OF - dt.timedelta(weeks=1))
        b_scan = _scan(ids["b"], AS_OF)
        s.add_all([b_prev, b_scan])
        s.flush()
        s.add(_link(b_prev.id, 1, "http://127.0.0.1:8766/", "http://127.0.0.1:8766/a.pdf"))
        s.add(_finding(b_scan.id, "home_not_updated", "http://127.0.0.1:8766/", "home-1"))
        s.add(_scan(ids["x"], AS_OF))
        s.commit()
        _crawled_pages(s)
        s.add(
            FindingState(
                site_id=a, fingerprint="stale-2", state="false_positive", note="栏目已撤销"
            )
        )
        s.add(FindingState(site_id=a, fingerprint="link-1", state="acknowledged"))
        s.commit()
        return Store(
            engine,
            path,
            a,
            scan1.id,
            scan2.id,
            ids["b"],
            ids["c"],
            ids["x"],
            ids["root"],
            ids["mid"],
            ids["leaf"],
        )


_template: Store | None = None


def build_store(tmp_path: Path) -> Store:
    """A fresh copy of the hand-built store in ``tmp_path``: built once (migrations and all),
    then copied, so every test gets its own file in a few milliseconds."""
    global _template
    if _template is None:
        template_dir = tmp_path.parent / "store-template"
        template_dir.mkdir(exist_ok=True)
        _template = _fill_store(template_dir / "store.db")
        _template.engine.dispose()  # closes the last connection: WAL checkpointed into the file
    path = tmp_path / "store.db"
    shutil.copyfile(_template.path, path)
    return replace(_template, engine=make_engine(f"sqlite:///{path}"), path=path)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return build_store(tmp_path)


# --- states -------------------------------------------------------------------------------


def test_new_open_fixed_and_triage_override(store: Store):
    with Session(store.engine) as s:
        stated = {x.finding.fingerprint: x for x in findings_with_state(s, store.scan2)}
        assert stated["link-1"].lifecycle == "open"
        assert stated["link-1"].state == "acknowledged"  # triage wins in what is shown
        assert stated["stale-1"].state == "open"
        assert stated["link-3"].state == "new"
        assert stated["stale-2"].state == "false_positive"
        assert stated["stale-2"].note == "栏目已撤销"
        fixed = fixed_findings(s, store.scan2)
        assert [f.finding.fingerprint for f in fixed] == ["link-2"]
        assert fixed[0].state == "fixed"
        counts = change_counts(stated.values(), fixed)
        assert counts["broken_link"]["new"] == 4
        assert counts["broken_link"]["open"] == 1
        assert counts["broken_link"]["fixed"] == 1
        assert counts["broken_link"]["acknowledged"] == 1
        assert counts["stale_column"]["false_positive"] == 1
        # The first scan has nothing before it (the earlier scan of the site is done but had
        # no findings; the failed one in between is skipped): everything is new.
        first = findings_with_state(s, store.scan1)
        assert {x.state for x in first} == {"new", "acknowledged"}


def test_previous_scan_skips_failed_scans(store: Store):
    # scan1's predecessor by id is the failed scan: states must compare with the done one
    # before it, which had no findings, so link-2 (only in scan1) is new there.
    with Session(store.engine) as s:
        stated = {x.finding.fingerprint: x for x in findings_with_state(s, store.scan1)}
        assert stated["link-2"].lifecycle == "new"


def test_set_triage_persists_across_scans_and_validates(store: Store):
    with Session(store.engine) as s:
        row = set_triage(s, store.site_id, "stale-1", "unchanged", "今年无动态", user_id=None)
        assert row.id is not None and row.state == "unchanged"
        again = set_triage(s, store.site_id, "stale-1", "acknowledged")
        assert again.id == row.id  # updated in place, one row per fingerprint
        assert again.note is None
        with pytest.raises(ValueError, match="note"):
            set_triage(s, store.site_id, "stale-1", "false_positive", "  ")
        with pytest.raises(ValueError, match="unknown triage state"):
            set_triage(s, store.site_id, "stale-1", "fixed")
        # The mark applies to the older scan's finding with the same fingerprint too.
        older = {x.finding.fingerprint: x for x in findings_with_state(s, store.scan1)}
        assert older["stale-1"].state == "acknowledged"
        assert clear_triage(s, store.site_id, "stale-1") is True
        assert clear_triage(s, store.site_id, "stale-1") is False
        n = s.exec(select(func.count()).select_from(FindingState)).one()
        assert n == 2


def test_triage_changes_the_live_score(store: Store):
    with Session(store.engine) as s:
        scan = s.get(Scan, store.scan2)
        before = score_for_scan(s, scan)
        # stale-2 is a false positive: 2 stale columns count, 3 exist.
        assert before.indicator("stale_columns").count == 2
        set_triage(s, store.site_id, "doc-1", "false_positive", "不是规范性文件")
        after = score_for_scan(s, scan)
        assert after.indicator("documents").deducted == 0
        assert after.points > before.points
        ind = before.indicator("site_unreachable")
        assert ind.extra["probes"] == 168 and ind.extra["failures"] == 2
        assert not ind.fired


def test_live_score_uses_site_and_scan_thresholds(store: Store):
    with Session(store.engine) as s:
        scan = s.get(Scan, store.scan2)
        assert score_for_scan(s, scan).vetoes == []
        # 2 time-boxed stale columns count (one is a false positive): a scan run with a
        # time-boxed veto at 2 fails, and so does a site configured that way.
        scan.options = {"thresholds": {"stale_timeboxed_veto": 2}}
        assert score_for_scan(s, scan).vetoes == ["stale_columns"]
        scan.options = {}
        site = s.get(Site, store.site_id)
        site.config = {"thresholds": {"blank_column_veto": 1}, "scoring": {"pass_mark": 99}}
        result = score_for_scan(s, scan, site)
        assert result.vetoes == ["blank_columns"]
        assert result.pass_mark == 99


# --- site report ----------------------------------------------------------------------------


def _doc(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(html)


def _store_counts(engine: Engine, scan_id: int) -> dict[str, int]:
    with Session(engine) as s:
        rows = s.exec(
            select(Finding.check, func.count())
            .where(Finding.scan_id == scan_id)
            .group_by(Finding.check)
        ).all()
    return dict(rows)


def test_site_report_sections_counts_and_verdict(store: Store):
    with Session(store.engine) as s:
        html = render_site_report(s, store.site_id)  # latest reportable scan = scan2
    doc = _doc(html)
    for section in ("verdict", "changes", "trend", "score", "links", "columns", "documents"):
        assert doc.get_element_by_id(section) is not None, section
    assert doc.get_element_by_id("accessibility") is not None
    assert doc.get_element_by_id("other") is not None  # the unknown check lands there
    rows: dict[str, int] = {}
    for tr in doc.cssselect("tr.f"):
        rows[tr.get("data-check")] = rows.get(tr.get("data-check"), 0) + 1
    assert rows == _store_counts(store.engine, store.scan2)
    verdict = doc.get_element_by_id("verdict")
    assert PASS in verdict.text_content()
    assert doc.get_element_by_id("trend").cssselect("svg circle")  # points plotted
    # Three points in 12 weeks: the old stored score, scan1 and scan2 (the failed one skipped).
    assert len(doc.get_element_by_id("trend").cssselect("svg circle")) == 3
    # The fixed finding of scan1 is listed as fixed.
    fixed_rows = doc.cssselect('tr.t[data-state="fixed"]')
    assert len(fixed_rows) == 1 and "old.doc" in fixed_rows[0].text_content()
    # Unverified targets are listed separately, with the page they were on.
    unverified = doc.get_element_by_id("links-unverified")
    assert "127.0.0.1:8769/guarded" in unverified.text_content()
    assert len(unverified.cssselect("tr.t")) == 1
    # The document register shows normative documents only.
    assert len(doc.get_element_by_id("document-register").cssselect("tr.t")) == 2
    # The column tree nests children under 政务公开.
    tree_rows = doc.get_element_by_id("column-tree").cssselect("tr.t")
    assert len(tree_rows) == 5
    assert [r.get("class") for r in tree_rows[:2]] == ["t tree-0", "t tree-1"]


def test_report_reconciles_points_with_indicators(store: Store):
    with Session(store.engine) as s:
        html = render_site_report(s, store.site_id, store.scan2)
        score = score_for_scan(s, s.get(Scan, store.scan2))
    table = _doc(html).get_element_by_id("score")
    for ind in score.indicators:
        row = table.cssselect(f'tr[data-indicator="{ind.id}"]')
        assert len(row) == 1, ind.id
        if ind.kind == "deduction" and ind.deducted:
            assert f"{ind.deducted:g}" in row[0].text_content()
    links = score.indicator("links")
    # 1 home-page target (1.0) + 4 other (page, target) pairs (0.1 each).
    assert links.deducted == pytest.approx(1.4)
    assert "*" in table.text_content()  # configurable estimates are marked


def test_crawled_text_is_escaped_and_js_urls_are_not_links(store: Store):
    with Session(store.engine) as s:
        html = render_site_report(s, store.site_id)
    doc = _doc(html)
    # Exactly one script element: the report's own filter script.
    scripts = doc.cssselect("script")
    assert len(scripts) == 1 and "__xss" not in scripts[0].text_content()
    assert not doc.cssselect("img")  # the onerror payload did not become an element
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in html
    for a in doc.cssselect("a[href]"):
        assert a.get("href").startswith(("http://", "https://")), a.get("href")
    assert JS_URL in doc.text_content()  # shown, as text


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("http://127.0.0.1/a", True),
        ("HTTPS://example.invalid/x?y=1", True),
        ("javascript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("http://a.invalid/\nx", False),
        ("data:text/html,<script>", False),
        ("//evil.invalid/", False),
        (None, False),
    ],
)
def test_safe_href(url, ok):
    assert (safe_href(url) is not None) is ok


def test_english_report_has_every_label_translated(store: Store):
    with Session(store.engine) as s:
        en = render_site_report(s, store.site_id, lang="en")
        zh = render_site_report(s, store.site_id, lang="zh")
    assert 'lang="en"' in en and 'lang="zh-CN"' in zh
    assert "Website inspection report" in en and "网站巡检报告" in zh
    # Remove what came from the store (crawled or check-written text): what is left is ours.
    doc = _doc(en)
    for el in doc.cssselect("td, summary, p.url, p.hint, .nolink, h3, title, .note, .why li"):
        if not (el.tag == "td" and el.getparent().get("data-indicator")):
            el.drop_tree()
    leftover = re.sub(r"\s+", " ", doc.text_content())
    for data in ("某市民政局", "工作动态"):
        leftover = leftover.replace(data, "")
    assert not re.search(r"[\u4e00-\u9fff]", leftover), re.findall(
        r".{20}[\u4e00-\u9fff]+.{20}", leftover
    )


def test_labels_exist_in_both_languages():
    tables = (i18n.LABELS, i18n.STATES, i18n.SEVERITIES, i18n.VALIDITY, i18n.EVIDENCE_KEYS)
    for table in (*tables, i18n.CHECK_NAMES):
        for key, (zh, en) in table.items():
            assert zh and en, key
            if key:
                assert not re.search(r"[\u4e00-\u9fff]", en), key
    # an incomplete scan's banner names the checks it ran: every registered check has a name
    assert set(check_names()) <= set(i18n.CHECK_NAMES)
    with pytest.raises(KeyError):
        i18n.t("no_such_label")


def test_column_tree_survives_circular_parents(store: Store):
    with Session(store.engine) as s:
        s.add_all(
            [
                SiteColumn(
                    scan_id=store.scan2,
                    key="A",
                    name="甲",
                    url="http://x.invalid/a",
                    parent_key="B",
                ),
                SiteColumn(
                    scan_id=store.scan2,
                    key="B",
                    name="乙",
                    url="http://x.invalid/b",
                    parent_key="A",
                ),
                SiteColumn(
                    scan_id=store.scan2,
                    key="C",
                    name="丙",
                    url="http://x.invalid/c",
                    parent_key="C",
                ),
            ]
        )
        s.commit()
        tree = column_tree(s, store.scan2)
        html = render_site_report(s, store.site_id)
    names = []

    def walk(nodes, depth=0):
        for n in nodes:
            names.append((depth, n.column.name))
            walk(n.children, depth + 1)

    walk(tree)
    assert len(names) == 8  # the 5 columns of the store and the 3 above, each once
    assert (0, "丙") in names
    assert sorted(n for _, n in names if n in "甲乙") == ["乙", "甲"]
    assert len(_doc(html).get_element_by_id("column-tree").cssselect("tr.t")) == 8


def test_partial_scan_is_flagged(store: Store):
    with Session(store.engine) as s:
        scan = s.get(Scan, store.scan2)
        scan.status = ScanStatus.partial
        s.add(scan)
        s.commit()
        html = render_site_report(s, store.site_id, store.scan2)
        official = render_site_report(s, store.site_id)
    banner = _doc(html).get_element_by_id("incomplete").text_content()
    assert banner == i18n.t("partial_scan", status="未完整完成", checks="无")
    assert f"#{store.scan2}" in _doc(html).cssselect("header")[0].text_content()
    # The site's report (no scan asked for) is its official result: the complete scan before.
    assert f"#{store.scan1}" in _doc(official).cssselect("header")[0].text_content()
    assert _doc(official).get_element_by_id("incomplete", None) is None


def test_report_of_site_without_scans_and_wrong_scan(store: Store):
    with Session(store.engine) as s:
        html = render_site_report(s, store.site_c)
        assert i18n.t("no_scan") in html
        with pytest.raises(ValueError):
            render_site_report(s, store.site_c, store.scan2)
        with pytest.raises(ValueError):
            render_site_report(s, store.site_id, lang="fr")


def test_report_is_self_contained(store: Store):
    with Session(store.engine) as s:
        html = render_site_report(s, store.site_id)
    doc = _doc(html)
    assert not doc.cssselect("link, script[src], img[src], iframe, object, embed")
    assert "@import" not in html and "url(" not in html.split("</style>")[0]
    assert "@media print" in html


def test_thousands_more_findings_cost_the_report_no_extra_statement(store: Store):
    """The report loads findings in bulk, never one query per finding or page: 5,000 more
    findings cost no extra SQL statement (bench/checks.py times the render)."""
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        with Session(store.engine) as s:
            render_site_report(s, store.site_id)
            few = len(statements)
            s.add_all(
                _link(store.scan2, 10_000 + i, f"{BASE}/p{i % 400}.html", f"{BASE}/t{i}.pdf")
                for i in range(3000)
            )
            s.add_all(
                _a11y(store.scan2, 10_000 + i, "image-alt", f"tpl{i % 7}") for i in range(2000)
            )
            s.commit()
            statements.clear()
            html = render_site_report(s, store.site_id)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert len(_doc(html).cssselect("tr.f")) == sum(
        _store_counts(store.engine, store.scan2).values()
    )
    assert len(statements) == few


# --- organisation overview ------------------------------------------------------------------


def test_org_overview_three_levels(store: Store):
    with Session(store.engine) as s:
        html = render_org_overview(s, store.root_org, as_of=AS_OF)
    doc = _doc(html)
    rows = doc.cssselect("tr.site")
    names = [r.get("data-site") for r in rows]
    # Sites of the root, its children and grandchildren; not the other org's site.
    assert sorted(names) == sorted(str(i) for i in (store.site_id, store.site_b, store.site_c))
    assert str(store.site_outside) not in names
    by_site = {r.get("data-site"): r for r in rows}
    a, b, c = (by_site[str(i)] for i in (store.site_id, store.site_b, store.site_c))
    assert PASS in a.text_content() and a.get("data-rank") == "1"
    assert FAIL in b.text_content() and b.get("data-rank") == "2"
    assert i18n.t("not_scanned") in c.text_content() and c.get("data-rank") == ""
    # Links to each site's report file, relative, same folder.
    assert a.cssselect(f'a[href="site-{store.site_id}.html"]')
    assert not c.cssselect('a[href^="site-"]')
    # Bulletin shape: overall → main problems per site → requirements with a deadline.
    text = doc.text_content()
    assert text.index("一、总体情况") < text.index("二、主要问题") < text.index("三、整改要求")
    assert "合格 1 个，不合格 1 个（其中单项否决 1 个）" in text
    # 10 working days after Sun 22 Nov 2026 → Fri 4 Dec 2026.
    assert "2026年12月4日" in text
    # Change since the previous scan: site B had 1 finding fixed and 1 new.
    assert (b.get("data-new"), b.get("data-fixed")) == ("1", "1")
    assert "+0.1" in b.text_content()  # its one non-home broken link (0.1) is gone
    # Problems per site name the veto.
    problems = doc.get_element_by_id("problems")
    assert "首页不更新" in problems.text_content()


def test_org_overview_links_can_point_elsewhere(store: Store):
    with Session(store.engine) as s:
        html = render_org_overview(s, store.mid_org, site_link=lambda i: f"/sites/{i}/report")
    hrefs = [a.get("href") for a in _doc(html).cssselect("tr.site a")]
    assert f"/sites/{store.site_id}/report" in hrefs
    assert not [h for h in hrefs if h.startswith("site-")]


def test_org_overview_of_a_leaf_and_in_english(store: Store):
    with Session(store.engine) as s:
        html = render_org_overview(s, store.leaf_org, lang="en", deadline_working_days=5)
    doc = _doc(html)
    assert [r.get("data-site") for r in doc.cssselect("tr.site")] == [str(store.site_b)]
    assert "1. Overall" in doc.text_content()
    assert "within 5 working days" in doc.text_content()


def test_org_overview_main_problems_worst_first_with_the_tables_counts(store: Store):
    """主要问题: the vetoed site before the passing one, each site's fired veto first and then
    its indicators by severity, every count the ranking table's cell for that indicator."""
    with Session(store.engine) as s:
        html = render_org_overview(s, store.root_org, as_of=AS_OF)
    doc = _doc(html)
    blocks = doc.cssselect("#problems .site-problems")
    assert [b.get("data-site") for b in blocks] == [str(store.site_b), str(store.site_id)]
    table = {
        (row.get("data-site"), td.get("data-indicator")): int(td.text_content() or 0)
        for row in doc.cssselect("tr.site")
        for td in row.cssselect("td[data-indicator]")
    }
    rank = {"high": 0, "medium": 1, "low": 2, "": 3}
    for block in blocks:
        site = block.get("data-site")
        items = block.cssselect("li")
        assert items
        for li in items:
            assert int(li.get("data-count")) == table[(site, li.get("data-indicator"))]
        vetoes = [li.get("data-veto") == "yes" for li in items]
        assert vetoes == sorted(vetoes, reverse=True)  # fired vetoes lead
        severities = []
        for li in items:
            if li.get("data-veto") == "no":
                badge = li.cssselect(".sev")
                severities.append(rank[badge[0].get("class").split("sev-")[-1] if badge else ""])
        assert severities == sorted(severities)
    first = blocks[0].cssselect("li")[0]
    assert first.get("data-veto") == "yes" and first.get("data-indicator") == "home_not_updated"
    # every problem of a site is listed, so the list adds up to the table's row
    for block in blocks:
        site = block.get("data-site")
        listed = sum(int(li.get("data-count")) for li in block.cssselect("li"))
        assert listed == sum(n for (s, _), n in table.items() if s == site)
