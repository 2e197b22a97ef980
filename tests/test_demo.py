"""``govpatrol demo``, the first thing a new user runs: serve, scan, report."""

import json
import socket

from govpatrol.demo import run_demo
from tests.conftest import AS_OF


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
    data = json.loads(first.export.read_text(encoding="utf-8"))
    assert data["format"] == "govpatrol.findings/1"
    assert data["scan"]["id"] == first.scan.id and data["findings"]
    assert {f["state"] for f in data["findings"]} == {"new"}

    # the same site next time, so the weekly report can say what is still open
    second = demo()
    assert second.scan.site_id == first.scan.site_id and second.scan.id != first.scan.id
    states = {f["state"] for f in json.loads(second.export.read_text(encoding="utf-8"))["findings"]}
    assert states == {"open"}
