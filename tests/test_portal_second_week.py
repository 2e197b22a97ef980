"""content_tampered and backdated_article on the sample portal: two weeks, two real scans.

``govpatrol scan`` (its own process, a real SQLite store) scans the portal as of its first
week, then the same address serves the portal a week later (``generate_portal(week=2)``) and
the same command rescans into the same store. The second scan's tampering findings are judged
against the second week's truth with precision = recall = 1.0, the tricky negatives it plants
are checked to have been seen and left quiet, and the vetoes wait for a person's confirmation.
Both scans run without the browser: tampering is judged from the static pages.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import Session, select

from govpatrol.core.db import get_engine
from govpatrol.core.models import Finding, Page, Scan
from sampleportal.generate import generate_portal
from sampleportal.server import PortalServer
from sampleportal.truth import Truth, load_truth
from sampleportal.week2 import ADVERT, TEMPLATE_CHANGED_LIST
from scoring.scores import score_for_scan
from scoring.states import set_triage
from tests.conftest import AS_OF, WAITING_ROUTES
from tests.findings_schema import assert_valid_export
from tests.test_end_to_end import site_path

CHECKS = ("content_tampered", "backdated_article")
VETOES = {"content_tampered": "tampering", "backdated_article": "backdating"}


def _generate(root: Path, week: int) -> Truth:
    """The portal of ``week`` in ``root``, less the routes that only make a scan wait."""
    generate_portal(root, AS_OF, week=week)
    routes = json.loads((root / "routes.json").read_text("utf-8"))
    routes["routes"] = [r for r in routes["routes"] if r["kind"] not in WAITING_ROUTES]
    (root / "routes.json").write_text(json.dumps(routes, ensure_ascii=False), "utf-8")
    return load_truth(root)


@dataclass
class Weeks:
    work: Path  # week1/ and week2/: the two generated portals
    base_url: str
    db_url: str
    truth: Truth  # the second week's
    first: dict  # the two exports
    second: dict


def _scan(base_url: str, db_url: str, as_of: str, out: Path) -> dict:
    env = {**os.environ, "GOVPATROL_DATABASE_URL": db_url}
    cmd = [
        sys.executable, "-m", "govpatrol.cli.main", "scan", base_url, "--json", str(out),
        "--as-of", as_of, "--no-browser", "--set", "link_timeout_s=2",
    ]  # fmt: skip
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return assert_valid_export(json.loads(out.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def weeks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Weeks]:
    work = tmp_path_factory.mktemp("weeks")
    _generate(work / "week1", 1)
    truth = _generate(work / "week2", 2)
    db_url = f"sqlite:///{work / 'govpatrol.db'}"
    with PortalServer(work / "week1") as server:
        base_url, port = server.base_url, server.port
        first = _scan(base_url, db_url, truth.rescan["previous_as_of"], work / "week1.json")
    with PortalServer(work / "week2", port=port) as server:  # the same address, a week on
        assert server.base_url == base_url
        second = _scan(base_url, db_url, truth.rescan["as_of"], work / "week2.json")
    yield Weeks(work, base_url, db_url, truth, first, second)


def _path(url: str, base_url: str) -> str:
    """A crawled URL or a truth path as a site path, a directory's index.html as the directory."""
    return site_path(url, base_url).removesuffix("index.html")


def _identity(check: str, page: str, detail: dict) -> tuple[str, str, str]:
    """A tampering finding by page and kind of change; a backdated one by page."""
    reason = (detail.get("reasons") or [detail.get("reason", "")])[0] if check == CHECKS[0] else ""
    return check, page.removesuffix("index.html"), reason


def _found(export: dict, base_url: str) -> set[tuple[str, str, str]]:
    return {
        _identity(f["check"], _path(f["page"], base_url), f["detail"])
        for f in export["findings"]
        if f["check"] in CHECKS
    }


def test_the_first_week_is_the_baseline_and_says_nothing_of_tampering(weeks: Weeks) -> None:
    first_truth = json.loads((weeks.work / "week1" / "truth.json").read_text("utf-8"))
    assert "rescan" not in first_truth  # the first week's truth.json is what it always was
    assert {f.check for f in weeks.truth.findings} == set(CHECKS)
    assert weeks.first["scan"]["status"] == weeks.second["scan"]["status"] == "done"
    assert weeks.first["site"]["url"] == weeks.second["site"]["url"]
    assert not _found(weeks.first, weeks.base_url)
    with Session(get_engine(weeks.db_url)) as session:
        scans = session.exec(select(Scan).order_by(Scan.id)).all()
    assert len(scans) == 2 and scans[0].complete and scans[0].site_id == scans[1].site_id


@pytest.mark.parametrize("check", CHECKS)
def test_precision_and_recall_against_the_second_weeks_truth(weeks: Weeks, check: str) -> None:
    expected = {_identity(f.check, f.page, f.key) for f in weeks.truth.findings if f.check == check}
    found = {item for item in _found(weeks.second, weeks.base_url) if item[0] == check}
    assert expected, f"the second week plants no {check}"
    assert not expected - found, f"{check}: missed {sorted(expected - found)}"
    assert not found - expected, f"{check}: false positives {sorted(found - expected)}"


def test_the_findings_carry_the_evidence_the_truth_records(weeks: Weeks) -> None:
    found = [f for f in weeks.second["findings"] if f["check"] in CHECKS]
    for f in found:
        assert f["detail"]["needs_review"] is True
        assert f["detail"]["previous_scan_date"] == weeks.truth.rescan["previous_as_of"]
    planted = {f.page: f.detail for f in weeks.truth.expected("backdated_article")}
    for f in (f for f in found if f["check"] == "backdated_article"):
        want = planted[site_path(f["page"], weeks.base_url)]
        for key in ("column", "published_date", "previous_oldest"):
            assert f["detail"][key] == want[key], key
    new_hosts = {
        item["host"]
        for f in found
        if "new_domain" in f["detail"].get("reasons", ())
        for item in f["detail"]["new_domains"]
    }
    assert new_hosts == {weeks.truth.rescan["foreign_host"]}
    replaced = [f for f in found if "text_replaced" in f["detail"].get("reasons", ())]
    assert len(replaced) == 2
    for f in replaced:
        assert f["detail"]["similarity"] < f["detail"]["text_threshold"]
        assert any(sentence[:10] in f["detail"]["after_excerpt"] for sentence in ADVERT)
        assert not any(sentence[:10] in f["detail"]["before_excerpt"] for sentence in ADVERT)


def test_every_tricky_negative_was_seen_and_left_quiet(weeks: Weeks) -> None:
    negatives = weeks.truth.rescan["negatives"]
    assert {n["case"] for n in negatives} == {
        "rotation", "moved_to_page_1", "date_corrected", "list_date_typo", "new_column",
        "template_changed",
    }  # fmt: skip
    with Session(get_engine(weeks.db_url)) as session:
        first_id, second_id = session.exec(select(Scan.id).order_by(Scan.id)).all()
        templates = {
            (scan_id, _path(url, weeks.base_url)): key
            for scan_id, url, key in session.exec(select(Page.scan_id, Page.url, Page.template_key))
        }
        flagged = {
            _path(f.page, weeks.base_url)
            for f in session.exec(select(Finding).where(Finding.scan_id == second_id))
            if f.check in CHECKS
        }
    for negative in negatives:
        page = _path(negative["page"], weeks.base_url)
        assert (second_id, page) in templates, f"the second scan never fetched {negative}"
        assert page not in flagged, negative
    changed = _path(TEMPLATE_CHANGED_LIST, weeks.base_url)
    assert templates[(first_id, changed)] != templates[(second_id, changed)]
    for n in negatives:  # what a column shows then and now decides: pages new in week 2 are new
        known = (first_id, _path(n["page"], weeks.base_url)) in templates
        assert known == (n["case"] in ("moved_to_page_1", "date_corrected", "template_changed"))


def test_the_vetoes_wait_for_a_person_and_fire_once_confirmed(weeks: Weeks) -> None:
    assert not set(VETOES.values()) & set(weeks.second["score"]["vetoes"])
    with Session(get_engine(weeks.db_url), expire_on_commit=False) as session:
        scan = session.exec(select(Scan).order_by(Scan.id.desc())).first()  # type: ignore[union-attr]
        assert scan is not None
        findings = session.exec(select(Finding).where(Finding.scan_id == scan.id)).all()
        before = score_for_scan(session, scan)
        assert not set(VETOES.values()) & set(before.vetoes)
        others = [f for f in findings if f.check not in CHECKS]
        assert len(others) < len(findings)
        assert (
            score_for_scan(session, scan, findings=others).points == before.points
        )  # no deduction
        for check in CHECKS:  # one of each, confirmed by a person
            chosen = next(f for f in findings if f.check == check)
            set_triage(session, scan.site_id, chosen.fingerprint, "acknowledged")
        after = score_for_scan(session, scan)
    assert set(VETOES.values()) <= set(after.vetoes)
    assert after.verdict == "不合格"


def test_the_second_week_changes_no_first_week_article_but_the_corrected_one(
    weeks: Weeks,
) -> None:
    """Only the lists, the home page, channel pages and the site map move on; of the first
    week's articles only the date-corrected one changes (the defects planted by position stay
    on the same articles), so nothing else reads as edited."""
    week1, week2 = weeks.work / "week1" / "site", weeks.work / "week2" / "site"
    negatives = weeks.truth.rescan["negatives"]
    corrected = {n["page"] for n in negatives if n["case"] == "date_corrected"}
    lists = {c.path for c in weeks.truth.columns} | {ch["path"] for ch in weeks.truth.channels}
    compared = 0
    for old in week1.rglob("*.html"):
        path = "/" + old.relative_to(week1).as_posix()
        if path in ("/index.html", "/wzdt/index.html") or path in lists or "/index_" in path:
            continue
        same = old.read_bytes() == (week2 / old.relative_to(week1)).read_bytes()
        assert same == (path not in corrected), path
        compared += 1
    assert compared > 300


def test_week_must_be_one_or_two(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown week 3"):
        generate_portal(tmp_path, AS_OF, week=3)
    assert not (tmp_path / "site").exists()
