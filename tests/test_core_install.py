"""A single-machine ``--no-browser`` user installs only the core (``pip install govpatrol``):
``govpatrol scan`` must work without the ``[cluster]`` and ``[browser]`` extras and without
the dev/bench-only psutil, and a command that needs an extra must name it.

Building a real core-only venv takes minutes, so the child process instead gets a
``sitecustomize`` that makes those packages unimportable (as when they are not installed);
it applies to every Python process the scan starts, too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.loopback import LoopbackServer, page, serve

EXTRAS_ONLY = [
    "celery",
    "kombu",
    "redis",
    "psycopg",
    "playwright",
    "axe_playwright_python",
    "PIL",
    "psutil",
]

BLOCKER = f"""
import importlib.abc, sys

BLOCKED = {EXTRAS_ONLY!r}


class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}} (blocked: core install)", name=name)
        return None


sys.meta_path.insert(0, NotInstalled())
"""

HOME = """<html><head><title>某县人民政府</title></head><body>
<a href="/news/a.html">新闻</a> <a href="/gone.html">已删除的通知</a></body></html>"""
ARTICLE = "<html><head><title>新闻</title></head><body><p>正文</p></body></html>"


@pytest.fixture
def core_env(tmp_path: Path) -> dict[str, str]:
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    path = os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")]))
    return {
        **os.environ,
        "PYTHONPATH": path,
        "GOVPATROL_DATABASE_URL": f"sqlite:///{tmp_path / 'store' / 'govpatrol.db'}",
        "TZ": "UTC",
    }


@pytest.fixture
def site() -> Iterator[LoopbackServer]:
    with serve({"/": page(HOME), "/news/a.html": page(ARTICLE)}) as server:
        yield server


def govpatrol(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "govpatrol.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_hook_really_blocks_the_extras(core_env: dict[str, str], tmp_path: Path) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", "import psutil"], env=core_env, capture_output=True, text=True
    )
    assert probe.returncode != 0 and "blocked: core install" in probe.stderr


def test_a_no_browser_scan_needs_no_extra(
    core_env: dict[str, str], site: LoopbackServer, tmp_path: Path
) -> None:
    report = tmp_path / "scan.json"
    done = govpatrol(
        core_env, "scan", site.base_url, "--no-browser", "--json", str(report), cwd=tmp_path
    )
    assert done.returncode in (0, 3), done.stderr
    export = json.loads(report.read_text(encoding="utf-8"))
    assert export["scan"]["status"] == "done", export["scan"]
    broken = [f for f in export["findings"] if "gone.html" in json.dumps(f, ensure_ascii=False)]
    assert broken, export["findings"]


def test_a_worker_without_the_cluster_extra_says_which_extra(
    core_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**core_env, "GOVPATROL_BROKER_URL": "redis://127.0.0.1:1/0"}
    assert govpatrol(env, "db", "upgrade", cwd=tmp_path).returncode == 0
    refused = govpatrol(env, "worker", cwd=tmp_path)
    assert refused.returncode == 2, (refused.stdout, refused.stderr)
    assert "govpatrol[cluster]" in refused.stderr


def test_a_browser_scan_without_the_browser_extra_skips_the_audits_and_says_why(
    core_env: dict[str, str], site: LoopbackServer, tmp_path: Path
) -> None:
    from sqlmodel import Session, select

    from govpatrol.core.db import get_engine
    from govpatrol.core.models import Scan

    done = govpatrol(
        core_env, "scan", site.base_url, "--only", "accessibility", "--json", "-", cwd=tmp_path
    )
    assert done.returncode in (0, 1, 3), done.stderr
    with Session(get_engine(core_env["GOVPATROL_DATABASE_URL"])) as session:
        (scan,) = session.exec(select(Scan)).all()
    browser = scan.stats["accessibility"]["browser"]
    assert browser["status"] == "skipped"
    assert "govpatrol[browser]" in browser["note"], browser
