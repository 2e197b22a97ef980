"""The browser's sample (checks.a11y_sample) over a real SQLite store: one page per template
variant, columns of one list template audited once, a page that fails only rules the browser
repeats no variant of its own, bookkeeping ListPage keys ignored."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from sqlmodel import Session

from checks.a11y_sample import _column_first_pages, choose_sample, html_pages
from govpatrol.core.db import init_db, make_engine
from govpatrol.core.models import Finding, ListPage, Page, Scan, ScanStatus, Site
from govpatrol.core.types import SiteContext, Thresholds

BASE = "http://gov.example.test"
# path, template, kind, depth, static findings (check:rule)
PAGES = [
    ("/", "T-home", "home", 0, []),
    *[(f"/col{c}/index.html", "T-list", "list", 1, []) for c in range(1, 8)],
    ("/col8/index.html", "T-list", "list", 1, ["accessibility:document-title"]),
    ("/tzgg/index.html", "T-list", "list", 1, ["accessibility:color-contrast"]),
    *[(f"/col1/2026/a{i}.html", "T-article", "article", 2, []) for i in range(30)],
    # fails only rules the rendered-DOM judge repeats: the same variant as a0
    ("/col2/2026/img.html", "T-article", "article", 2, ["accessibility:image-alt"]),
    ("/col2/2026/video.html", "T-article", "article", 2, ["accessibility:frame-title"]),
    ("/col3/2026/ads.html", "T-article", "article", 2, ["elderly_friendly:ad_script"]),
    ("/special/map.html", "T-map", "other", 1, []),
]


def store(tmp_path: Path, budget: int = 200, per_template: int = 2) -> SiteContext:
    engine = make_engine(f"sqlite:///{tmp_path / 'sample.db'}")
    init_db(engine)
    session = Session(engine, expire_on_commit=False)
    site = Site(name="测试区人民政府", url=BASE + "/")
    session.add(site)
    session.commit()
    scan = Scan(site_id=site.id, status=ScanStatus.running, as_of=dt.date(2026, 11, 22))
    session.add(scan)
    session.commit()
    for n, (path, template, kind, depth, failing) in enumerate(PAGES):
        url = BASE + path
        session.add(
            Page(
                scan_id=scan.id,
                url=url,
                status=200,
                content_type="text/html",
                content_hash=f"h{n}",
                template_key=template,
                kind=kind,
                depth=depth,
            )
        )
        for entry in failing:
            check, name = entry.split(":")
            key = "rule" if check == "accessibility" else "item"
            session.add(
                Finding(
                    scan_id=scan.id,
                    check=check,
                    page=url,
                    message=name,
                    detail={key: name, "source": "static"},
                    fingerprint=f"{url}#{name}",
                    stage="page",
                )
            )
        if kind == "list":
            session.add(ListPage(scan_id=scan.id, url=url, column_key=url))
    # bookkeeping rows other checks keep in ListPage: no columns
    for key in ("__identity__", "__injection__", "__later_bookkeeping__"):
        session.add(ListPage(scan_id=scan.id, url=BASE + "/special/map.html", column_key=key))
    session.commit()
    thresholds = dataclasses.replace(
        Thresholds(), browser_budget_pages=budget, browser_pages_per_template=per_template
    )
    return SiteContext(
        scan_id=scan.id,
        site_id=site.id,
        site_url=site.url,
        site_name=site.name,
        as_of=dt.date(2026, 11, 22),
        thresholds=thresholds,
        session=session,
        scan=scan,
        site=site,
    )


def paths(sample) -> list[str]:
    return [s.url.removeprefix(BASE) for s in sample]


def test_one_page_per_template_variant(tmp_path: Path) -> None:
    ctx = store(tmp_path)
    sample = choose_sample(ctx, html_pages(ctx))
    chosen = paths(sample)
    assert chosen[0] == "/"
    # nine columns of one list template: the clean ones are one variant, the one with a
    # contrast failure another
    assert sorted(p for p in chosen if p.endswith("index.html")) == [
        "/col1/index.html",
        "/tzgg/index.html",
    ]
    # 32 articles: the first, then the first variant that differs (the per-template cap is 2)
    articles = [p for p in chosen if "/2026/" in p]
    assert articles == ["/col1/2026/a0.html", "/col2/2026/video.html"]
    assert "/special/map.html" in chosen
    assert len(chosen) == len(set(chosen)) == 6
    # a column whose variant was audited through another page is recorded, not audited
    assert "column" in sample[chosen.index("/col1/index.html")].reasons


def test_a_higher_cap_takes_every_variant_and_no_duplicate(tmp_path: Path) -> None:
    ctx = store(tmp_path, per_template=5)
    chosen = paths(choose_sample(ctx, html_pages(ctx)))
    articles = sorted(p for p in chosen if "/2026/" in p)
    assert articles == ["/col1/2026/a0.html", "/col2/2026/video.html", "/col3/2026/ads.html"]


def test_a_page_failing_only_repeated_rules_is_no_variant(tmp_path: Path) -> None:
    """The picture without text is found by the static pass and again by the rendered-DOM
    judge; the browser sees nothing else there that a0 does not show it."""
    ctx = store(tmp_path, per_template=50)
    sample = choose_sample(ctx, html_pages(ctx))
    chosen = paths(sample)
    assert "/col2/2026/img.html" not in chosen
    # a lang or title failure alone does not split a template either
    assert [p for p in chosen if p.endswith("index.html")] == [
        "/col1/index.html",
        "/tzgg/index.html",
    ]


def test_budget_keeps_the_priority_order(tmp_path: Path) -> None:
    ctx = store(tmp_path, budget=3)
    assert paths(choose_sample(ctx, html_pages(ctx))) == [
        "/",
        "/col1/2026/a0.html",
        "/col1/index.html",
    ]


def test_bookkeeping_list_keys_are_no_columns(tmp_path: Path) -> None:
    ctx = store(tmp_path)
    firsts = [u.removeprefix(BASE) for u in _column_first_pages(ctx, html_pages(ctx))]
    assert "/special/map.html" not in firsts
    assert len(firsts) == 9 and all(p.endswith("index.html") for p in firsts)
