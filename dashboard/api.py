"""The JSON API under ``/api``: what the pages show and do, for scripts and other systems.

Authenticate with ``Authorization: Bearer <token>`` (a token from the account page) or, for
the dashboard's own scripts, the session cookie plus an ``X-CSRF-Token`` header on writes.
Ids outside the caller's scope answer 404, as on the pages.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from dashboard import actions, queries, report_views
from dashboard.deps import DB, api
from dashboard.scope import Scope, org_descendants
from govpatrol.core.auth import delete_user, issue_api_token
from govpatrol.core.models import Finding, Org, Scan, Site, User, UserSite

router = APIRouter(tags=["govpatrol"])

ApiUser = Annotated[User, Depends(api.user)]
ApiScope = Annotated[Scope, Depends(api.scope)]
Admin = Annotated[Scope, Depends(api.admin)]
ApiSite = Annotated[Site, Depends(api.site)]
ApiScan = Annotated[Scan, Depends(api.scan)]
ApiFinding = Annotated[tuple[Finding, Scan], Depends(api.finding)]
ApiOrg = Annotated[Org, Depends(api.org)]
ManagedUser = Annotated[User, Depends(api.managed_user)]
LangQuery = Annotated[str, Query(pattern="^(zh|en)$")]


def _fail(exc: actions.ActionError) -> HTTPException:
    return HTTPException(exc.status, str(exc))


def _user_dict(db: Session, user: User) -> dict[str, Any]:
    sites = db.exec(select(UserSite.site_id).where(UserSite.user_id == user.id)).all()
    return {
        "id": user.id,
        "username": user.username,
        "role": user.role,
        "email": user.email,
        "org_id": user.org_id,
        "site_ids": sorted(sites),
        "has_api_token": user.api_token_hash is not None,
    }


# -- me ----------------------------------------------------------------------------------------


@router.get("/me", summary="The signed-in user and what they may see")
def me(db: DB, user: ApiUser, scope: ApiScope) -> dict[str, Any]:
    return {
        **_user_dict(db, user),
        "visible_site_ids": None if scope.site_ids is None else sorted(scope.site_ids),
        "visible_org_ids": None if scope.org_ids is None else sorted(scope.org_ids),
    }


@router.post("/me/token", summary="Replace my API token (shown once)")
def rotate_token(db: DB, user: ApiUser) -> dict[str, str]:
    return {"token": issue_api_token(db, user)}


# -- sites -------------------------------------------------------------------------------------


@router.get("/sites", summary="Sites in scope with their latest verdict and points")
def list_sites(db: DB, scope: ApiScope) -> list[dict[str, Any]]:
    return [row.to_dict() for row in queries.site_rows(db, scope)]


@router.post(
    "/sites",
    status_code=201,
    summary="Register a site (admins: any; others: allowlisted public sites only)",
)
def create_site(request: Request, data: actions.SiteIn, db: DB, scope: ApiScope) -> dict[str, Any]:
    try:
        site = actions.create_site(db, data, scope)
    except actions.ActionError as exc:
        raise _fail(exc) from exc
    actions.sync_schedule(request.app.state.scheduler)
    return queries.site_dict(site)


@router.get("/sites/{site_id}", summary="A site: schedule, availability, recent scans")
def get_site(site: ApiSite, db: DB, scope: ApiScope) -> dict[str, Any]:
    schedule = queries.schedule_of(site)
    probes = queries.probe_summary(db, site.id)
    return {
        **queries.site_dict(site),
        "schedule": {
            "cron": schedule.cron,
            "default": schedule.is_default,
            "next_run": schedule.next_run.isoformat() if schedule.next_run else None,
        },
        "probes_24h": {"probes": probes.probes, "failures": probes.failures},
        "can_scan": scope.can_scan(site.id),
        "scans": [queries.scan_dict(s) for s in queries.scan_history(db, site.id, limit=10)],
    }


@router.put("/sites/{site_id}", summary="Update a site (admin)")
def update_site(
    request: Request, site: ApiSite, data: actions.SiteIn, db: DB, scope: Admin
) -> dict[str, Any]:
    try:
        site = actions.update_site(db, site, data, scope)
    except actions.ActionError as exc:
        raise _fail(exc) from exc
    actions.sync_schedule(request.app.state.scheduler)
    return queries.site_dict(site)


@router.get("/sites/{site_id}/scans", summary="The site's scans, newest first")
def site_scans(
    site: ApiSite, db: DB, limit: Annotated[int, Query(ge=1, le=500)] = 52
) -> list[dict[str, Any]]:
    return [queries.scan_dict(s) for s in queries.scan_history(db, site.id, limit=limit)]


@router.post("/sites/{site_id}/scans", status_code=202, summary="Scan now (409 when busy)")
def scan_now(request: Request, site: ApiSite, db: DB, scope: ApiScope) -> dict[str, Any]:
    try:
        scan = actions.scan_now(db, scope, site, request.app.state.dispatch)
    except actions.ActionError as exc:
        raise _fail(exc) from exc
    return queries.scan_dict(scan)


@router.get("/sites/{site_id}/report", summary="The site's latest report (HTML)")
def site_report(site: ApiSite, db: DB, lang: LangQuery = "zh") -> Response:
    return report_views.site_report(db, site.id, None, lang)


# -- scans and findings ------------------------------------------------------------------------


@router.get("/scans/{scan_id}", summary="A scan with its stats and stored score")
def get_scan(scan: ApiScan) -> dict[str, Any]:
    return {**queries.scan_dict(scan), "score": scan.score}


@router.get("/scans/{scan_id}/progress", summary="Live progress of a scan")
def scan_progress(scan: ApiScan, db: DB, lang: LangQuery = "zh") -> dict[str, Any]:
    return queries.progress(db, scan, lang)


@router.get("/scans/{scan_id}/findings", summary="A page of the scan's findings with state")
def scan_findings(
    scan: ApiScan,
    db: DB,
    check: str = "",
    severity: str = "",
    state: str = "",
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = queries.PAGE_SIZE,
) -> dict[str, Any]:
    page = queries.findings_page(
        db, scan, check=check, severity=severity, state=state, offset=offset, limit=limit
    )
    return {
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "checks": dict(page.checks),
        "items": [row.to_dict() for row in page.rows],
    }


@router.get("/scans/{scan_id}/report", summary="The scan's report (HTML)")
def scan_report(scan: ApiScan, db: DB, lang: LangQuery = "zh") -> Response:
    return report_views.site_report(db, scan.site_id, scan.id, lang)


@router.get("/scans/{scan_id}/export", summary="Findings export: json, csv or xlsx")
def scan_export(
    scan: ApiScan,
    db: DB,
    format: Annotated[str, Query(pattern="^(json|csv|xlsx)$")] = "json",
    lang: LangQuery = "zh",
) -> Response:
    return report_views.export(db, scan, format, lang)


class TriageIn(BaseModel):
    state: str = Field(
        description="acknowledged | false_positive (needs a note) | unchanged | '' to clear"
    )
    note: str | None = None


@router.post("/findings/{finding_id}/triage", summary="Triage a finding")
def triage(item: ApiFinding, data: TriageIn, db: DB, scope: ApiScope) -> dict[str, Any]:
    finding, scan = item
    try:
        mark = actions.triage(db, scope, finding, scan, data.state, data.note)
    except actions.ActionError as exc:
        raise _fail(exc) from exc
    return {
        "finding_id": finding.id,
        "fingerprint": finding.fingerprint,
        "state": mark.state if mark else None,
        "note": mark.note if mark else None,
    }


# -- organisations -----------------------------------------------------------------------------


class OrgIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    parent_id: int | None = None


def _org_dict(org: Org) -> dict[str, Any]:
    return {"id": org.id, "name": org.name, "parent_id": org.parent_id}


@router.get("/orgs", summary="Organisations in scope")
def list_orgs(db: DB, scope: ApiScope) -> list[dict[str, Any]]:
    orgs = db.exec(select(Org).where(scope.org_clause()).order_by(col(Org.name)))
    return [_org_dict(o) for o in orgs]


@router.post("/orgs", status_code=201, summary="Add an organisation (admin)")
def create_org(data: OrgIn, db: DB, scope: Admin) -> dict[str, Any]:
    try:
        return _org_dict(actions.create_org(db, data.name, data.parent_id))
    except actions.ActionError as exc:
        raise _fail(exc) from exc


@router.get("/orgs/{org_id}", summary="An organisation and every site under it")
def get_org(org: ApiOrg, db: DB, scope: ApiScope) -> dict[str, Any]:
    rows = queries.site_rows(db, scope, org_ids=org_descendants(db, org.id))
    return {**_org_dict(org), "sites": [row.to_dict() for row in rows]}


@router.get("/orgs/{org_id}/report", summary="The organisation overview (HTML)")
def org_report(org: ApiOrg, db: DB, lang: LangQuery = "zh") -> Response:
    return report_views.org_report(db, org.id, lang)


# -- users (admin) -----------------------------------------------------------------------------


@router.get("/users", summary="Every user (admin)")
def list_users(db: DB, scope: Admin) -> list[dict[str, Any]]:
    return [_user_dict(db, u) for u in db.exec(select(User).order_by(col(User.username)))]


@router.post("/users", status_code=201, summary="Add a user (admin)")
def create_user(data: actions.UserIn, db: DB, scope: Admin) -> dict[str, Any]:
    try:
        return _user_dict(db, actions.add_user(db, data))
    except actions.ActionError as exc:
        raise _fail(exc) from exc


@router.get("/users/{user_id}", summary="A user (admin)")
def get_user(managed: ManagedUser, db: DB) -> dict[str, Any]:
    return _user_dict(db, managed)


@router.put("/users/{user_id}", summary="Change a user's role, org, sites or password (admin)")
def update_user(managed: ManagedUser, data: actions.UserUpdate, db: DB) -> dict[str, Any]:
    try:
        return _user_dict(db, actions.update_user(db, managed, data))
    except actions.ActionError as exc:
        raise _fail(exc) from exc


@router.delete("/users/{user_id}", status_code=204, summary="Delete a user (admin)")
def remove_user(managed: ManagedUser, db: DB, scope: Admin) -> Response:
    if managed.id == scope.user_id:
        raise HTTPException(409, "不能删除自己的账户 (cannot delete yourself)")
    delete_user(db, managed)
    return Response(status_code=204)
