"""Write docs/reliability.md from the fault tests: what was done to govpatrol, what it did.

    .venv/bin/python bench/reliability_doc.py              # run the tests, write the page
    .venv/bin/python bench/reliability_doc.py --log F.jsonl --junit F.xml   # from a past run

The tests record each fault and its observed outcome through the ``fault_log`` fixture
(tests/faultlog.py); pytest's JUnit XML adds each file's totals and the known gaps (strict
xfails, with their reasons). Nothing on the page is written by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govpatrol.core import atomic  # noqa: E402
from tests.faultlog import LOG_ENV  # noqa: E402

OUT = ROOT / "docs" / "reliability.md"
SUITES = {
    "hostile_servers": (
        "Hostile and broken servers",
        "tests/test_hostile_servers.py",
        "Two sites on 127.0.0.1 misbehave on purpose and are scanned for real, at the same "
        "time, into one store (`pipeline.run_scan`, no browser; link timeout 2 s on the site that "
        "misbehaves on the wire, 20 s on the one whose markup and redirects do).",
    ),
    "budgets": (
        "Budgets for what a site controls",
        "tests/test_budgets.py",
        "One hostile site per case on 127.0.0.1, scanned for real into a SQLite file "
        "(`pipeline.run_scan`, no browser) with a small budget, so the cut is reached in "
        'seconds; what was cut is read back from `scan.stats["cut"]` and the link targets. '
        "Memory and time with the default budgets are in docs/benchmarks.md (bench/hostile.py).",
    ),
    "crash": (
        "Crashes (kill -9)",
        "tests/test_crash.py",
        "Scans run as the dispatcher runs them (`govpatrol run-scan`, each with its crawl "
        "process) against slow sites on 127.0.0.1 and are killed with SIGKILL; batch writes "
        "and report writes are killed mid-way in child processes.",
    ),
    "security": (
        "Security",
        "tests/test_security.py",
        "A hostile site plants script and formula payloads; it is scanned for real and read "
        "back through the report, the dashboard over HTTP and the ledgers. Then sign-in, "
        "roles, ids and site registration are abused.",
    ),
    "properties": (
        "Extractors on arbitrary input",
        "tests/test_properties.py",
        "Hypothesis feeds URL, date, document, list and Hanweb/TRS helpers generated markup "
        "and text (each example under a deadline); long hostile texts are timed.",
    ),
}

# Suites whose passing tests are listed by name: a property test's name is its claim.
LIST_HELD = frozenset({"properties"})


@dataclass
class Totals:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    gaps: list[tuple[str, str]] = field(default_factory=list)  # (test, reason) of xfails
    failures: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # names of the tests that passed


def run_tests(log: Path, junit: Path) -> int:
    files = [path for _, path, _ in SUITES.values()]
    command = [sys.executable, "-m", "pytest", *files, "-q", "-p", "tests.faultlog"]
    command += [f"--junitxml={junit}", "-p", "no:cacheprovider"]
    env = {**os.environ, LOG_ENV: str(log)}
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


def read_rows(log: Path) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = defaultdict(list)
    if log.exists():
        for line in log.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row["suite"]].append(row)
    return rows


def read_junit(junit: Path) -> dict[str, Totals]:
    totals: dict[str, Totals] = defaultdict(Totals)
    for case in ET.parse(junit).getroot().iter("testcase"):
        suite = case.get("classname", "").rsplit(".", 1)[-1].removeprefix("test_")
        entry = totals[suite]
        entry.seconds += float(case.get("time", 0))
        skipped = case.find("skipped")
        failed = case.find("failure") if case.find("failure") is not None else case.find("error")
        if failed is not None:
            entry.failed += 1
            entry.failures.append(case.get("name", ""))
        elif skipped is not None:
            entry.skipped += 1
            if skipped.get("type") == "pytest.xfail":
                reason = (skipped.get("message") or "").removeprefix("xfail: ")
                entry.gaps.append((case.get("name", ""), reason))
        else:
            entry.passed += 1
            entry.held.append(case.get("name", ""))
    return totals


def _humane(test_name: str) -> str:
    """``test_canonical_is_idempotent[x]`` → ``canonical is idempotent [x]``."""
    name, _, params = test_name.partition("[")
    text = name.removeprefix("test_").replace("_", " ")
    return f"{text} [{params}" if params else text


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def render(rows: dict[str, list[dict]], totals: dict[str, Totals]) -> str:
    import scrapy

    lines = [
        "# Reliability: faults tried and what happened",
        "",
        "Generated by `bench/reliability_doc.py` from the fault tests; do not edit by hand. "
        f"Last run {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z} on Python "
        f"{platform.python_version()}, Scrapy {scrapy.__version__}, {os.cpu_count()} CPUs "
        f"(load average {os.getloadavg()[0]:.1f} at the end).",
        "",
        "Every outcome below was read back from the store, the files or the HTTP answers "
        "during the run, not written in advance. ✅ the test asserting it passed, ❌ it "
        "failed, · run without the recording plugin.",
        "",
    ]
    for suite, (title, path, how) in SUITES.items():
        entry = totals.get(suite, Totals())
        summary = f"{entry.passed} passed"
        summary += f", {entry.failed} failed" if entry.failed else ""
        gaps = len(entry.gaps)
        summary += f", {gaps} known gap{'s' if gaps > 1 else ''}" if gaps else ""
        lines += [f"## {title}", "", f"`{path}` — {summary}, {entry.seconds:.0f} s. {how}", ""]
        if rows.get(suite):
            lines += ["| | Fault | What govpatrol did |", "|---|---|---|"]
            for row in rows[suite]:
                mark = {True: "✅", False: "❌", None: "·"}[row.get("passed")]
                lines.append(f"| {mark} | {_cell(row['fault'])} | {_cell(row['outcome'])} |")
            lines.append("")
        if suite in LIST_HELD and entry.held:
            lines += ["Properties that held:", ""]
            lines += [f"- {_cell(_humane(name))}" for name in dict.fromkeys(entry.held)]
            lines.append("")
        if entry.gaps:
            lines += ["Known gaps (strict xfail: the test fails once the gap is closed):", ""]
            lines += [f"- `{name}`: {_cell(reason)}" for name, reason in entry.gaps]
            lines.append("")
        if entry.failures:
            lines += ["Failing in this run:", ""]
            lines += [f"- `{name}`" for name in entry.failures]
            lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, help="a fault log of a past run (JSON lines)")
    parser.add_argument("--junit", type=Path, help="the JUnit XML of that run")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    status = 0
    with tempfile.TemporaryDirectory() as folder:
        log, junit = args.log, args.junit
        if log is None or junit is None:
            log, junit = Path(folder) / "faults.jsonl", Path(folder) / "junit.xml"
            status = run_tests(log, junit)
        atomic.write_text(args.out, render(read_rows(log), read_junit(junit)))
    print(f"wrote {args.out}")
    return status


if __name__ == "__main__":
    sys.exit(main())
