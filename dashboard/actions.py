"""What the dashboard changes, one function per action, shared by the pages and the API so
both validate the same way. Each raises ActionError with a message fit to show a person.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from dashboard.scope import Forbidden, Scope
from govpatrol.core.auth import (
    AccountError,
    create_user,
    normalise_email,
    set_password,
    set_user_sites,
)
from govpatrol.core.models import Finding, FindingState, Org, Scan, Site, User, UserSite
from govpatrol.core.settings import Thresholds
from scan.preflight import BadInput, normalise_site_url
from scan.site_policy import SiteNotAllowed, record_zone, registered_as, site_zone
from scheduler.dispatch import dispatch_scan
from scheduler.jobs import cron_trigger
from scheduler.scan_queue import ScanAlreadyActive, start_scan
from scoring.scorer import ScoringConfig

SCAN_OPTION_KEYS = frozenset({"browser", "obey_robots", "thresholds"})
# "Legitimately unchanged" is said of a column (docs/CHECKS.md): only column findings take it.
UNCHANGED_CHECKS = frozenset({"stale_column"})


class ActionError(ValueError):
    """A request that cannot be done as asked; ``status`` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


# -- scans -------------------------------------------------------------------------------------


def scan_now(
    session: Session,
    scope: Scope,
    site: Site,
    dispatch: Callable[[int], Any] = dispatch_scan,
) -> Scan:
    if not scope.can_scan(site.id):
        raise Forbidden("只有管理员和本网站管理员可以发起扫描 (only admins and webmasters scan)")
    try:
        scan = start_scan(session, site, trigger="manual")
    except ScanAlreadyActive as exc:
        raise ActionError(str(exc), 409) from exc
    dispatch(scan.id)
    return scan


# -- triage ------------------------------------------------------------------------------------


def triage(
    session: Session, scope: Scope, finding: Finding, scan: Scan, state: str, note: str | None
) -> FindingState | None:
    """Set or clear (state ``""``) a person's mark on a finding; it holds for later scans."""
    from scoring.states import TRIAGE_STATES, clear_triage, set_triage

    if not scope.can_triage(scan.site_id):
        raise Forbidden()
    note = (note or "").strip()[:2000] or None
    if not state:
        clear_triage(session, scan.site_id, finding.fingerprint)
        return None
    if state not in TRIAGE_STATES:
        raise ActionError(f"未知的状态 {state!r} (unknown state)")
    if state == "unchanged" and finding.check not in UNCHANGED_CHECKS:
        raise ActionError(
            "“确无更新”只适用于栏目不更新的问题 (only stale columns can be unchanged)"
        )
    if state == "false_positive" and not note:
        raise ActionError("标记误报时请填写原因 (a false positive needs a note)")
    return set_triage(session, scan.site_id, finding.fingerprint, state, note, scope.user_id)


# -- sites and organisations -------------------------------------------------------------------


class SiteIn(BaseModel):
    """A site as an admin enters it."""

    name: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=1, max_length=2000)
    org_id: int | None = None
    is_portal: bool = False
    is_government: bool = False
    schedule_cron: str | None = None
    active: bool = True
    config: dict[str, Any] = Field(default_factory=dict)


def _check_config(config: dict[str, Any]) -> None:
    """Refuse overrides the scan would reject later, while the admin is still looking."""
    try:
        Thresholds.from_overrides(config.get("thresholds"))
        ScoringConfig.from_overrides(config.get("scoring"))
        options = config.get("scan_options") or {}
        if not isinstance(options, dict):
            raise ValueError("scan_options must be an object")
        unknown = set(options) - SCAN_OPTION_KEYS
        if unknown:
            raise ValueError(f"unknown scan option(s): {', '.join(sorted(unknown))}")
        Thresholds.from_overrides(options.get("thresholds"))
    except (TypeError, ValueError) as exc:
        raise ActionError(f"配置无效 (invalid config): {exc}") from exc


def _apply_site(session: Session, site: Site, data: SiteIn, scope: Scope | None) -> Site:
    try:
        url = normalise_site_url(data.url)
    except BadInput as exc:
        raise ActionError(str(exc)) from exc
    admin = scope is None or scope.is_admin
    try:
        zone = site_zone(url, admin=admin)
    except SiteNotAllowed as exc:
        raise ActionError(str(exc), 403) from exc
    if scope is not None and not admin:
        _non_admin_rules(scope, data)
    clash = registered_as(session, url, other_than=site.id)
    if clash is not None:
        raise _conflict(url, clash, scope)
    if data.org_id is not None and session.get(Org, data.org_id) is None:
        raise ActionError(f"组织 #{data.org_id} 不存在 (no such org)")
    cron = (data.schedule_cron or "").strip() or None
    if cron:
        try:
            cron_trigger(cron)
        except ValueError as exc:
            raise ActionError(f"扫描时间无效 (invalid cron): {exc}") from exc
    _check_config(data.config)
    site.name = data.name.strip()
    site.url = url
    site.org_id = data.org_id
    site.is_portal = data.is_portal
    site.is_government = data.is_government
    site.schedule_cron = cron
    site.active = data.active
    site.config = data.config
    site.address_zone = zone
    session.add(site)
    session.commit()
    session.refresh(site)
    record_zone(site, f"user #{scope.user_id} ({scope.role})" if scope else "dashboard")
    return site


def _conflict(url: str, clash: Site, scope: Scope | None) -> ActionError:
    """The answer to registering a site twice: its id only to a caller who may see it. To
    anyone else the site (and so its office) does not exist, as its page answers 404."""
    if scope is None or scope.sees_site(clash.id):
        return ActionError(
            f"网址 {url} 已登记为网站 #{clash.id} (URL already registered as site #{clash.id})",
            409,
        )
    return ActionError(
        f"网址 {url} 已被登记，不能重复登记；如需查看请联系管理员 "
        "(this URL is already registered; ask an admin for access)",
        409,
    )


def _non_admin_rules(scope: Scope, data: SiteIn) -> None:
    """What a supervisor or webmaster may register besides an allowlisted public site
    (``site_zone`` refuses any other): under an organisation they see, with the default
    schedule and thresholds (crawl intensity and timing are the operator's call)."""
    if data.config or (data.schedule_cron or "").strip():
        raise ActionError(
            "只有管理员可以设置网站配置和扫描时间 (admins only: config, schedule)", 403
        )
    if data.org_id is not None and not scope.sees_org(data.org_id):
        raise ActionError(f"组织 #{data.org_id} 不存在 (no such org)")
    if scope.role == "supervisor" and data.org_id is None:
        # a supervisor sees sites through its organisations: one without would vanish
        raise ActionError("请选择网站所属的组织 (choose the site's organisation)")


def create_site(session: Session, data: SiteIn, scope: Scope | None = None) -> Site:
    """A new site. ``scope`` is who registers it: anyone but an admin is held to the
    allowlist (scan.site_policy), and a webmaster then looks after the new site."""
    site = _apply_site(session, Site(name=data.name, url=data.url), data, scope)
    if scope is not None and scope.role == "webmaster":
        session.add(UserSite(user_id=scope.user_id, site_id=site.id))
        session.commit()
    return site


def update_site(session: Session, site: Site, data: SiteIn, scope: Scope | None = None) -> Site:
    return _apply_site(session, site, data, scope)


def sync_schedule(scheduler: Any) -> None:
    """After a site changed: its jobs follow now, not at the scheduler's next periodic sync
    (only when this process runs the scheduler)."""
    if scheduler is not None:
        from scheduler.jobs import sync_jobs

        sync_jobs(scheduler)


def create_org(session: Session, name: str, parent_id: int | None) -> Org:
    name = name.strip()
    if not name or len(name) > 200:
        raise ActionError("组织名称不能为空 (name required)")
    if session.exec(select(Org).where(Org.name == name)).first():
        raise ActionError(f"组织 {name!r} 已存在 (org exists)", 409)
    if parent_id is not None and session.get(Org, parent_id) is None:
        raise ActionError(f"上级组织 #{parent_id} 不存在 (no such parent)")
    org = Org(name=name, parent_id=parent_id)
    session.add(org)
    session.commit()
    session.refresh(org)
    return org


# -- users -------------------------------------------------------------------------------------


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=8, max_length=200)
    role: str
    org_id: int | None = None
    site_ids: list[int] = Field(default_factory=list)
    email: str | None = Field(default=None, max_length=254)


class UserUpdate(BaseModel):
    role: str
    org_id: int | None = None
    site_ids: list[int] = Field(default_factory=list)
    password: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)


def add_user(session: Session, data: UserIn) -> User:
    try:
        return create_user(
            session,
            data.username,
            data.password,
            data.role,
            org_id=data.org_id,
            site_ids=data.site_ids,
            email=data.email,
        )
    except AccountError as exc:
        raise ActionError(str(exc)) from exc


def update_user(session: Session, user: User, data: UserUpdate) -> User:
    if data.role not in ("admin", "supervisor", "webmaster"):
        raise ActionError(f"未知角色 {data.role!r} (unknown role)")
    if data.role == "supervisor" and data.org_id is None:
        raise ActionError("上级主管单位用户必须指定组织 (a supervisor needs an org)")
    if data.org_id is not None and session.get(Org, data.org_id) is None:
        raise ActionError(f"组织 #{data.org_id} 不存在 (no such org)")
    try:
        email = normalise_email(data.email)
        if data.password:
            set_password(user, data.password)
        user.email = email
        user.role = data.role
        user.org_id = data.org_id
        session.add(user)
        session.commit()
        set_user_sites(session, user, data.site_ids if data.role == "webmaster" else [])
    except AccountError as exc:
        session.rollback()
        raise ActionError(str(exc)) from exc
    session.refresh(user)
    return user
