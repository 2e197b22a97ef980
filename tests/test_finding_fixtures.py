"""Every finding id has a fixture that fires and a fixture that passes (tests/fixtures/<id>/).

Each ``tests/fixtures/<id>/case.json`` says how its two cases run (README.md there says in
words what they are):

* ``"hook": "page"`` — ``fires.html`` and ``passes.html`` go through ``extract.parse`` and the
  owning check's ``on_page``, with no server and no store;
* ``"hook": "probes"`` — ``fires.json`` and ``passes.json`` hold a week of the scheduler's
  home-page probes; they go into a real SQLite store and the owning check's ``on_site`` judges them;
* ``"hook": "pages"`` — ``fires/`` and ``passes/`` hold a few pages at their URL paths of a
  site on 127.0.0.1; each goes through ``extract.parse`` and the owning check's ``on_page``,
  the rows it yields into a real SQLite store (with the pages' template keys), then the
  check's ``on_site`` judges them: for a check that judges pages together (per template)
  without the cost of a scan. The fires case must name the page ``"at"``;
* ``"hook": "site"`` — ``fires/`` and ``passes/`` hold site pages at their URL paths. A scan
  costs seconds, so the site cases are not scanned one by one: every ``fires/`` folder is laid
  over the others into one "fires" site, every ``passes/`` folder into one "passes" site, and
  each is served from 127.0.0.1 and scanned once (``--no-browser``, only the owning checks).
  The fires site must carry each id's finding on the page its case.json names (``"at"``), so
  a finding that fires for another fixture's reason cannot stand in for it; the passes site
  must carry none of these ids anywhere. The home pages of both sites are home_not_updated's;
  they link the other fixtures' pages, as a real home page would;
* ``"hook": "history"`` — ``fires/`` and ``passes/`` each hold the site twice, ``before/`` and
  ``after/``: for a check that compares a scan with the site's previous complete scan. As for
  the site cases, every history fixture's folders are laid over the others' into one fires and
  one passes site; each is served from 127.0.0.1 as ``before/`` and scanned in full
  (``--no-browser``, every check, as of ``before_as_of``: a complete scan), then served as
  ``after/`` and scanned again (as of ``as_of``). The second scan of the fires site must carry
  each id's finding on its ``"at"`` page; the passes site's second scan none of these ids, and
  no first scan any (nothing to compare with).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlmodel import Session, select

from checks.table import all_checks
from extract.parse import build_parsed_page
from govpatrol.core.db import get_engine
from govpatrol.core.findings import SPECS
from govpatrol.core.models import Finding, Probe, Scan, Site
from govpatrol.core.types import Check, FindingData, ScanContext, SiteContext
from reports.messages import ENGLISH
from scan.page_checks import page_shape
from scan.pipeline import create_scan, run_scan
from tests.loopback import Request, Route, serve
from tests.loopback import servers as loopback_servers

FIXTURES = Path(__file__).parent / "fixtures"
CASES = ("fires", "passes")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".pdf": "application/pdf",
    ".png": "image/png",
}


def finding_ids() -> list[str]:
    """Every finding id the code can emit: the catalogue of finding specs."""
    return sorted(SPECS)


@dataclass(frozen=True)
class Case:
    """One fixture folder's case.json."""

    finding: str
    hook: str  # page | probes | pages | site
    check: str  # the check that owns the finding
    as_of: dt.date
    url: str = "/"  # page hook: the path the page is fetched from
    home: bool = False  # page hook: the page is the site's home page
    at: str = "/"  # site hook: the path of the page the finding must name in the fires site
    before_as_of: dt.date | None = None  # history: the day the first scan judges

    @property
    def folder(self) -> Path:
        return FIXTURES / self.finding


@cache
def load_case(finding: str) -> Case:
    meta: dict[str, Any] = json.loads((FIXTURES / finding / "case.json").read_text("utf-8"))
    meta["as_of"] = dt.date.fromisoformat(meta["as_of"])
    if "before_as_of" in meta:
        meta["before_as_of"] = dt.date.fromisoformat(meta["before_as_of"])
    return Case(finding=finding, **meta)


def fixture_folders() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if (p / "case.json").is_file())


def site_cases() -> list[Case]:
    return [load_case(name) for name in fixture_folders() if load_case(name).hook == "site"]


# -- every id has both cases ------------------------------------------------------------------------


def case_files(case: Case) -> dict[str, Path]:
    """fires / passes → the file or folder holding that case."""
    suffix = {"page": ".html", "probes": ".json", "pages": "", "site": "", "history": ""}[case.hook]
    return {name: case.folder / f"{name}{suffix}" for name in CASES}


def test_every_finding_id_has_a_fixture_that_fires_and_one_that_passes() -> None:
    missing = []
    for finding in finding_ids():
        folder = FIXTURES / finding
        if not (folder / "case.json").is_file() or not (folder / "README.md").is_file():
            missing.append(f"{finding}: needs case.json and README.md in {folder}")
            continue
        for name, path in case_files(load_case(finding)).items():
            if not (path.is_file() or (path.is_dir() and any(path.rglob("*.*")))):
                missing.append(f"{finding}: no {name} case ({path.relative_to(FIXTURES)})")
    assert not missing, "\n".join(missing)


def test_every_fixture_is_a_finding_id_run_by_the_check_that_emits_it() -> None:
    ids = set(finding_ids())
    owner = {finding: check.name for check in all_checks() for finding in check.findings}
    for name in fixture_folders():
        case = load_case(name)
        assert name in ids, f"tests/fixtures/{name}: no such finding id"
        assert case.check == owner.get(name), f"{name} is emitted by {owner.get(name)}"
        readme = (case.folder / "README.md").read_text("utf-8")
        assert f"as of {case.as_of.isoformat()}" in readme, f"{name}: README names no as-of date"


_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def assert_said_in_english(finding: str, details: list[Any]) -> None:
    """Each finding of ``finding`` has its English sentence (reports/messages.py), built from
    the evidence the check really wrote, with no Chinese outside text quoted from the page."""
    details = [d for d in details if d is not None]
    assert details, f"{finding}: no evidence to say in English"
    for detail in details:
        line = ENGLISH[finding](detail)
        assert line, f"{finding}: an empty English message"
        plain = "".join(text for text, quoted in line if not quoted)
        assert not _CJK.search(plain), f"{finding}: Chinese in the English message: {plain!r}"


def test_every_finding_id_has_an_english_sentence_and_no_sentence_is_orphaned() -> None:
    assert set(ENGLISH) == set(finding_ids())


def check_named(name: str) -> Check:
    (check,) = all_checks([name])
    return check


def ids_of(findings: list[Any]) -> set[str]:
    return {f.check for f in findings if isinstance(f, FindingData)}


# -- page hooks -------------------------------------------------------------------------------------

PAGE_IDS = [name for name in fixture_folders() if load_case(name).hook == "page"]
PAGE_SITE = "http://www.example.gov.cn/"


def page_findings(case: Case, html_file: Path) -> list[Any]:
    url = PAGE_SITE.rstrip("/") + case.url
    page = build_parsed_page(
        url, url, 200, {"content-type": "text/html; charset=utf-8"}, html_file.read_bytes()
    )
    page.is_home = case.home
    ctx = ScanContext(scan_id=1, site_id=1, site_url=PAGE_SITE, site_name="示例市民政局",
                      as_of=case.as_of, browser=False)  # fmt: skip
    check = check_named(case.check)
    return list(check.on_page(page, ctx))


@pytest.mark.parametrize("finding", PAGE_IDS)
def test_page_fixture_fires(finding: str) -> None:
    case = load_case(finding)
    found = page_findings(case, case.folder / "fires.html")
    assert finding in ids_of(found)
    assert_said_in_english(finding, [f.detail for f in found if isinstance(f, FindingData)])


@pytest.mark.parametrize("finding", PAGE_IDS)
def test_page_fixture_passes(finding: str) -> None:
    case = load_case(finding)
    assert finding not in ids_of(page_findings(case, case.folder / "passes.html"))


# -- probes -----------------------------------------------------------------------------------------

PROBE_IDS = [name for name in fixture_folders() if load_case(name).hook == "probes"]


def probe_rows(probes_file: Path) -> list[tuple[dt.datetime, bool, str | None]]:
    """A week of hourly probes as the scheduler stores them: (UTC time, ok, error), every hour
    from ``hourly_from`` for ``hours`` hours, failing at the hours listed in ``failures``."""
    spec = json.loads(probes_file.read_text("utf-8"))
    start = dt.datetime.fromisoformat(spec["hourly_from"])
    failures = {dt.datetime.fromisoformat(at): error for at, error in spec["failures"].items()}
    assert set(failures) <= {start + dt.timedelta(hours=h) for h in range(spec["hours"])}
    hours = (start + dt.timedelta(hours=h) for h in range(spec["hours"]))
    return [(at, at not in failures, failures.get(at)) for at in hours]


def probe_findings(case: Case, probes_file: Path, db_url: str) -> list[Any]:
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        site = Site(name="示例市民政局", url=PAGE_SITE)
        session.add(site)
        session.commit()
        scan = create_scan(session, site, as_of=case.as_of, options={"browser": False})
        for at, ok, error in probe_rows(probes_file):
            session.add(Probe(site_id=site.id, at=at, ok=ok, error=error))
        session.commit()
        ctx = SiteContext(scan_id=scan.id, site_id=site.id, site_url=site.url,
                          site_name=site.name, as_of=case.as_of, browser=False,
                          session=session, scan=scan, site=site)  # fmt: skip
        return list(check_named(case.check).on_site(ctx))


@pytest.mark.parametrize("finding", PROBE_IDS)
@pytest.mark.parametrize("name", CASES)
def test_probe_fixture(finding: str, name: str, db_url: str) -> None:
    case = load_case(finding)
    findings = probe_findings(case, case.folder / f"{name}.json", db_url)
    assert (finding in ids_of(findings)) == (name == "fires")
    if name == "fires":
        assert_said_in_english(finding, [f.detail for f in findings if f.check == finding])


# -- pages judged together -------------------------------------------------------------------------

PAGES_IDS = [name for name in fixture_folders() if load_case(name).hook == "pages"]
# An address, not a name: a check's site-wide probes say "cannot tell" and send nothing.
PAGES_SITE = "http://127.0.0.1/"


def pages_findings(case: Case, folder: Path, db_url: str) -> list[FindingData]:
    check = check_named(case.check)
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        site = Site(name="示例市民政局", url=PAGES_SITE)
        session.add(site)
        session.commit()
        scan = create_scan(session, site, as_of=case.as_of, options={"browser": False})
        ctx = SiteContext(scan_id=scan.id, site_id=site.id, site_url=site.url,
                          site_name=site.name, as_of=case.as_of, browser=False,
                          session=session, scan=scan, site=site)  # fmt: skip
        for path in sorted(p for p in folder.rglob("*.html")):
            url = PAGES_SITE + path.relative_to(folder).as_posix().removesuffix("index.html")
            page = build_parsed_page(
                url, url, 200, {"content-type": "text/html; charset=utf-8"}, path.read_bytes()
            )
            page.is_home = url == PAGES_SITE
            page_shape(page)
            for record in check.on_page(page, ctx):
                assert not isinstance(record, FindingData), "judged together, not page by page"
                session.add(record)
        session.commit()
        return [f for f in check.on_site(ctx) if isinstance(f, FindingData)]


@pytest.mark.parametrize("finding", PAGES_IDS)
@pytest.mark.parametrize("name", CASES)
def test_pages_fixture(finding: str, name: str, db_url: str) -> None:
    case = load_case(finding)
    findings = [f for f in pages_findings(case, case.folder / name, db_url) if f.check == finding]
    if name == "passes":
        assert findings == []
        return
    assert case.at in {urlsplit(f.page).path for f in findings}
    assert_said_in_english(finding, [f.detail for f in findings])


# -- sites ------------------------------------------------------------------------------------------


def lay_over(cases: list[Case], name: str, root: Path) -> Path:
    """Every case's ``name`` folder copied into one site under ``root``; two fixtures may
    hold the same path only with the same bytes (else one would silently win)."""
    site = root / name
    for case in cases:
        source = case.folder / name
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            target = site / path.relative_to(source)
            if target.exists():
                assert target.read_bytes() == path.read_bytes(), (
                    f"{path.relative_to(FIXTURES)} differs from another fixture's copy"
                )
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return site


def static_files(folder: Path) -> Route:
    """A route serving ``folder`` as a web server serves a site (a folder → its index.html);
    the query string is ignored, so a static result page answers the site search."""
    root = folder.resolve()

    def route(request: Request) -> None:
        path = urlsplit(request.path).path
        target = (root / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(root) or not target.is_file():
            request.html("<html><body><h1>404 页面不存在</h1></body></html>", status=404)
            return
        content_type = CONTENT_TYPES.get(target.suffix, "application/octet-stream")
        body = b"" if request.method == "HEAD" else target.read_bytes()
        request.respond(200, body, [("Content-Type", content_type)])

    return route


@dataclass
class SiteScan:
    base_url: str
    findings: list[Finding]

    def pages_with(self, finding: str) -> set[str]:
        return {urlsplit(f.page).path for f in self.findings if f.check == finding}


def new_scan(db_url: str, base_url: str, checks: list[str], as_of: dt.date) -> int:
    """A queued no-browser scan of ``base_url`` with only ``checks``, in a fresh store."""
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        site = Site(name="示例市民政局", url=base_url)
        session.add(site)
        session.commit()
        options = {"browser": False, "checks": checks, "thresholds": {"link_timeout_s": 2.0}}
        scan = create_scan(session, site, trigger="test", as_of=as_of, options=options)
        assert scan.id is not None
        return scan.id


def scan_findings(db_url: str, scan_id: int, base_url: str) -> SiteScan:
    done = run_scan(scan_id, db_url=db_url)
    with Session(get_engine(db_url)) as session:
        stored = session.get(Scan, done.id)
        assert stored is not None and stored.status == "done", stored
        findings = list(session.exec(select(Finding).where(Finding.scan_id == done.id)))
    return SiteScan(base_url, findings)


@pytest.fixture(scope="module")
def site_scans(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, SiteScan]]:
    """The fires site and the passes site, each scanned once. The two scans run side by side
    (as the scheduler runs scans of two sites), so one's start-up overlaps the other's work;
    their stores are made first, one after the other (schema migrations are not thread-safe)."""
    cases = site_cases()
    dates = {case.as_of for case in cases}
    assert len(dates) == 1, f"the site fixtures are scanned together: one as-of date, not {dates}"
    (as_of,) = dates
    checks = sorted({case.check for case in cases})
    root = tmp_path_factory.mktemp("fixture-sites")
    servers = {
        name: serve({}, fallback=static_files(lay_over(cases, name, root))) for name in CASES
    }
    with loopback_servers(*servers.values()), ThreadPoolExecutor(len(CASES)) as pool:
        running = {}
        for name, server in servers.items():
            db_url = f"sqlite:///{root / name}.db"
            scan_id = new_scan(db_url, server.base_url, checks, as_of)
            running[name] = pool.submit(scan_findings, db_url, scan_id, server.base_url)
        scans = {name: future.result() for name, future in running.items()}
    yield scans


SITE_IDS = [name for name in fixture_folders() if load_case(name).hook == "site"]


@pytest.mark.parametrize("finding", SITE_IDS)
def test_site_fixture_fires(finding: str, site_scans: dict[str, SiteScan]) -> None:
    case = load_case(finding)
    assert case.at in site_scans["fires"].pages_with(finding)
    details = [f.detail for f in site_scans["fires"].findings if f.check == finding]
    assert_said_in_english(finding, details)


@pytest.mark.parametrize("finding", SITE_IDS)
def test_site_fixture_passes(finding: str, site_scans: dict[str, SiteScan]) -> None:
    assert site_scans["passes"].pages_with(finding) == set()


# -- history: two scans, the site changing between them ---------------------------------------------

HISTORY_IDS = [name for name in fixture_folders() if load_case(name).hook == "history"]
STATES = ("before", "after")


def switching(folders: dict[str, Path], current: list[str]) -> Route:
    """A route serving ``folders[current[0]]``: the site as it is at the moment."""
    routes = {state: static_files(folder) for state, folder in folders.items()}
    return lambda request: routes[current[0]](request)


def history_findings(
    db_url: str, base_url: str, current: list[str], days: list[dt.date]
) -> list[SiteScan]:
    """The site scanned in full once per state, switching the server between the scans."""
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        site = Site(name="示例市民政局", url=base_url)
        session.add(site)
        session.commit()
    scans = []
    for state, day in zip(STATES, days, strict=True):
        current[0] = state
        with Session(get_engine(db_url), expire_on_commit=False) as session:
            options = {"browser": False, "thresholds": {"link_timeout_s": 2.0}}
            scan = create_scan(session, site, trigger="test", as_of=day, options=options)
        assert scan.id is not None
        scans.append(scan_findings(db_url, scan.id, base_url))
    return scans


@pytest.fixture(scope="module")
def history_scans(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, list[SiteScan]]]:
    """The fires and the passes site, each scanned before and after its change; the two sites
    side by side, their stores made first, one after the other."""
    cases = [load_case(name) for name in HISTORY_IDS]
    days = {(case.before_as_of, case.as_of) for case in cases}
    assert len(days) == 1, (
        f"the history fixtures are scanned together: one pair of dates, not {days}"
    )
    ((before, after),) = days
    assert before is not None and before < after
    root = tmp_path_factory.mktemp("fixture-history")
    states = {name: ["before"] for name in CASES}
    servers = {
        name: serve({}, fallback=switching(
            {state: lay_over(cases, f"{name}/{state}", root) for state in STATES}, states[name]
        ))
        for name in CASES
    }  # fmt: skip
    with loopback_servers(*servers.values()), ThreadPoolExecutor(len(CASES)) as pool:
        running = {}
        for name, server in servers.items():
            db_url = f"sqlite:///{root / name}.db"
            get_engine(db_url)  # the store and its schema, made here, one at a time
            running[name] = pool.submit(
                history_findings, db_url, server.base_url, states[name], [before, after]
            )
        scans = {name: future.result() for name, future in running.items()}
    yield scans


@pytest.mark.parametrize("finding", HISTORY_IDS)
def test_history_fixture_fires(finding: str, history_scans: dict[str, list[SiteScan]]) -> None:
    case = load_case(finding)
    first, second = history_scans["fires"]
    assert first.pages_with(finding) == set(), "a first scan has nothing to compare with"
    assert case.at in second.pages_with(finding)
    assert_said_in_english(finding, [f.detail for f in second.findings if f.check == finding])


@pytest.mark.parametrize("finding", HISTORY_IDS)
def test_history_fixture_passes(finding: str, history_scans: dict[str, list[SiteScan]]) -> None:
    for scan in history_scans["passes"]:
        assert scan.pages_with(finding) == set()
