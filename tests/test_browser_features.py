"""The audit's --disable-features switch: it repeats every feature the installed Playwright
turns off (a second switch replaces Playwright's), and with the spare renderer off a pool of
two tabs keeps its renderer processes across audits instead of starting one per audit."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import playwright
import psutil
import pytest

from crawler.browser import audit_pages_sync
from crawler.browser_features import AUDIT_DISABLED, PLAYWRIGHT_DISABLED, disable_features_switch


def installed_playwright_disabled() -> list[str]:
    """The ``disabledFeatures`` list of the installed driver's Chromium switches."""
    lib = Path(playwright.__file__).parent / "driver" / "package" / "lib"
    for path in (lib / "coreBundle.js", lib / "server" / "chromium" / "chromiumSwitches.js"):
        if path.exists():
            source = path.read_text(encoding="utf-8")
            match = re.search(r"disabledFeatures = \[(.*?)\]", source, re.S)
            if match:
                listed = re.sub(r"//[^\n]*", "", match.group(1))
                return re.findall(r'"([A-Za-z0-9]+)"', listed)
    raise AssertionError(f"no disabledFeatures list under {lib}")


def test_the_switch_repeats_every_feature_playwright_turns_off() -> None:
    installed = installed_playwright_disabled()
    assert "PaintHolding" in installed  # the parse found the list
    switch = disable_features_switch()
    assert switch.startswith("--disable-features=")
    features = switch.removeprefix("--disable-features=").split(",")
    assert set(installed) <= set(PLAYWRIGHT_DISABLED) <= set(features)
    assert set(AUDIT_DISABLED) <= set(features)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("site")
    body = '<!DOCTYPE html><html lang="zh-CN"><head><title>页</title></head><body><a href="/">首页</a></body></html>'
    (root / "page.html").write_text(body, encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(root))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/page.html"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.browser
def test_two_tabs_keep_their_renderers_across_audits(site: str) -> None:
    """Twelve audits on two tabs: every renderer process seen while they ran is counted. With
    Chromium's spare renderer each audit started one more (13 for 12 audits)."""
    renderers: set[int] = set()
    stop = threading.Event()

    def watch() -> None:
        me = psutil.Process()
        while not stop.is_set():
            for proc in me.children(recursive=True):
                try:
                    if "--type=renderer" in " ".join(proc.cmdline()):
                        renderers.add(proc.pid)
                except psutil.Error:  # a process that just exited
                    continue
            stop.wait(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        results = audit_pages_sync([site] * 12, tabs=2, timeout_s=30, settle_s=0.2)
    finally:
        stop.set()
        watcher.join(10)
    assert [r.error for r in results] == [None] * 12
    assert len(renderers) >= 2  # the watch saw the tabs' processes
    # per tab: the renderer of its first blank page and the site's
    assert len(renderers) <= 6, len(renderers)
