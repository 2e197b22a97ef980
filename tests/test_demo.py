"""``govpatrol demo``, the first thing a new user runs: serve, scan, report.

One demo in-process, then what ``make demo`` runs (the ``govpatrol`` entry point) in the same
folder and store without cleaning up: two scans of the demo site, shared by the tests below.
(Two demos per test, four in all, cost the suite two full scans of the sample portal more
and tested nothing the second pair did not.)"""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from checks.tampering import TEXT_KEY
from govpatrol.cli.demo import DemoResult, run_demo
from govpatrol.core.db import get_engine
from govpatrol.core.models import ListPage, Scan
from tests.findings_schema import assert_valid_export
from tests.polling import wait_for

ENTRY_POINT = str(Path(sys.executable).with_name("govpatrol"))


@dataclass
class Demos:
    work: Path
    db_url: str
    port: int
    env: dict[str, str]
    first: DemoResult  # run_demo in this process
    again: subprocess.CompletedProcess[str]  # the entry point, in the same folder and store
    scans: list[Scan]


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demos]:
    work = tmp_path_factory.mktemp("demo")
    db_url = f"sqlite:///{work / 'govpatrol.db'}"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOVPATROL_DATABASE_URL", db_url)
        patch.setenv("GOVPATROL_REPORTS_DIR", str(work / "reports"))
        # as the entry point runs it: judged as of today, so both scans judge the same day
        first = run_demo(
            work / "portal", port=port, browser=False, thresholds={"link_timeout_s": 2}
        )
        env = {**os.environ, "COLUMNS": "300"}
        demo = [ENTRY_POINT, "demo", "--no-browser", "--dir", str(work / "portal")]
        demo += ["--port", str(port), "--set", "link_timeout_s=2"]
        again = subprocess.run(demo, cwd=work, env=env, capture_output=True, text=True, timeout=600)
        with Session(get_engine(db_url)) as session:
            scans = list(session.exec(select(Scan).order_by(Scan.id)).all())
        yield Demos(work, db_url, port, env, first, again, scans)


def test_demo_scans_the_sample_portal_and_writes_the_weekly_report(demos: Demos) -> None:
    first = demos.first
    assert first.scan.status == "done"
    html = first.report.read_text(encoding="utf-8")
    assert "示例市民政局门户网站" in html and ("合格" in html or "不合格" in html)
    assert "<script src=" not in html  # self-contained: nothing loaded from elsewhere
    data = assert_valid_export(json.loads(first.export.read_text(encoding="utf-8")))
    assert data["format"] == "govpatrol.findings/1"
    assert data["scan"]["id"] == first.scan.id and data["findings"]
    assert {f["state"] for f in data["findings"]} == {"new"}

    # the same site next time, so the weekly report can say what is still open
    assert demos.again.returncode == 0, demos.again.stderr
    second = demos.scans[-1]
    assert second.site_id == first.scan.site_id and second.id != first.scan.id
    export = demos.work / "reports" / f"scan-{second.id}.json"
    again = assert_valid_export(json.loads(export.read_text(encoding="utf-8")))
    states = {f["state"] for f in again["findings"]}
    assert states == {"open"}
    # compared with the first scan, the unchanged portal was neither tampered with nor backdated
    assert again["scan"]["id"] == second.id
    assert not {f["check"] for f in again["findings"]} & {"content_tampered", "backdated_article"}
    tampering = {i["id"]: i for i in again["score"]["indicators"]}
    assert (
        tampering["tampering"]["awaiting_review"] == tampering["backdating"]["awaiting_review"] == 0
    )
    # and the comparison did happen: both scans fingerprinted the home page and the columns
    with Session(get_engine(demos.db_url)) as session:
        for scan_id in (first.scan.id, second.id):
            rows = session.exec(
                select(ListPage.url).where(
                    ListPage.scan_id == scan_id, ListPage.column_key == TEXT_KEY
                )
            ).all()
            assert len(rows) > 10, scan_id


def test_make_demo_runs_again_and_leaves_a_way_to_serve_the_portal(demos: Demos) -> None:
    """What ``make demo`` runs, again in the folder and store a demo left, then the command
    it prints to serve the sample portal again."""
    run = demos.again
    assert run.returncode == 0, run.stderr
    assert "周报 (weekly report)" in run.stdout
    assert [s.status for s in demos.scans] == ["done", "done"]
    assert len({s.site_id for s in demos.scans}) == 1  # the same demo site, its history kept

    printed = next(line for line in run.stdout.splitlines() if "再次打开示例网站" in line)
    again = shlex.split(printed.split("：", 1)[1])
    assert again[:3] == ["govpatrol", "demo", "--serve"]
    server = subprocess.Popen(
        [ENTRY_POINT, *again[1:]],
        cwd=demos.work,
        env=demos.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        home = f"http://127.0.0.1:{demos.port}/"

        def answers() -> bool:
            try:
                return httpx.get(home, timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_for(answers, "the sample portal served again", timeout_s=60, every_s=0.2)
        # the portal the demo generated (its home page's own title)
        generated = (demos.work / "portal" / "site" / "index.html").read_text("utf-8")
        title = generated.split("<title>", 1)[1].split("</title>", 1)[0]
        assert f"<title>{title}</title>" in httpx.get(home, timeout=5).text
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert home in out
