"""The pages people read: sites, a site, a scan with its findings and triage, organisations,
and the reports. Every id in a path is resolved through dashboard.deps (scope-checked)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from dashboard import actions, queries, report_views
from dashboard.deps import CSRF, DB, Lang, pages
from dashboard.i18n import t
from dashboard.schedule_words import describe
from dashboard.scope import Scope, org_descendants
from dashboard.web import flash, local_path, redirect, render
from govpatrol.core.findings import SPECS
from govpatrol.core.models import Finding, Org, Scan, Site, User
from reports.evidence import evidence_rows
from reports.messages import finding_message

router = APIRouter(include_in_schema=False)

PageUser = Annotated[User, Depends(pages.user)]
PageScope = Annotated[Scope, Depends(pages.scope)]
PageSite = Annotated[Site, Depends(pages.site)]
PageScan = Annotated[Scan, Depends(pages.scan)]
PageFinding = Annotated[tuple[Finding, Scan], Depends(pages.finding)]
PageOrg = Annotated[Org, Depends(pages.org)]


def _title_en(check: str) -> str | None:
    info = SPECS.get(check)
    return info.title_en if info else None


@router.get("/")
def home(user: PageUser) -> Response:
    return redirect("/sites")


@router.get("/sites")
def sites_page(request: Request, db: DB, user: PageUser, scope: PageScope, lang: Lang) -> Response:
    rows = queries.site_rows(db, scope)
    return render(request, "sites.html", lang=lang, user=user, rows=rows, scope=scope)


@router.get("/sites/{site_id}")
def site_page(
    request: Request, site: PageSite, db: DB, user: PageUser, scope: PageScope, lang: Lang
) -> Response:
    history = queries.scan_history(db, site.id)
    schedule = queries.schedule_of(site)
    active = next((s for s in history if s.status in queries.ACTIVE_STATUSES), None)
    org = db.get(Org, site.org_id) if site.org_id else None
    return render(
        request,
        "site.html",
        lang=lang,
        user=user,
        site=site,
        org=org if org and scope.sees_org(org.id) else None,
        org_name=org.name if org else None,
        history=history,
        active=active,
        schedule=schedule,
        schedule_words=describe(schedule.cron, lang),
        probes=queries.probe_summary(db, site.id),
        has_report=queries.reportable_exists(db, site.id),
        can_scan=scope.can_scan(site.id),
        is_admin=scope.is_admin,
    )


@router.post("/sites/{site_id}/scan")
def scan_now(
    request: Request, site: PageSite, db: DB, scope: PageScope, lang: Lang, _csrf: None = CSRF
) -> Response:
    try:
        scan = actions.scan_now(db, scope, site, request.app.state.dispatch)
        flash(request, t("scan_started", lang, id=scan.id))
    except actions.ActionError as exc:
        flash(request, str(exc), "error")
    return redirect(f"/sites/{site.id}")


@router.get("/sites/{site_id}/report")
def site_report(site: PageSite, db: DB, lang: Lang) -> Response:
    return report_views.site_report(db, site.id, None, lang)


@router.get("/scans/{scan_id}")
def scan_page(
    request: Request,
    scan: PageScan,
    db: DB,
    user: PageUser,
    scope: PageScope,
    lang: Lang,
    check: str = "",
    severity: str = "",
    state: str = "",
    offset: int = 0,
) -> Response:
    site = db.get(Site, scan.site_id)
    found = queries.findings_page(
        db, scan, check=check, severity=severity, state=state, offset=max(0, offset)
    )
    return render(
        request,
        "scan.html",
        lang=lang,
        user=user,
        scan=scan,
        site=site,
        found=found,
        filters={"check": check, "severity": severity, "state": state},
        state_filters=[*queries.LIFECYCLE_FILTERS, *queries.TRIAGE_FILTERS],
        can_triage=scope.can_triage(scan.site_id),
        unchanged_checks=actions.UNCHANGED_CHECKS,
        progress=queries.progress(db, scan, lang),
        said=lambda f: finding_message(f.check, f.detail, f.message, lang, _title_en(f.check)),
        evidence_of=lambda f: evidence_rows(f.detail, lang, f.check),
        back=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    )


@router.post("/findings/{finding_id}/triage")
def triage(
    request: Request,
    item: PageFinding,
    db: DB,
    scope: PageScope,
    lang: Lang,
    state: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
    _csrf: None = CSRF,
) -> Response:
    finding, scan = item
    try:
        # The form starts on no choice ("") and clears a mark with "clear": an empty state
        # is a form sent without a decision, not a request to clear.
        if not state:
            raise actions.ActionError(t("triage_not_chosen", lang))
        actions.triage(db, scope, finding, scan, "" if state == "clear" else state, note)
        flash(request, t("triage_saved", lang))
    except actions.ActionError as exc:
        flash(request, str(exc), "error")
    own = f"/scans/{scan.id}"
    target = local_path(back, own)
    return redirect(target if target.startswith(own) else own)


@router.get("/scans/{scan_id}/report")
def scan_report(scan: PageScan, db: DB, lang: Lang) -> Response:
    return report_views.site_report(db, scan.site_id, scan.id, lang)


@router.get("/scans/{scan_id}/export/{fmt}")
def scan_export(scan: PageScan, fmt: str, db: DB, lang: Lang) -> Response:
    return report_views.export(db, scan, fmt, lang)


def _org_tree(db: Session, scope: Scope) -> list[tuple[Org, int]]:
    """Visible organisations depth-first, each with its depth, roots first."""
    orgs = list(db.exec(select(Org).where(scope.org_clause()).order_by(col(Org.name))))
    ids = {o.id for o in orgs}
    children: dict[int | None, list[Org]] = {}
    for org in orgs:
        parent = org.parent_id if org.parent_id in ids else None
        children.setdefault(parent, []).append(org)
    out: list[tuple[Org, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for org in children.get(parent, []):
            if all(seen.id != org.id for seen, _ in out):  # a cycle in bad data ends here
                out.append((org, depth))
                walk(org.id, depth + 1)

    walk(None, 0)
    return out


@router.get("/orgs")
def orgs_page(request: Request, db: DB, user: PageUser, scope: PageScope, lang: Lang) -> Response:
    return render(
        request,
        "orgs.html",
        lang=lang,
        user=user,
        tree=_org_tree(db, scope),
        is_admin=scope.is_admin,
        all_orgs=list(db.exec(select(Org).order_by(col(Org.name)))) if scope.is_admin else [],
    )


@router.get("/orgs/{org_id}")
def org_page(
    request: Request, org: PageOrg, db: DB, user: PageUser, scope: PageScope, lang: Lang
) -> Response:
    rows = queries.site_rows(db, scope, org_ids=org_descendants(db, org.id))
    # Ranked as the overview ranks: best points first, sites never scanned last.
    rows.sort(key=lambda r: (r.points is None, -(r.points or 0.0), r.site.name))
    return render(request, "org.html", lang=lang, user=user, org=org, rows=rows)


@router.get("/orgs/{org_id}/report")
def org_report(org: PageOrg, db: DB, lang: Lang) -> Response:
    return report_views.org_report(db, org.id, lang)


@router.get("/orgs/{org_id}/site-{site_id}.html")
def org_report_site_link(org: PageOrg, site: PageSite) -> Response:
    """The overview links to ``site-<id>.html`` beside itself, as in the weekly folder."""
    return redirect(f"/sites/{site.id}/report")
