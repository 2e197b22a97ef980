"""The command line: clear one-line errors for bad input, org and site management."""

import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from govpatrol.cli.main import app

runner = CliRunner()


@pytest.fixture
def text_server(tmp_path):
    (tmp_path / "robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a, **k: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("notaurl", "缺少 http://"),
        ("ftp://a.gov.cn/", "只支持 http/https"),
        ("http://", "主机名无效"),
        ("http://a b.gov.cn/", "主机名无效"),
        ("http://a.gov.cn:99999/", "格式错误"),
        ("http://nosuchhost.invalid/", "无法解析域名"),
    ],
)
def test_malformed_or_unresolvable_urls_get_one_clear_line(db_url, url, expected):
    result = runner.invoke(app, ["scan", url])
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output


def test_unreachable_host(db_url):
    result = runner.invoke(app, ["scan", f"http://127.0.0.1:{closed_port()}/"])
    assert result.exit_code == 2
    assert "连接被拒绝" in result.output


def test_home_page_that_is_not_html(db_url, text_server):
    result = runner.invoke(app, ["scan", text_server + "robots.txt"])
    assert result.exit_code == 2
    assert "不是 HTML" in result.output


def test_bad_as_of_date(db_url):
    result = runner.invoke(app, ["scan", "http://127.0.0.1:1/", "--as-of", "2026-13-01"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_orgs_and_sites_management(db_url, monkeypatch):
    monkeypatch.setattr("govpatrol.cli.main.console.width", 200)
    assert runner.invoke(app, ["orgs", "add", "某省人民政府"]).exit_code == 0
    assert (
        runner.invoke(app, ["orgs", "add", "某市人民政府", "--parent", "某省人民政府"]).exit_code
        == 0
    )
    assert (
        runner.invoke(app, ["orgs", "add", "某市民政局", "--parent", "某市人民政府"]).exit_code == 0
    )
    missing_parent = runner.invoke(app, ["orgs", "add", "孤儿局", "--parent", "不存在"])
    assert missing_parent.exit_code == 2 and "没有名为" in missing_parent.output
    tree = runner.invoke(app, ["orgs", "list"]).output
    assert (
        tree.index("某省人民政府")
        < tree.index("  #2 某市人民政府")
        < tree.index("    #3 某市民政局")
    )

    added = runner.invoke(
        app,
        ["sites", "add", "http://MZJ.example.gov.cn", "--name", "民政局", "--org", "某市民政局"],
    )
    assert added.exit_code == 0, added.output
    duplicate = runner.invoke(
        app, ["sites", "add", "http://mzj.example.gov.cn/", "--name", "again"]
    )
    assert duplicate.exit_code == 2 and "已登记" in duplicate.output
    listed = runner.invoke(app, ["sites", "list"]).output
    assert "http://mzj.example.gov.cn/" in listed and "某市民政局" in listed
    assert runner.invoke(app, ["sites", "remove", "民政局"]).exit_code == 0
    assert runner.invoke(app, ["sites", "remove", "nothing"]).exit_code == 2


def test_site_urls_are_normalised():
    from scan.preflight import normalise_site_url

    assert normalise_site_url("HTTP://MZJ.Example.gov.cn") == "http://mzj.example.gov.cn/"
    assert normalise_site_url(" http://[::1]:8080/x?a=1 ") == "http://[::1]:8080/x?a=1"
