"""What ``govpatrol scan`` exits with, so a CI job can act on a scan: the ``--fail-on``
conditions and the exit codes the README documents.

A condition is judged on the findings export (``reports.export.export_json``), the same view
of the scan a person reads: findings marked false positive or "column legitimately
unchanged" do not count, as they do not count in the score.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from govpatrol.core.models import ScanStatus
from scoring.scorer import NOT_COUNTED_STATES, PASS

EXIT_OK = 0  # the scan ran to its end and the --fail-on condition does not hold
EXIT_INCOMPLETE = 1  # the scan started but failed or ended partial: nothing to certify
EXIT_NOT_STARTED = 2  # bad input, unreachable home page, a scan of the site already running
EXIT_CONDITION = 3  # the --fail-on condition holds
EXIT_INTERRUPTED = 130  # Ctrl-C


class FailOn(StrEnum):
    veto = "veto"  # an indicator's single veto (单项否决) fired
    fail = "fail"  # the verdict is not 合格
    finding = "finding"  # the scan has any finding that counts


def condition_holds(condition: FailOn, export: dict[str, Any]) -> bool:
    score = export.get("score") or {}
    if condition is FailOn.veto:
        return bool(score.get("vetoes"))
    if condition is FailOn.fail:
        return score.get("verdict") != PASS
    return any(f.get("state") not in NOT_COUNTED_STATES for f in export.get("findings") or ())


def exit_code(status: ScanStatus, condition: FailOn | None, export: dict[str, Any] | None) -> int:
    """The exit code of a scan that ran (started) and ended with ``status``.

    A condition that holds is reported even on a partial scan (what was seen is enough to
    fail); one that does not hold is only worth 0 on a complete scan."""
    if status == ScanStatus.failed:
        return EXIT_INCOMPLETE
    if condition is None:
        return EXIT_OK
    if export is not None and condition_holds(condition, export):
        return EXIT_CONDITION
    return EXIT_OK if status == ScanStatus.done else EXIT_INCOMPLETE
