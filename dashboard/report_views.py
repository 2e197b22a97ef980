"""Reports and exports as HTTP responses, made by reports/ and served the same way to the
pages and the API. Reports are whole self-contained documents, served with a sandboxing CSP
(dashboard.security.REPORT_CSP)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import HTTPException
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from dashboard.security import REPORT_CSP
from govpatrol.core.models import Scan

EXPORT_FORMATS = ("json", "csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(html: str) -> HTMLResponse:
    return HTMLResponse(html, headers={"Content-Security-Policy": REPORT_CSP})


def site_report(session: Session, site_id: int, scan_id: int | None, lang: str) -> HTMLResponse:
    from reports.site_report import render_site_report

    try:
        return _report(render_site_report(session, site_id, scan_id, lang=lang))
    except ValueError as exc:  # a scan that is not this site's: same answer as out of scope
        raise HTTPException(404, "未找到 (not found)") from exc


def org_report(session: Session, org_id: int, lang: str) -> HTMLResponse:
    from reports.org_overview import render_org_overview

    try:
        return _report(render_org_overview(session, org_id, lang=lang))
    except ValueError as exc:
        raise HTTPException(404, "未找到 (not found)") from exc


def export(session: Session, scan: Scan, fmt: str, lang: str) -> Response:
    """The scan's findings as the JSON contract (docs/findings-format.md), CSV, or the XLSX
    ledger."""
    from reports import export as exports

    if fmt not in EXPORT_FORMATS:
        raise HTTPException(404, "未找到 (not found)")
    name = f"govpatrol-scan-{scan.id}.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "json":
        body = exports.dumps(exports.export_json(session, scan.id))
        return Response(body, media_type="application/json; charset=utf-8", headers=disposition)
    if fmt == "csv":
        # A BOM so Excel, which most offices open CSVs with, reads the Chinese as UTF-8.
        body = "\ufeff" + exports.export_csv(session, scan.id, lang=lang)
        return Response(body, media_type="text/csv; charset=utf-8", headers=disposition)
    with tempfile.TemporaryDirectory() as folder:
        path = exports.export_xlsx(session, scan.id, Path(folder) / name, lang=lang)
        data = path.read_bytes()
    return Response(data, media_type=XLSX_TYPE, headers=disposition)
