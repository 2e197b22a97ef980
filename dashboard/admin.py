"""Administration pages (admins only; to anyone else they do not exist): users, sites and
organisations."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from dashboard import actions, queries
from dashboard.deps import CSRF, DB, Lang, pages
from dashboard.i18n import t
from dashboard.schedule_words import WEEKDAYS, PickerError, cron_from_picker, weekly
from dashboard.scope import Scope
from dashboard.web import flash, redirect, render
from extract.expression import rule_entries
from govpatrol.admin import importer, sheet
from govpatrol.core.auth import ROLES, delete_user
from govpatrol.core.findings.expression import EXPRESSION_ERROR
from govpatrol.core.models import Org, Site, User, UserSite
from reports.evidence import word
from reports.vocabulary import EXPRESSION_KINDS
from scoring.precision import RulePrecision, rule_precision

router = APIRouter(include_in_schema=False)

PageUser = Annotated[User, Depends(pages.user)]
Admin = Annotated[Scope, Depends(pages.admin)]
PageSite = Annotated[Site, Depends(pages.site)]
ManagedUser = Annotated[User, Depends(pages.managed_user)]
OptionalText = Annotated[str, Form()]


def _opt_int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() else None


def _form_errors(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())


def _choices(db: Session) -> dict[str, Any]:
    return {
        "all_orgs": list(db.exec(select(Org).order_by(col(Org.name)))),
        "all_sites": list(db.exec(select(Site).order_by(col(Site.name)))),
        "roles": ROLES,
    }


# -- organisations -----------------------------------------------------------------------------


@router.post("/orgs")
def create_org(
    request: Request,
    db: DB,
    scope: Admin,
    lang: Lang,
    name: OptionalText = "",
    parent_id: OptionalText = "",
    _csrf: None = CSRF,
) -> Response:
    try:
        actions.create_org(db, name, _opt_int(parent_id))
        flash(request, t("org_created", lang))
    except actions.ActionError as exc:
        flash(request, str(exc), "error")
    return redirect("/orgs")


# -- users -------------------------------------------------------------------------------------


def _cluster(db: Session) -> dict[str, Any]:
    """The scheduler's lease, the workers seen and the capacity plan, for the admin page."""
    from scheduler.capacity import plan_capacity
    from scheduler.lease import lease_state, workers_seen

    return {
        "lease": lease_state(db),
        "workers": workers_seen(db),
        "plan": plan_capacity(db),
    }


@router.get("/admin/users")
def users_page(request: Request, db: DB, user: PageUser, scope: Admin, lang: Lang) -> Response:
    users = list(db.exec(select(User).order_by(col(User.username))))
    links: dict[int, list[int]] = {}
    for link in db.exec(select(UserSite)):
        links.setdefault(link.user_id, []).append(link.site_id)
    choices = _choices(db)
    return render(
        request,
        "admin_users.html",
        lang=lang,
        user=user,
        cluster=_cluster(db),
        users=users,
        links=links,
        org_names={o.id: o.name for o in choices["all_orgs"]},
        site_names={s.id: s.name for s in choices["all_sites"]},
        **choices,
    )


@router.post("/admin/users")
def create_user(
    request: Request,
    db: DB,
    scope: Admin,
    lang: Lang,
    username: OptionalText = "",
    password: OptionalText = "",
    role: OptionalText = "",
    org_id: OptionalText = "",
    email: OptionalText = "",
    site_ids: Annotated[list[int], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    _csrf: None = CSRF,
) -> Response:
    try:
        data = actions.UserIn(
            username=username,
            password=password,
            role=role,
            org_id=_opt_int(org_id),
            site_ids=site_ids,
            email=email or None,
        )
        actions.add_user(db, data)
        flash(request, t("user_created", lang))
    except ValidationError as exc:
        flash(request, _form_errors(exc), "error")
    except actions.ActionError as exc:
        flash(request, str(exc), "error")
    return redirect("/admin/users")


@router.get("/admin/users/{user_id}")
def user_page(
    request: Request, managed: ManagedUser, db: DB, user: PageUser, scope: Admin, lang: Lang
) -> Response:
    linked = set(db.exec(select(UserSite.site_id).where(UserSite.user_id == managed.id)))
    return render(
        request,
        "admin_user.html",
        lang=lang,
        user=user,
        managed=managed,
        linked=linked,
        **_choices(db),
    )


@router.post("/admin/users/{user_id}")
def update_user(
    request: Request,
    managed: ManagedUser,
    db: DB,
    scope: Admin,
    lang: Lang,
    role: OptionalText = "",
    org_id: OptionalText = "",
    password: OptionalText = "",
    email: OptionalText = "",
    site_ids: Annotated[list[int], Form()] = [],  # noqa: B006
    _csrf: None = CSRF,
) -> Response:
    try:
        data = actions.UserUpdate(
            role=role,
            org_id=_opt_int(org_id),
            site_ids=site_ids,
            password=password or None,
            email=email or None,
        )
        actions.update_user(db, managed, data)
        flash(request, t("user_saved", lang))
    except ValidationError as exc:
        flash(request, _form_errors(exc), "error")
    except actions.ActionError as exc:
        flash(request, str(exc), "error")
    return redirect(f"/admin/users/{managed.id}")


@router.post("/admin/users/{user_id}/delete")
def remove_user(
    request: Request, managed: ManagedUser, db: DB, scope: Admin, lang: Lang, _csrf: None = CSRF
) -> Response:
    if managed.id == scope.user_id:
        flash(request, t("cannot_delete_self", lang), "error")
        return redirect(f"/admin/users/{managed.id}")
    delete_user(db, managed)
    flash(request, t("user_deleted", lang))
    return redirect("/admin/users")


# -- expression rules ----------------------------------------------------------------------------


@router.get("/admin/expression-rules")
def expression_rules_page(
    request: Request, db: DB, user: PageUser, scope: Admin, lang: Lang
) -> Response:
    """Every rule of the rule packs with its precision by people's triage, across all sites
    (admins only: the figure spans every organisation)."""
    figures = {f.rule: f for f in rule_precision(db, EXPRESSION_ERROR.id, "expression_rule")}
    entries = {e.rule: e for e in rule_entries()}
    rows = []
    for rule in [*entries, *sorted(set(figures) - set(entries))]:
        entry, figure = entries.get(rule), figures.get(rule) or RulePrecision(rule)
        kind = entry.kind if entry else rule.partition(":")[0]
        rows.append({
            "rule": rule,
            "kind": word(EXPRESSION_KINDS, kind, lang),
            "subject": entry.subject if entry else "",
            "source": entry.source if entry else "",
            "acknowledged": figure.acknowledged,
            "false_positive": figure.false_positive,
            "untriaged": figure.untriaged,
            "sites": figure.sites,
            "precision": "—" if figure.precision is None else f"{figure.precision:.0%}",
        })  # fmt: skip
    return render(request, "admin_expression_rules.html", lang=lang, user=user, rows=rows)


# -- sites -------------------------------------------------------------------------------------


def _site_form(
    request: Request,
    db: Session,
    user: User,
    lang: str,
    site: Site | None,
    values: dict[str, Any],
    error: str | None = None,
) -> Response:
    return render(
        request,
        "admin_site.html",
        lang=lang,
        user=user,
        site=site,
        values=values,
        error=error,
        status_code=400 if error else 200,
        weekdays=WEEKDAYS,
        **_choices(db),
    )


def _values(site: Site) -> dict[str, Any]:
    """The form's values for a stored site: a weekly schedule in the picker, any other
    schedule in the advanced cron field."""
    plan = weekly(site.schedule_cron)
    return {
        **queries.site_dict(site),
        "schedule_days": list(plan.days) if plan else [],
        "schedule_time": plan.time if plan else "",
        "schedule_cron": "" if plan else (site.schedule_cron or ""),
        "config": json.dumps(site.config or {}, ensure_ascii=False, indent=2),
    }


def _submit_site(
    request: Request,
    db: Session,
    user: User,
    scope: Scope,
    lang: str,
    site: Site | None,
    values: dict[str, Any],
) -> Response:
    try:
        config = json.loads(values["config"] or "{}")
        if not isinstance(config, dict):
            raise ValueError
    except ValueError:
        return _site_form(request, db, user, lang, site, values, t("config_invalid_json", lang))
    try:
        picked = cron_from_picker(values["schedule_days"], values["schedule_time"])
    except PickerError:
        return _site_form(request, db, user, lang, site, values, t("schedule_time_invalid", lang))
    # The advanced line, when filled, is the expert's override; actions validates either
    # with scheduler.jobs.cron_trigger, the one cron validator.
    cron = values["schedule_cron"].strip() or picked or ""
    fields = {k: v for k, v in values.items() if k not in ("schedule_days", "schedule_time")}
    try:
        data = actions.SiteIn(
            **{
                **fields,
                "schedule_cron": cron,
                "org_id": _opt_int(values["org_id"]),
                "config": config,
            }
        )
        saved = (
            actions.update_site(db, site, data, scope)
            if site
            else actions.create_site(db, data, scope)
        )
    except ValidationError as exc:
        return _site_form(request, db, user, lang, site, values, _form_errors(exc))
    except actions.ActionError as exc:
        return _site_form(request, db, user, lang, site, values, str(exc))
    actions.sync_schedule(request.app.state.scheduler)
    flash(request, t("site_saved", lang))
    return redirect(f"/sites/{saved.id}")


@router.get("/admin/sites/new")
def new_site_page(request: Request, db: DB, user: PageUser, scope: Admin, lang: Lang) -> Response:
    values = {"active": True, "config": "{}", "schedule_cron": "", "org_id": None,
              "schedule_days": [], "schedule_time": ""}  # fmt: skip
    return _site_form(request, db, user, lang, None, values)


@router.get("/admin/sites/{site_id}")
def edit_site_page(
    request: Request, site: PageSite, db: DB, user: PageUser, scope: Admin, lang: Lang
) -> Response:
    return _site_form(request, db, user, lang, site, _values(site))


def posted_site(
    name: OptionalText = "",
    url: OptionalText = "",
    org_id: OptionalText = "",
    is_portal: OptionalText = "",
    is_government: OptionalText = "",
    schedule_cron: OptionalText = "",
    schedule_days: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    schedule_time: OptionalText = "",
    active: OptionalText = "",
    config: OptionalText = "",
) -> dict[str, Any]:
    """The site form's fields as typed (checkboxes are present or absent)."""
    return {
        "name": name,
        "url": url,
        "org_id": org_id,
        "is_portal": bool(is_portal),
        "is_government": bool(is_government),
        "schedule_cron": schedule_cron,
        "schedule_days": schedule_days,
        "schedule_time": schedule_time,
        "active": bool(active),
        "config": config,
    }


PostedSite = Annotated[dict[str, Any], Depends(posted_site)]


@router.post("/admin/sites")
def create_site(
    request: Request,
    db: DB,
    user: PageUser,
    scope: Admin,
    lang: Lang,
    values: PostedSite,
    _csrf: None = CSRF,
) -> Response:
    return _submit_site(request, db, user, scope, lang, None, values)


@router.post("/admin/sites/{site_id}")
def update_site(
    request: Request,
    site: PageSite,
    db: DB,
    user: PageUser,
    scope: Admin,
    lang: Lang,
    values: PostedSite,
    _csrf: None = CSRF,
) -> Response:
    return _submit_site(request, db, user, scope, lang, site, values)


# -- import of the organisation tree, sites and webmasters --------------------------------------

TEMPLATE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@router.get("/admin/import")
def import_page(request: Request, user: PageUser, scope: Admin, lang: Lang) -> Response:
    return render(request, "admin_import.html", lang=lang, user=user, result=None)


@router.get("/admin/import/template.{kind}")
def import_template(kind: str, scope: Admin, lang: Lang) -> Response:
    """The sheet to fill in, headers in the page's language (either is read back)."""
    if kind not in TEMPLATE_TYPES:
        return Response(status_code=404)
    filename = f"govpatrol-sites.{kind}"
    return Response(
        sheet.template(filename, lang),
        media_type=TEMPLATE_TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/admin/import")
def import_sheet(
    request: Request,
    db: DB,
    user: PageUser,
    scope: Admin,
    lang: Lang,
    file: Annotated[UploadFile | None, File()] = None,
    dry_run: OptionalText = "",
    _csrf: None = CSRF,
) -> Response:
    """The same import as ``govpatrol sites import``: all rows or nothing."""
    if file is None or not file.filename:
        result = importer.ImportResult(problems=[sheet.Problem.of(0, None, "unsupported", name="")])
    else:
        data = file.file.read(sheet.MAX_BYTES + 1)  # one byte more tells "too big" apart
        result = importer.import_file(db, file.filename, data, dry_run=bool(dry_run))
    if result.written:
        actions.sync_schedule(request.app.state.scheduler)
    return render(
        request,
        "admin_import.html",
        lang=lang,
        user=user,
        result=result,
        problems=[p.text(lang) for p in result.problems],
        changes=[c.text(lang) for c in result.changes],
        summary=result.summary(lang),
        status_code=400 if result.problems else 200,
    )
