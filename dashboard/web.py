"""Rendering pages: the Jinja2 environment, flash messages, and the error pages.

Autoescaping is on for every template (the environment comes from reports.render, as the
reports' does) and nothing crawled is ever marked safe: page titles, link texts and URLs from
government sites reach the browser as text. Only absolute http(s) URLs become links (``href``
filter, reports.fmt.safe_href).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.templating import Jinja2Templates

from dashboard import i18n
from dashboard.deps import LoginRequired, page_lang
from dashboard.security import csrf_token
from govpatrol.core.clock import office_today
from govpatrol.core.completeness import checks_ran, is_complete
from govpatrol.core.findings import SPECS
from govpatrol.core.models import ScanStatus
from govpatrol.core.workdays import uncovered_soon
from reports.evidence import evidence_items
from reports.i18n import check_title, indicator_title
from reports.i18n import t as report_words
from reports.render import make_environment
from reports.site_report import checks_text

TEMPLATE_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(__file__).with_name("static")
FLASH_KEY = "flash"


# The reports' environment factory: one autoescape policy and one set of filters for both.
templates = Jinja2Templates(env=make_environment(TEMPLATE_DIR))


def flash(request: Request, text: str, kind: str = "ok") -> None:
    request.session.setdefault(FLASH_KEY, [])
    request.session[FLASH_KEY] = [*request.session[FLASH_KEY], [kind, text]][-5:]


def render(
    request: Request,
    name: str,
    *,
    lang: str,
    user: Any = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    infos = SPECS
    base = {
        "lang": lang,
        "user": user,
        "csrf": csrf_token(request),
        "flashes": request.session.pop(FLASH_KEY, []),
        "t": lambda key, **kw: i18n.t(key, lang, **kw),
        "status_label": lambda s: i18n.status_label(s, lang),
        "state_label": lambda s: i18n.state_label(s, lang),
        "severity_label": lambda s: i18n.severity_label(s, lang),
        "verdict_label": lambda v: i18n.verdict_label(v, lang),
        "role_label": lambda r: i18n.role_label(r, lang),
        "zone_label": lambda z: i18n.zone_label(z, lang),
        "stage_label": lambda s: i18n.stage_label(s, lang),
        "trigger_label": lambda s: i18n.trigger_label(s, lang),
        "check_title": lambda c: check_title(c, lang, infos),
        "indicator_title": lambda i: indicator_title(i, lang),
        "scan_scope": lambda scan: scan_scope(scan, lang),
        "evidence": lambda d: evidence_items(d, lang),
        "lang_url": lambda code: str(request.url.include_query_params(lang=code)),
        "path": request.url.path,
        # from 1 November while next year has no holiday source, and all year when this one has
        # none: the deadlines counted then are weekday-only (govpatrol/core/workdays.py)
        "calendar_warning": uncovered_soon(office_today()) if user else [],
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


def scan_scope(scan: Any, lang: str) -> str | None:
    """Why a finished scan is not the site's verdict (only some checks ran, or it did not run
    to the end), in the reader's words; None for a complete scan and one still under way."""
    if is_complete(scan) or scan.status not in (ScanStatus.done, ScanStatus.partial):
        return None
    checks = checks_text(sorted(checks_ran(scan)), lang)
    if scan.status == ScanStatus.done:
        return report_words("only_checks_scan", lang, checks=checks)
    status = i18n.status_label(scan.status, lang)
    return report_words("partial_scan", lang, status=status, checks=checks)


def local_path(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site, else ``default``: a login or form must not
    bounce the user to another host (``//evil.example``, ``/\\evil``, ``https:…``)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and not any(c in target for c in "\r\n\\")
    ):
        return target
    return default


def redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") and path != "/api/docs"


async def login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return redirect("/login?next=" + quote(exc.next_path, safe=""))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _is_api(request):
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )
    lang = page_lang(request)
    key = {404: "not_found", 403: "forbidden"}.get(exc.status_code)
    message = i18n.t(key, lang) if key else str(exc.detail)
    return render(
        request,
        "error.html",
        lang=lang,
        status_code=exc.status_code,
        code=exc.status_code,
        message=message,
    )


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if _is_api(request):
        return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
    lang = page_lang(request)
    return render(
        request, "error.html", lang=lang, status_code=400, code=400, message=i18n.t("error", lang)
    )
