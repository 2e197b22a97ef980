"""Exports of one scan: findings JSON (the public contract), CSV, and the XLSX 整改台账.

The JSON follows docs/findings-format.md ("govpatrol.findings/1"): fields may be added, never
renamed or removed. CSV and XLSX carry the same ledger rows: every current finding plus the
ones fixed since the previous scan, so an office can file what was found and what was mended.

Spreadsheet cells are text from crawled pages: a cell starting with = + - @ (or a tab / carriage
return) would run as a formula in Excel or WPS, so such cells get a leading apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlmodel import Session, col, func, select

from govpatrol.core import atomic
from govpatrol.core.findings import SPECS
from govpatrol.core.models import Finding, Scan, ScanStatus
from reports.deadline import DEFAULT_WORKING_DAYS, rectification_deadline
from reports.evidence import evidence_text
from reports.fmt import iso_time, show_time
from reports.i18n import SEVERITIES, STATES, VERDICTS, check_hint, check_title, from_table, t
from scoring import scans
from scoring.scorer import NOT_COUNTED_STATES, ScoreResult
from scoring.scores import ScanFacts, scan_facts
from scoring.states import StatedFinding

FORMAT = "govpatrol.findings/1"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A text cell that a spreadsheet will show, never evaluate."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _finding_json(item: StatedFinding) -> dict[str, Any]:
    f = item.finding
    data: dict[str, Any] = {
        "check": f.check,
        "severity": f.severity,
        "page": f.page,
    }
    if f.target is not None:  # docs/findings-format.md: target only for link findings
        data["target"] = f.target
    data.update(
        message=f.message,
        detail=f.detail or {},
        fingerprint=f.fingerprint,
        state=item.state,
        lifecycle=item.lifecycle,
    )
    if item.note:
        data["note"] = item.note
    return data


def export_json(session: Session, scan_id: int) -> dict[str, Any]:
    """The findings export of a stored scan, per docs/findings-format.md."""
    d = scan_facts(session, scan_id)
    scan = d.scan
    return {
        "format": FORMAT,
        "site": {"name": d.site.name, "url": d.site.url},
        "scan": {
            "id": scan.id,
            "trigger": scan.trigger,
            "status": str(scan.status),
            "started_at": iso_time(scan.started_at),
            "finished_at": iso_time(scan.finished_at),
            "as_of": scans.as_of(scan).isoformat(),
            "stats": scan.stats or {},
            # Added fields: whether the scan ran every check to the end, and which it ran.
            "complete": d.official,
            "checks": d.checks,
        },
        # Added field score.official: only a complete scan's score is the site's verdict.
        "score": _score_json(d.score.to_dict(), scan.status, d.official),
        "findings": [_finding_json(item) for item in d.current],
        # Added field: what the previous complete scan had and this one saw gone.
        "fixed": [_finding_json(item) for item in d.fixed],
        # Added field: what the previous complete scan had and this one did not see, without
        # seeing it gone (lifecycle not_rechecked, not_crawled or unchanged).
        "not_seen": [_finding_json(item) for item in d.unconfirmed],
    }


def _score_json(score: dict[str, Any], status: str, official: bool) -> dict[str, Any]:
    """The score as exported. A failed scan judged nothing: scoring its empty findings gives
    100 points and 合格, which a reader of the file would take for a pass, so its verdict and
    points are null (the HTML report shows no verdict for it either)."""
    if status == ScanStatus.failed:
        score = {**score, "verdict": None, "points": None}
    return {**score, "official": official}


# --- the ledger (CSV and XLSX) --------------------------------------------------------------

LEDGER_COLUMNS: tuple[tuple[str, str, int], ...] = (
    # (zh, en, xlsx width)
    ("序号", "No.", 6),
    ("问题类型", "Problem type", 18),
    ("严重程度", "Severity", 9),
    ("页面", "Page", 42),
    ("目标", "Target", 42),
    ("问题描述", "Description", 36),
    ("证据", "Evidence", 48),
    ("发现时间", "First seen", 17),
    ("状态", "State", 10),
    ("整改情况", "Rectification", 24),
    ("整改时限", "Deadline", 12),
    ("整改建议", "How to fix", 40),
    ("检查项", "Check id", 20),
    ("指纹", "Fingerprint", 34),
)


WRAPPED_COLUMNS = frozenset({"问题描述", "证据", "整改建议"})


def _first_seen(session: Session, site_id: int, scan_id: int) -> dict[str, dt.datetime | None]:
    """fingerprint → start of the site's first scan (up to this one) that recorded it."""
    started = func.coalesce(Scan.started_at, Scan.created_at)
    stmt = (
        select(Finding.fingerprint, func.min(started))
        .join(Scan, col(Scan.id) == Finding.scan_id)
        .where(Scan.site_id == site_id, col(Finding.scan_id) <= scan_id)
        .group_by(Finding.fingerprint)
    )
    return {fp: _as_datetime(value) for fp, value in session.exec(stmt).all()}


def _as_datetime(value: Any) -> dt.datetime | None:
    """SQLite returns an aggregate of datetimes as text; PostgreSQL as a datetime."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def ledger_rows(
    session: Session,
    scan_id: int,
    lang: str = "zh",
    *,
    deadline_working_days: int = DEFAULT_WORKING_DAYS,
) -> tuple[list[str], list[list[Any]], ScanFacts]:
    """Header and rows of the 整改台账: current findings, then those of the previous complete
    scan this one saw fixed, then those it did not see again (未复查, 未抓取, 确无更新)."""
    d = scan_facts(session, scan_id)
    infos = SPECS
    seen = _first_seen(session, d.site.id, scan_id)
    deadline, _ = rectification_deadline(scans.as_of(d.scan), deadline_working_days)
    header = [en if lang == "en" else zh for zh, en, _ in LEDGER_COLUMNS]
    rows: list[list[Any]] = []
    for n, item in enumerate([*d.current, *d.fixed, *d.unconfirmed], start=1):
        f = item.finding
        settled = item.state == "fixed" or item.triage in NOT_COUNTED_STATES
        rows.append(
            [
                n,
                check_title(f.check, lang, infos),
                from_table(SEVERITIES, f.severity, lang),
                f.page,
                f.target or "",
                f.message,
                evidence_text(f.detail, lang, f.check),
                show_time(seen.get(f.fingerprint) or f.created_at),
                from_table(STATES, item.state, lang),
                item.note or "",
                "" if settled else deadline.isoformat(),
                check_hint(f.check, lang, infos),
                f.check,
                f.fingerprint,
            ]
        )
    return header, rows, d


def _csv_cell(value: Any) -> str:
    return neutralise(value) if isinstance(value, str) else str(value)


def export_csv(session: Session, scan_id: int, lang: str = "zh") -> str:
    """The ledger as CSV text (write it with ``encoding="utf-8-sig"`` for Excel: see write_csv)."""
    header, rows, _ = ledger_rows(session, scan_id, lang)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_csv_cell(h) for h in header])
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return out.getvalue()


def write_csv(session: Session, scan_id: int, path: Path, lang: str = "zh") -> Path:
    """The CSV with a UTF-8 BOM, which Excel needs to read Chinese text correctly."""
    return atomic.write_text(
        path, export_csv(session, scan_id, lang), encoding="utf-8-sig", newline=""
    )


def _xlsx_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    # openpyxl refuses control characters that crawled text sometimes carries.
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))


def _cell(ws: Any, value: Any, **style: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=_xlsx_text(value))
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


def _styled(ws: Any, values: Iterable[Any], **style: Any) -> list[WriteOnlyCell]:
    return [_cell(ws, value, **style) for value in values]


def export_xlsx(
    session: Session,
    scan_id: int,
    path: Path | str,
    lang: str = "zh",
    *,
    deadline_working_days: int = DEFAULT_WORKING_DAYS,
) -> Path:
    """The 整改台账 workbook: the ledger sheet and the score by indicator."""
    header, rows, d = ledger_rows(
        session, scan_id, lang, deadline_working_days=deadline_working_days
    )
    # Write-only mode streams rows: a 20,000-page site's ledger stays small in memory.
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(t("ledger_sheet", lang))
    for i, (_, _, width) in enumerate(LEDGER_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3"
    title = t("ledger_title", lang, site=d.site.name, day=scans.as_of(d.scan).isoformat())
    ws.append(_styled(ws, [title], font=Font(bold=True, size=14)))
    ws.append(
        _styled(
            ws,
            header,
            font=Font(bold=True, color="FFFFFF"),
            fill=PatternFill("solid", fgColor="1F5FA8"),
            alignment=Alignment(horizontal="center", vertical="center"),
        )
    )
    wrap = Alignment(wrap_text=True, vertical="top")
    wrapped = {i for i, (zh, _, _) in enumerate(LEDGER_COLUMNS) if zh in WRAPPED_COLUMNS}
    for row in rows:
        # Styling a cell costs ~4× writing it (openpyxl hashes the style each time): only the
        # long-text columns wrap; the rest are plain values.
        ws.append(
            [
                _cell(ws, v, alignment=wrap) if i in wrapped else _xlsx_text(v)
                for i, v in enumerate(row)
            ]
        )
    ws.auto_filter.ref = f"A2:{get_column_letter(len(header))}{len(rows) + 2}"
    _score_sheet(wb, d.score, lang)
    with atomic.replacing(path) as temp:
        wb.save(temp)
    return Path(path)


def _score_sheet(wb: Workbook, score: ScoreResult, lang: str) -> None:
    ws = wb.create_sheet(t("score_sheet", lang))
    for letter, width in zip("ABCDEF", (26, 10, 10, 10, 10, 70), strict=True):
        ws.column_dimensions[letter].width = width
    verdict = from_table(VERDICTS, score.verdict, lang)
    ws.append(_styled(ws, [verdict, score.points], font=Font(bold=True, size=14)))
    head = ("indicator", "kind", "count", "deducted", "fired", "rule")
    ws.append(_styled(ws, [t(key, lang) for key in head], font=Font(bold=True)))
    for ind in score.indicators:
        veto = ind.kind == "veto"
        row = [
            ind.title_en if lang == "en" else ind.title_zh,
            t("kind_veto" if veto else "kind_deduction", lang),
            ind.count,
            None if veto else ind.deducted,
            t("yes" if ind.fired else "no", lang) if veto else None,
            ind.rule_en if lang == "en" else ind.rule,
        ]
        ws.append(_styled(ws, row))


def dumps(data: dict[str, Any]) -> str:
    """The JSON export as text, Chinese kept readable."""
    return json.dumps(data, ensure_ascii=False, indent=2)
