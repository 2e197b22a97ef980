"""Held-out evaluation of column, list and error-page reading (issue #21).

tests/heldout/ holds two small portals written in markup unlike the sample portal's (see
tests/heldout/build_site.py) and a truth written from docs/CHECKS.md. Two measurements:

* every page through the function behind ``govpatrol inspect`` (scan.inspect_page): its kind,
  a list's item count and newest date, and the error-page verdict, against the truth;
* a real ``govpatrol scan`` of each portal served on 127.0.0.1: precision and recall of
  stale_column, blank_column, home_not_updated and broken_link (the soft-404 targets).

Both print their table (``pytest -s`` shows it) and must reach 0.95.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from scan.inspect_fetch import read_file
from scan.inspect_page import inspect_page

HELDOUT = Path(__file__).parent / "heldout"
TRUTH = json.loads((HELDOUT / "truth.json").read_text(encoding="utf-8"))
AS_OF = dt.date.fromisoformat(TRUTH["as_of"])
MEASURED = ("stale_column", "blank_column", "home_not_updated", "broken_link")
PAGE_FIELDS = ("kind", "item_count", "newest_date", "error_page")
TARGET = 0.95
# inspect judges a file at the address it was served at; any loopback origin will do
ORIGIN = "http://127.0.0.1:8000"


def normal_path(path: str) -> str:
    """The truth's spelling of a page: a site path, /index.html folded into /."""
    return re.sub(r"/index\.html$", "/", path)


def page_readings() -> Iterator[tuple[str, str, dict, dict]]:
    """(site, path, truth, inspect document) for every page of the truth."""
    for site, truth in TRUTH["sites"].items():
        for expected in truth["pages"]:
            path = expected["path"]
            file = HELDOUT / site / path.lstrip("/")
            if path.endswith("/"):
                file = file / "index.html"
            fetched = read_file(file, url=ORIGIN + path)
            yield site, path, expected, inspect_page(fetched, AS_OF)


def observed(field: str, document: dict) -> object:
    listing = document.get("list") or {}
    if field == "kind":
        return document["kind"]
    if field == "error_page":
        return document["error_page"]["is_error_page"]
    if field == "item_count":
        return listing.get("item_count")
    if document["kind"] == "channel" and document.get("channel"):
        return document["channel"].get("newest_date")
    return listing.get("newest_date")


def test_every_page_reads_as_the_truth_says():
    checked: dict[str, int] = dict.fromkeys(PAGE_FIELDS, 0)
    wrong: dict[str, list[str]] = {name: [] for name in PAGE_FIELDS}
    for site, path, expected, document in page_readings():
        for name in PAGE_FIELDS:
            if name not in expected:
                continue
            checked[name] += 1
            got = observed(name, document)
            if got != expected[name]:
                wrong[name].append(f"{site}{path}: expected {expected[name]!r}, read {got!r}")
    print("\nheld-out pages: field, checked, right, accuracy")
    for name in PAGE_FIELDS:
        right = checked[name] - len(wrong[name])
        print(f"  {name:12} {checked[name]:4} {right:4} {right / max(checked[name], 1):.3f}")
        for line in wrong[name]:
            print("     ", line)
    for name in PAGE_FIELDS:
        assert checked[name] and not wrong[name], f"{name}: {wrong[name]}"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No access log on the test's output."""


@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, str]]:
    """Each held-out portal on its own 127.0.0.1 server (a 404 for anything not there)."""
    servers = {}
    for site in TRUTH["sites"]:
        handler = partial(QuietHandler, directory=str(HELDOUT / site))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers[site] = server
    yield {site: f"http://127.0.0.1:{s.server_address[1]}/" for site, s in servers.items()}
    for server in servers.values():
        server.shutdown()
        server.server_close()


def scan_findings(base_url: str, work: Path) -> list[dict]:
    out = work / "findings.json"
    env = {**os.environ, "GOVPATROL_DATABASE_URL": f"sqlite:///{work / 'govpatrol.db'}"}
    cmd = [
        sys.executable, "-m", "govpatrol.cli.main", "scan", base_url, "--json", str(out),
        "--as-of", AS_OF.isoformat(), "--no-browser", "--only", "links,freshness",
        "--set", "link_timeout_s=5",
    ]  # fmt: skip
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    export = json.loads(out.read_text(encoding="utf-8"))
    assert export["scan"]["status"] == "done"
    return export["findings"]


def site_path(url: str) -> str:
    parts = urlsplit(url)
    return normal_path(unquote(parts.path) + (f"?{parts.query}" if parts.query else ""))


def test_scan_precision_and_recall(served, tmp_path):
    expected: dict[str, set[tuple]] = {check: set() for check in MEASURED}
    found: dict[str, set[tuple]] = {check: set() for check in MEASURED}
    for site, base_url in served.items():
        for item in TRUTH["sites"][site]["findings"]:
            target = normal_path(item["target"]) if item["target"] else ""
            expected[item["check"]].add((site, normal_path(item["page"]), target))
        work = tmp_path / site
        work.mkdir()
        for item in scan_findings(base_url, work):
            if item["check"] in MEASURED:
                target = site_path(item["target"]) if item.get("target") else ""
                found[item["check"]].add((site, site_path(item["page"]), target))
    print("\nheld-out scan: check, expected, found, precision, recall")
    failing = []
    for check in MEASURED:
        hits = expected[check] & found[check]
        precision = len(hits) / len(found[check]) if found[check] else 1.0
        recall = len(hits) / len(expected[check]) if expected[check] else 1.0
        print(
            f"  {check:17} {len(expected[check]):3} {len(found[check]):3}"
            f" {precision:.3f} {recall:.3f}"
        )
        for miss in sorted(expected[check] - found[check]):
            print("      missed", miss)
        for extra in sorted(found[check] - expected[check]):
            print("      false ", extra)
        if precision < TARGET or recall < TARGET:
            failing.append(check)
    assert all(expected.values()), "the truth plants every measured finding id"
    assert not failing, f"below {TARGET}: {failing}"


def column_readings() -> Iterator[tuple[str, dict, dict]]:
    """(site, column truth, inspect document of its first page) for every column."""
    first_pages = {
        (site, page["column"]): page["path"]
        for site, truth in TRUTH["sites"].items()
        for page in truth["pages"]
        if page.get("page_number") == 1
    }
    for site, truth in TRUTH["sites"].items():
        for column in truth["columns"]:
            path = first_pages[(site, column["first_page"])]
            fetched = read_file(HELDOUT / site / path.lstrip("/"), url=ORIGIN + path)
            yield site, column, inspect_page(fetched, AS_OF)


def test_every_column_has_the_cadence_and_verdicts_of_the_rules():
    """Category, cadence and where it came from (docs/CHECKS.md "Column categories"), and
    the stale and blank verdicts inspect gives the column's first page."""
    wrong = []
    for site, column, document in column_readings():
        listing = document["list"] or {}
        cadence = listing.get("cadence") or {}
        got = {
            "category": cadence.get("category"),
            "cadence_days": cadence.get("max_days"),
            "stale": (listing.get("stale") or {}).get("verdict") == "stale",
            "blank": (listing.get("blank") or {}).get("verdict") == "blank",
        }
        want = {
            "category": column["category"],
            "cadence_days": column["cadence_days"],
            "stale": "stale_column" in column["expected"],
            "blank": "blank_column" in column["expected"],
        }
        if column.get("judged_by_scan_only"):  # docs/inspect.md "What one page cannot show"
            del got["stale"], got["blank"], want["stale"], want["blank"]
        if column["cadence_days"] is not None:
            got["source"] = cadence.get("source")
            want["source"] = column["cadence_source"]
        if got != want:
            wrong.append(f"{site}{column['first_page']} {column['name']}: {want} != {got}")
    print(f"\nheld-out columns: {len(wrong)} read otherwise than the rules say")
    for line in wrong:
        print("     ", line)
    assert not wrong
