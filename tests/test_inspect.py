"""``govpatrol inspect``: the real command on page files, on a real HTTP server on 127.0.0.1
and on real government markup, its JSON checked against docs/inspect.schema.json."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from govpatrol.cli.inspect import safe
from govpatrol.cli.main import app
from tests.test_documents import REAL_DECISIONS

ROOT = Path(__file__).resolve().parents[1]
PAGES = Path(__file__).parent / "inspect_pages"
REAL_PAGES = ROOT.parent / "shared" / "real-pages"
SCHEMA = json.loads((ROOT / "docs" / "inspect.schema.json").read_text(encoding="utf-8"))
AS_OF = "2026-12-01"
SITE = "http://127.0.0.1:8000"
runner = CliRunner()
_CJK = re.compile(r"[\u3400-\u9fff]")


def inspect_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["inspect", *args, "--as-of", AS_OF, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    return data


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON value, map keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed command in its own process: real exit code, real stderr."""
    return subprocess.run(
        [sys.executable, "-m", "govpatrol.cli", "inspect", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


# -- page files ------------------------------------------------------------------------------


def test_list_page_file() -> None:
    data = inspect_json(str(PAGES / "list.html"), "--url", f"{SITE}/zwgk/tzgg/index.html")
    assert data["format"] == "govpatrol.inspect/1"
    assert data["source"] == "file" and data["url"] == f"{SITE}/zwgk/tzgg/index.html"
    assert data["kind"] == "list" and data["kind_reason"]["code"] == "list_items"
    listing = data["list"]
    assert listing["column_name"] == "通知公告"
    assert listing["breadcrumb"][-1] == "通知公告"
    assert listing["item_count"] == 10 and listing["dated_count"] == 10
    first = listing["items"][0]
    assert first == {
        "title": "关于2026年度社会组织年检工作的通知",
        "url": f"{SITE}/zwgk/tzgg/202611/t20261118_1001.html",
        "date": "2026-11-18",
        "date_text": "2026-11-18",
        "url_date": "2026-11-18",
    }
    assert listing["newest_date"] == "2026-11-18"
    assert listing["cadence"] == {
        "category": "notice",
        "max_days": 183,
        "source": "name",
        "keyword": "通知公告",
    }
    assert listing["stale"]["verdict"] == "fresh" and listing["stale"]["days_since"] == 13
    assert listing["blank"]["verdict"] == "not_blank"
    assert data["error_page"]["is_error_page"] is False
    assert data["document"] is None


def test_list_turns_stale_later_on() -> None:
    """--as-of judges as if today were that day: a year on, the column is overdue."""
    result = runner.invoke(
        app, ["inspect", str(PAGES / "list.html"), "--as-of", "2027-12-01", "--json"]
    )
    stale = json.loads(result.stdout)["list"]["stale"]
    assert stale["verdict"] == "stale" and stale["reason"]["code"] == "overdue"
    assert stale["days_since"] == 378 and "378" in stale["reason"]["text"]


def test_document_page_file() -> None:
    url = f"{SITE}/zwgk/gfxwj/202603/t20260305_1999.html"
    data = inspect_json(str(PAGES / "document.html"), "--url", url)
    assert data["kind"] == "document"
    document = data["document"]
    fields = document["fields"]
    assert fields["title"] == "示例市民政局关于印发《示例市社区养老服务设施管理办法》的通知"
    assert fields["doc_number"] == "示民规〔2026〕3号"
    assert fields["index_no"] == "11330100MB0000000X/2026-00031"
    assert fields["issuer"] == "示例市民政局"
    assert fields["written_date"] == "2026-03-02"
    assert fields["published_date"] == "2026-03-05"
    assert fields["effective_date"] == "2026-04-01"
    assert fields["fields"]["有效性"] == "有效"
    assert document["sources"]["published_date"] == "metadata"
    assert document["validity"]["value"] == "effective" and document["validity"]["raw"] == "有效"
    assert document["validity"]["verdict"] == "consistent" and document["validity"]["judged"]
    assert document["normative"]["decision"] == "normative"
    assert document["normative"]["reason"]
    assert document["interpretation_links"] == [f"{SITE}/zwgk/zcjd/202603/t20260306_2001.html"]
    assert document["findings"] == []


def test_document_validity_at_a_later_day() -> None:
    """The body's 有效期5年 runs out: labelled 有效 after that contradicts the dates."""
    result = runner.invoke(
        app, ["inspect", str(PAGES / "document.html"), "--as-of", "2031-06-01", "--json"]
    )
    document = json.loads(result.stdout)["document"]
    assert document["validity"]["verdict"] == "inconsistent"
    assert [f["check"] for f in document["validity"]["issues"]] == ["validity_inconsistent"]
    assert document["validity"]["issues"][0]["detail"]["reason"] == "period_expired"


def test_interpretation_page_file() -> None:
    url = f"{SITE}/zwgk/zcjd/202603/t20260306_2001.html"
    data = inspect_json(str(PAGES / "interpretation.html"), "--url", url)
    assert data["kind"] == "interpretation"
    document = data["document"]
    assert document["is_interpretation"] is True
    assert document["normative"]["decision"] == "not_normative"
    assert document["original_links"] == [f"{SITE}/zwgk/gfxwj/202603/t20260305_1999.html"]
    assert document["validity"]["judged"] is False and document["findings"] == []


def test_error_page_file() -> None:
    data = inspect_json(str(PAGES / "error.html"))
    assert data["url"].startswith("file://")
    assert data["kind"] == "error_page"
    assert data["error_page"] == {
        "is_error_page": True,
        "reason": "标题含 404",
        "bot_challenge": None,
    }


def test_gbk_file_reads_as_the_crawler_decodes_it(tmp_path: Path) -> None:
    html = (PAGES / "list.html").read_text(encoding="utf-8").replace("utf-8", "gbk")
    gbk = tmp_path / "list-gbk.html"
    gbk.write_bytes(html.encode("gbk"))
    data = inspect_json(str(gbk), "--url", f"{SITE}/zwgk/tzgg/index.html")
    assert data["encoding"] in ("gb18030", "gbk")
    assert data["title"] == "通知公告_示例市民政局"
    assert data["list"]["items"][0]["title"] == "关于2026年度社会组织年检工作的通知"


def test_human_summary_in_both_languages() -> None:
    page = str(PAGES / "document.html")
    zh = runner.invoke(app, ["inspect", page, "--as-of", AS_OF])
    assert zh.exit_code == 0, zh.output
    for words in (
        "页面类型：文章/文件页",
        "发文字号：示民规〔2026〕3号",
        "行政规范性文件：是",
        "解读链接",
    ):
        assert words in zh.stdout, words
    en = runner.invoke(app, ["inspect", page, "--as-of", AS_OF, "--lang", "en"])
    assert en.exit_code == 0, en.output
    assert "Page kind: Article or document page (document)" in en.stdout
    assert "Normative document: Yes" in en.stdout
    # every word of ours is English: with what the page says (and the reasons govpatrol
    # states in Chinese) taken out, no Chinese is left
    data = inspect_json(page, "--lang", "en")
    quoted = sorted(set(_strings(data["document"]["fields"])), key=len, reverse=True)
    rest = en.stdout
    for text in [*quoted, data["document"]["normative"]["reason"], data["title"]]:
        rest = rest.replace(text, "")
    assert not _CJK.search(rest), rest
    bad = runner.invoke(app, ["inspect", page, "--lang", "fr"])
    assert bad.exit_code == 2


def test_page_text_cannot_drive_the_terminal() -> None:
    result = runner.invoke(app, ["inspect", str(PAGES / "hostile.html")])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "通知公告" in result.stdout
    assert safe("a\x1b[31mb\u202ec\nd\x07") == "a[31mbc d"


# -- a real server on 127.0.0.1 ----------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves the folder without logging each request to stderr (the CLI's stream here)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(PAGES)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("list.html", "list"),
        ("document.html", "document"),
        ("interpretation.html", "interpretation"),
        ("error.html", "error_page"),
    ],
)
def test_pages_served_over_http(site: str, name: str, kind: str) -> None:
    data = inspect_json(f"{site}/{name}")
    assert data["source"] == "http" and data["status"] == 200
    assert data["url"] == data["final_url"] == f"{site}/{name}"
    assert data["kind"] == kind


def test_the_site_root_is_read_as_its_home_page(site: str) -> None:
    data = inspect_json(f"{site}/")
    assert data["kind"] == "channel" and data["kind_reason"]["code"] == "home"
    assert data["channel"]["is_home"] is True and data["list"] is None


def test_http_error_status_is_an_error_page(site: str) -> None:
    data = inspect_json(f"{site}/no-such-page.html")
    assert data["status"] == 404 and data["kind"] == "error_page"
    assert data["error_page"]["reason"] == "HTTP 404"


def test_what_cannot_be_inspected_is_one_line_and_a_nonzero_exit(site: str) -> None:
    closed = ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    dead = f"http://127.0.0.1:{closed.server_address[1]}/"
    closed.server_close()
    cases = {
        f"{site}/notes.txt": "不是 HTML",
        dead: "连接被拒绝",
        "http://": "网址",
        "ftp://example.gov.cn/a.html": "http/https",
        str(PAGES / "missing.html"): "文件不存在",
    }
    for target, words in cases.items():
        result = runner.invoke(app, ["inspect", target])
        assert result.exit_code == 2, (target, result.output)
        assert result.stdout == "", target
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], (target, result.stderr)
    both = runner.invoke(app, ["inspect", f"{site}/list.html", "--url", f"{site}/other.html"])
    assert both.exit_code == 2 and "--url" in both.stderr
    # the command itself, in its own process: the same one line, no traceback
    real = run_cli(dead)
    assert real.returncode == 2 and real.stdout == ""
    assert real.stderr.strip().count("\n") == 0 and "连接被拒绝" in real.stderr


def test_what_cannot_be_inspected_is_said_in_english_under_lang_en(site: str) -> None:
    """``--lang en`` is the documented switch: the one line of a refusal follows it too."""
    closed = ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    dead = f"http://127.0.0.1:{closed.server_address[1]}/"
    closed.server_close()
    cases = {
        (f"{site}/notes.txt",): "not an HTML page",
        (dead,): "connection refused",
        ("http://nosuch.invalid/",): "cannot resolve",
        ("ftp://example.gov.cn/a.html",): "http/https",
        (str(PAGES / "missing.html"),): "no such file",
        (f"{site}/list.html", "--url", f"{site}/other.html"): "--url",
        (f"{site}/list.html", "--as-of", "22/11/2026"): "YYYY-MM-DD",
    }
    for args, words in cases.items():
        result = runner.invoke(app, ["inspect", *args, "--lang", "en"])
        assert result.exit_code == 2, (args, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), (args, result.stderr)
        assert words in lines[0] and not _CJK.search(lines[0]), (args, lines[0])


def test_json_on_stdout_of_the_real_command(site: str) -> None:
    result = run_cli(f"{site}/document.html", "--as-of", AS_OF, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    assert data["document"]["normative"]["decision"] == "normative"


# -- real government markup --------------------------------------------------------------------

_EXPECTED_KIND = {
    "list": {"list"},
    "home": {"channel"},
    "document": {"document", "interpretation"},
    "soft404": {"other", "error_page"},
}


def real_pages() -> list[dict[str, Any]]:
    index = REAL_PAGES / "index.json"
    if not index.exists():
        pytest.skip("shared/real-pages is not beside the repository")
    return json.loads(index.read_text(encoding="utf-8"))


def test_real_pages() -> None:
    checked = 0
    for entry in real_pages():
        path = REAL_PAGES / entry["file"]
        url = entry.get("source_url_if_known") or f"http://www.example.gov.cn/a/{entry['file']}"
        data = inspect_json(str(path), "--url", url)
        name = entry["file"]
        assert data["kind"] in _EXPECTED_KIND[entry["kind"]], name
        if entry["kind"] == "list":
            assert data["list"]["item_count"] > 0, name
            assert data["list"]["newest_date"] == entry["newest_date"], name
        if entry["kind"] == "document":
            # the classifier's decisions on these pages, and why some differ from the
            # annotator's, are recorded once, in tests/test_documents.py
            assert data["document"]["normative"]["decision"] == REAL_DECISIONS[name], name
        if entry["kind"] == "soft404":
            assert data["error_page"]["bot_challenge"], name
        checked += 1
    assert checked >= 30


def test_the_documented_example_is_valid() -> None:
    """docs/inspect.md's example JSON follows the schema, and the schema is a valid one."""
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    text = (ROOT / "docs" / "inspect.md").read_text(encoding="utf-8")
    example = re.search(r"```json\n(.*?)\n```", text, re.DOTALL)
    assert example is not None
    jsonschema.validate(json.loads(example.group(1)), SCHEMA)
    assert "docs/inspect.md" in (ROOT / "README.md").read_text(encoding="utf-8")
