"""What each fault test tried and what happened, for docs/reliability.md.

A test takes the ``fault_log`` fixture and calls it once per fault with the outcome it
observed (read from the store, not assumed). Rows go to the JSON-lines file named by
``GOVPATROL_RELIABILITY_LOG``; without it nothing is written, so a plain ``pytest`` run is
unaffected. Loaded as a plugin (``-p tests.faultlog``, as bench/reliability_doc.py does), it
also records whether each test passed, so a fault whose test failed shows as failing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

LOG_ENV = "GOVPATROL_RELIABILITY_LOG"
_CALL_REPORT = pytest.StashKey[pytest.TestReport]()


@dataclass
class FaultRow:
    suite: str  # the test file's stem: hostile_servers, crash, security, properties
    fault: str  # what was done to govpatrol
    outcome: str  # what govpatrol did about it, as observed
    test: str  # pytest node id
    passed: bool | None = None  # None when run without the plugin


@dataclass
class FaultLog:
    suite: str
    test: str
    rows: list[FaultRow] = field(default_factory=list)

    def __call__(self, fault: str, outcome: str) -> None:
        self.rows.append(FaultRow(self.suite, fault, outcome, self.test))


@pytest.fixture(name="fault_log")
def fault_log_fixture(request: pytest.FixtureRequest) -> Iterator[FaultLog]:
    suite = Path(str(request.node.fspath)).stem.removeprefix("test_")
    log = FaultLog(suite, request.node.nodeid)
    yield log
    target = os.environ.get(LOG_ENV)
    if not target or not log.rows:
        return
    report = request.node.stash.get(_CALL_REPORT, None)
    with open(target, "a", encoding="utf-8") as handle:
        for row in log.rows:
            row.passed = None if report is None else report.passed
            handle.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash[_CALL_REPORT] = report
