"""``govpatrol demo``, the first thing a new user runs: serve, scan, report."""

import json
import socket

from sqlmodel import Session, select

from checks.tampering import TEXT_KEY
from govpatrol.cli.demo import run_demo
from govpatrol.core.db import get_engine
from govpatrol.core.models import ListPage
from tests.conftest import AS_OF
from tests.findings_schema import assert_valid_export


def test_demo_scans_the_sample_portal_and_writes_the_weekly_report(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("GOVPATROL_REPORTS_DIR", str(tmp_path / "reports"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    def demo():
        return run_demo(
            tmp_path / "portal",
            port=port,
            browser=False,
            as_of=AS_OF,
            thresholds={"link_timeout_s": 2},
        )

    first = demo()
    assert first.scan.status == "done"
    html = first.report.read_text(encoding="utf-8")
    assert "示例市民政局门户网站" in html and ("合格" in html or "不合格" in html)
    assert "<script src=" not in html  # self-contained: nothing loaded from elsewhere
    data = assert_valid_export(json.loads(first.export.read_text(encoding="utf-8")))
    assert data["format"] == "govpatrol.findings/1"
    assert data["scan"]["id"] == first.scan.id and data["findings"]
    assert {f["state"] for f in data["findings"]} == {"new"}

    # the same site next time, so the weekly report can say what is still open
    second = demo()
    assert second.scan.site_id == first.scan.site_id and second.scan.id != first.scan.id
    again = assert_valid_export(json.loads(second.export.read_text(encoding="utf-8")))
    states = {f["state"] for f in again["findings"]}
    assert states == {"open"}
    # compared with the first scan, the unchanged portal was neither tampered with nor backdated
    assert again["scan"]["id"] == second.scan.id
    assert not {f["check"] for f in again["findings"]} & {"content_tampered", "backdated_article"}
    tampering = {i["id"]: i for i in again["score"]["indicators"]}
    assert (
        tampering["tampering"]["awaiting_review"] == tampering["backdating"]["awaiting_review"] == 0
    )
    # and the comparison did happen: both scans fingerprinted the home page and the columns
    with Session(get_engine(db_url)) as session:
        for scan in (first.scan, second.scan):
            rows = session.exec(
                select(ListPage.url).where(
                    ListPage.scan_id == scan.id, ListPage.column_key == TEXT_KEY
                )
            ).all()
            assert len(rows) > 10, scan.id


def test_make_demo_runs_again_and_leaves_a_way_to_serve_the_portal(db_url, tmp_path):
    """What ``make demo`` runs, twice in the same folder without cleaning up, then the
    command it prints to serve the sample portal again."""
    import os
    import shlex
    import signal
    import subprocess
    import sys
    from pathlib import Path

    import httpx
    from sqlmodel import Session, select

    from govpatrol.core.db import get_engine
    from govpatrol.core.models import Scan
    from tests.polling import wait_for

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    entry_point = str(Path(sys.executable).with_name("govpatrol"))
    env = {**os.environ, "COLUMNS": "300", "GOVPATROL_REPORTS_DIR": str(tmp_path / "reports")}
    demo = [entry_point, "demo", "--no-browser", "--dir", str(tmp_path / "portal")]
    demo += ["--port", str(port), "--set", "link_timeout_s=2"]
    runs = [
        subprocess.run(demo, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
        for _ in range(2)
    ]
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert "周报 (weekly report)" in run.stdout
    with Session(get_engine(db_url)) as session:
        scans = session.exec(select(Scan).order_by(Scan.id)).all()
    assert [s.status for s in scans] == ["done", "done"]
    assert len({s.site_id for s in scans}) == 1  # the same demo site, its history kept

    printed = next(line for line in runs[1].stdout.splitlines() if "再次打开示例网站" in line)
    again = shlex.split(printed.split("：", 1)[1])
    assert again[:3] == ["govpatrol", "demo", "--serve"]
    server = subprocess.Popen(
        [entry_point, *again[1:]],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        home = f"http://127.0.0.1:{port}/"

        def answers() -> bool:
            try:
                return httpx.get(home, timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_for(answers, "the sample portal served again", timeout_s=60, every_s=0.2)
        # the portal the demo generated (its home page's own title)
        generated = (tmp_path / "portal" / "site" / "index.html").read_text("utf-8")
        title = generated.split("<title>", 1)[1].split("</title>", 1)[0]
        assert f"<title>{title}</title>" in httpx.get(home, timeout=5).text
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert home in out
