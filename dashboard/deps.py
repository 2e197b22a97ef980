"""FastAPI dependencies: the store session, the signed-in user, the scope, and the objects a
route's path ids name, each already checked against the scope (404 outside it).

Pages sign in with the session cookie and are sent to the login page without it; the API
takes a Bearer token or the cookie (the dashboard's own scripts), and answers 401. A cookie-
authenticated API call that changes something must carry the CSRF token in a header.

No ``from __future__ import annotations`` here: FastAPI reads these signatures at runtime and
the per-scope dependencies are closures it could not resolve from strings.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Form, HTTPException, Request
from sqlmodel import Session

from dashboard import scope as sc
from dashboard.security import CSRF_HEADER, SAFE_METHODS, check_csrf
from govpatrol.core.auth import session_version, user_by_token
from govpatrol.core.models import Finding, Org, Scan, Site, User

LANGS = ("zh", "en")


def get_db(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


DB = Annotated[Session, Depends(get_db)]


class LoginRequired(Exception):
    """A page was asked for without a signed-in user: the handler redirects to the login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def cookie_user(request: Request, db: Session) -> User | None:
    uid = request.session.get("uid")
    if uid is None:
        return None
    user = db.get(User, uid)
    if user is None or request.session.get("ver") != session_version(user):
        request.session.clear()  # deleted user or changed password: the session ends
        return None
    return user


def page_user(request: Request, db: DB) -> User:
    user = cookie_user(request, db)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return user


def api_user(request: Request, db: DB) -> User:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer":
        user = user_by_token(db, token.strip())
        if user is None:
            raise HTTPException(401, "API 令牌无效 (invalid token)", {"WWW-Authenticate": "Bearer"})
        return user
    user = cookie_user(request, db)
    if user is None:
        raise HTTPException(
            401, "需要登录或 API 令牌 (authentication required)", {"WWW-Authenticate": "Bearer"}
        )
    if request.method not in SAFE_METHODS:
        check_csrf(request, request.headers.get(CSRF_HEADER))
    return user


def form_csrf(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
    """Every form post carries the session's token in a hidden field."""
    check_csrf(request, csrf_token)


CSRF = Depends(form_csrf)


def page_lang(request: Request) -> str:
    """``?lang=en`` switches the language and is remembered in the session; Chinese otherwise."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        request.session["lang"] = asked
        return asked
    remembered = request.session.get("lang")
    return remembered if remembered in LANGS else "zh"


Lang = Annotated[str, Depends(page_lang)]


@dataclass(frozen=True)
class ScopedDeps:
    """The same lookups for pages and for the API, each on its own way of signing in."""

    user: Callable[..., Any]
    scope: Callable[..., Any]
    site: Callable[..., Any]
    scan: Callable[..., Any]
    finding: Callable[..., Any]
    org: Callable[..., Any]
    managed_user: Callable[..., Any]
    admin: Callable[..., Any]


def scoped(user_dep: Callable[..., User]) -> ScopedDeps:
    def get_scope(user: Annotated[User, Depends(user_dep)], db: DB) -> sc.Scope:
        return sc.scope_for(db, user)

    ScopeDep = Annotated[sc.Scope, Depends(get_scope)]

    def site(site_id: int, scope: ScopeDep, db: DB) -> Site:
        return sc.visible_site(db, scope, site_id)

    def scan(scan_id: int, scope: ScopeDep, db: DB) -> Scan:
        return sc.visible_scan(db, scope, scan_id)

    def finding(finding_id: int, scope: ScopeDep, db: DB) -> tuple[Finding, Scan]:
        return sc.visible_finding(db, scope, finding_id)

    def org(org_id: int, scope: ScopeDep, db: DB) -> Org:
        return sc.visible_org(db, scope, org_id)

    def managed_user(user_id: int, scope: ScopeDep, db: DB) -> User:
        return sc.managed_user(db, scope, user_id)

    def admin(scope: ScopeDep) -> sc.Scope:
        sc.require_admin(scope)
        return scope

    return ScopedDeps(user_dep, get_scope, site, scan, finding, org, managed_user, admin)


pages = scoped(page_user)
api = scoped(api_user)
