"""Who may see what. Every page and API route resolves its ids through these functions, so
a site, scan, finding or organisation outside the user's scope answers 404, exactly as one
that does not exist: the answer never tells that it is there.

- admin: everything.
- supervisor (上级主管单位): the sites of its organisation and of every descendant; read and
  triage.
- webmaster: the sites linked to it through ``UserSite``; read, triage and scan now.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException
from sqlalchemy import ColumnElement, true
from sqlmodel import Session, col, select

from govpatrol.core.models import Finding, Org, Scan, Site, User, UserSite


class NotFound(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=404, detail="未找到 (not found)")


class Forbidden(HTTPException):
    """In scope but not allowed for this role (a supervisor pressing "scan now")."""

    def __init__(self, detail: str = "无权执行此操作 (not allowed for your role)") -> None:
        super().__init__(status_code=403, detail=detail)


@dataclass(frozen=True)
class Scope:
    user_id: int
    role: str
    site_ids: frozenset[int] | None  # None: every site
    org_ids: frozenset[int] | None  # None: every organisation

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def sees_site(self, site_id: int | None) -> bool:
        return site_id is not None and (self.site_ids is None or site_id in self.site_ids)

    def sees_org(self, org_id: int | None) -> bool:
        return org_id is not None and (self.org_ids is None or org_id in self.org_ids)

    def can_scan(self, site_id: int) -> bool:
        return self.sees_site(site_id) and self.role in ("admin", "webmaster")

    def can_triage(self, site_id: int) -> bool:
        return self.sees_site(site_id)

    def site_clause(self) -> ColumnElement[bool]:
        """A WHERE clause on ``Site.id`` limiting a query to the scope."""
        if self.site_ids is None:
            return true()
        return col(Site.id).in_(sorted(self.site_ids))

    def org_clause(self) -> ColumnElement[bool]:
        if self.org_ids is None:
            return true()
        return col(Org.id).in_(sorted(self.org_ids))


def org_descendants(session: Session, org_id: int) -> set[int]:
    """``org_id`` and every organisation under it (guarded against cycles in bad data)."""
    from reports.org_overview import org_subtree

    try:
        return set(org_subtree(session, org_id))
    except ValueError:  # the user's organisation was deleted
        return set()


def scope_for(session: Session, user: User) -> Scope:
    if user.role == "admin":
        return Scope(user.id, user.role, None, None)
    if user.role == "supervisor":
        orgs = org_descendants(session, user.org_id) if user.org_id is not None else set()
        sites = (
            session.exec(select(Site.id).where(col(Site.org_id).in_(sorted(orgs)))).all()
            if orgs
            else []
        )
        return Scope(user.id, user.role, frozenset(sites), frozenset(orgs))
    sites = session.exec(select(UserSite.site_id).where(UserSite.user_id == user.id)).all()
    return Scope(user.id, user.role, frozenset(sites), frozenset())


def visible_site(session: Session, scope: Scope, site_id: int) -> Site:
    site = session.get(Site, site_id) if scope.sees_site(site_id) else None
    if site is None:
        raise NotFound()
    return site


def visible_scan(session: Session, scope: Scope, scan_id: int) -> Scan:
    scan = session.get(Scan, scan_id)
    if scan is None or not scope.sees_site(scan.site_id):
        raise NotFound()
    return scan


def visible_finding(session: Session, scope: Scope, finding_id: int) -> tuple[Finding, Scan]:
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise NotFound()
    return finding, visible_scan(session, scope, finding.scan_id)


def visible_org(session: Session, scope: Scope, org_id: int) -> Org:
    org = session.get(Org, org_id) if scope.sees_org(org_id) else None
    if org is None:
        raise NotFound()
    return org


def managed_user(session: Session, scope: Scope, user_id: int) -> User:
    """User administration is for admins; to anyone else the users do not exist."""
    user = session.get(User, user_id) if scope.is_admin else None
    if user is None:
        raise NotFound()
    return user


def require_admin(scope: Scope) -> None:
    if not scope.is_admin:
        raise NotFound()
