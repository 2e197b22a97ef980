"""Shared fixtures: the generated sample portal served on 127.0.0.1, and fresh stores."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

AS_OF = dt.date(2026, 11, 22)
CHROMIUM = Path("/usr/bin/chromium")


# The files that take minutes, longest first: the per-file totals of a full run
# (`python -m pytest -n 2 --dist loadfile --junitxml`, summed per file). `make test` runs the
# files on three processes (pytest-xdist, --dist loadfile) and hands them out in collection
# order, which it keeps only with --no-loadscope-reorder (by default xdist reorders by the
# number of tests per file, which sent the one- and two-test files of several minutes —
# test_demo, test_heldout_a11y, test_celery — last, to one process, the other one idle).
SLOW_FILES = (
    "test_cli_scan.py",
    "test_rescan.py",
    "test_budgets.py",
    "test_celery.py",
    "test_db_upgrade.py",
    "test_heldout_a11y.py",
    "test_end_to_end.py",
    "test_demo.py",
    "test_celery_worker_lost.py",
    "test_page_checks.py",
    "test_scheduler.py",
    "test_heal.py",
    "test_security.py",
    "test_hostile_servers.py",
    "test_report_language.py",
    "test_outbound.py",
    "test_portal_second_week.py",
    "test_heldout_columns.py",
    "test_crawl.py",
    "test_crash.py",
    "test_verdicts.py",
    "test_dashboard.py",
    "test_browser_audit.py",
    "test_finding_fixtures.py",
    "test_core_install.py",
    "test_browser_ssrf.py",
    "test_inspect.py",
    "test_tampering.py",
    "test_dispatch.py",
    "test_dashboard_browser.py",
    "test_a11y_static.py",
)


def _slow_first(item: pytest.Item) -> int:
    name = item.path.name
    return SLOW_FILES.index(name) if name in SLOW_FILES else len(SLOW_FILES)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=_slow_first)  # stable: a file's tests keep their order
    # Browser tests need Debian's Chromium (make test installs it); say so rather than fail.
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason="/usr/bin/chromium is not installed (run `make install`)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite store for one test, also seen by subprocesses through the env."""
    url = f"sqlite:///{tmp_path / 'govpatrol.db'}"
    monkeypatch.setenv("GOVPATROL_DATABASE_URL", url)
    return url


@pytest.fixture(scope="session")
def portal_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sampleportal.generate import generate_portal

    root = tmp_path_factory.mktemp("portal")
    generate_portal(root, AS_OF)
    return root


# Routes of the sample portal that only make a scan wait (a 30-second page, 429s with
# Retry-After). What they test is tested elsewhere; files that scan the portal many times
# serve it without them, so they add no idle seconds to every scan.
WAITING_ROUTES = ("slow", "rate_limit_once", "rate_limit_always")


def generate_portal_without_waits(root: Path) -> Path:
    """The sample portal generated into ``root``, less its ``WAITING_ROUTES``."""
    from sampleportal.generate import generate_portal

    generate_portal(root, AS_OF)
    routes = json.loads((root / "routes.json").read_text("utf-8"))
    routes["routes"] = [r for r in routes["routes"] if r["kind"] not in WAITING_ROUTES]
    (root / "routes.json").write_text(json.dumps(routes, ensure_ascii=False), "utf-8")
    return root


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's Chromium through Playwright, one per test file that asks for it."""
    from playwright.sync_api import sync_playwright

    from govpatrol.core.settings import CHROMIUM_ARGS, CHROMIUM_PATH

    if not Path(CHROMIUM_PATH).exists():
        pytest.skip(f"no Chromium at {CHROMIUM_PATH}")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def truth(portal_dir: Path) -> dict:
    return json.loads((portal_dir / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def portal(portal_dir: Path) -> Iterator:
    from sampleportal.server import PortalServer

    server = PortalServer(portal_dir).start()
    try:
        yield server
    finally:
        server.stop()


def has(program: str) -> bool:
    return shutil.which(program) is not None
