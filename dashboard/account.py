"""Signing in and out, one's own account (language, password, API token), and the API docs
page (rendered here from the OpenAPI document: FastAPI's own docs pages load from a CDN)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from dashboard.deps import CSRF, DB, Lang, cookie_user, pages
from dashboard.i18n import t
from dashboard.web import flash, local_path, redirect, render
from govpatrol.core.auth import (
    AccountError,
    authenticate,
    end_sessions,
    issue_api_token,
    session_version,
    set_password,
    verify_password,
)
from govpatrol.core.models import User

router = APIRouter(include_in_schema=False)

PageUser = Annotated[User, Depends(pages.user)]
Text = Annotated[str, Form()]


def _client(request: Request) -> str:
    """The client's address: the socket peer, or behind a trusted proxy the address it
    forwards (``GOVPATROL_TRUSTED_PROXIES``, applied by the app's proxy-headers middleware)."""
    return request.client.host if request.client else "unknown"


@router.get("/login")
def login_page(request: Request, db: DB, lang: Lang, next: str = "/sites") -> Response:
    if cookie_user(request, db) is not None:
        return redirect(local_path(next, "/sites"))
    return render(request, "login.html", lang=lang, next=local_path(next, "/sites"), error=None)


@router.post("/login")
def login(
    request: Request,
    db: DB,
    lang: Lang,
    username: Text = "",
    password: Text = "",
    next: Text = "/sites",
    _csrf: None = CSRF,
) -> Response:
    throttle = request.app.state.throttle
    address = _client(request)
    target = local_path(next, "/sites")
    wait = throttle.reserve(username, address)  # taken before the slow password check
    if wait:
        minutes = max(1, round(wait / 60))
        return render(
            request,
            "login.html",
            lang=lang,
            next=target,
            error=t("login_throttled", lang, minutes=minutes),
            status_code=429,
        )
    user = authenticate(db, username, password)
    if user is None:  # the reserved attempt stays counted as a failure
        error = t("login_failed", lang)
        return render(request, "login.html", lang=lang, next=target, error=error, status_code=400)
    throttle.succeeded(username, address)
    # A fresh session: nothing from before the sign-in (a planted CSRF token) carries over.
    request.session.clear()
    request.session.update({"uid": user.id, "ver": session_version(user), "lang": lang})
    return redirect(target)


@router.post("/logout")
def logout(request: Request, db: DB, _csrf: None = CSRF) -> Response:
    user = cookie_user(request, db)
    if user is not None:  # copies of this cookie (and the user's other sessions) end too
        end_sessions(user)
        db.add(user)
        db.commit()
    request.session.clear()
    return redirect("/login")


@router.get("/account")
def account_page(request: Request, user: PageUser, lang: Lang) -> Response:
    return render(request, "account.html", lang=lang, user=user, new_token=None)


@router.post("/account/token")
def new_token(request: Request, db: DB, user: PageUser, lang: Lang, _csrf: None = CSRF) -> Response:
    token = issue_api_token(db, user)
    # Shown in this response only, never stored in the session or a redirect URL.
    return render(request, "account.html", lang=lang, user=user, new_token=token)


@router.post("/account/password")
def change_password(
    request: Request,
    db: DB,
    user: PageUser,
    lang: Lang,
    current: Text = "",
    new: Text = "",
    _csrf: None = CSRF,
) -> Response:
    if not verify_password(user.password_hash, current):
        flash(request, t("wrong_password", lang), "error")
        return redirect("/account")
    try:
        set_password(user, new)
    except AccountError as exc:
        flash(request, str(exc), "error")
        return redirect("/account")
    db.add(user)
    db.commit()
    request.session["ver"] = session_version(user)  # this one goes on; the others end
    flash(request, t("password_changed", lang))
    return redirect("/account")


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = body.get("schema", {}).get("$ref", "")
            out.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "params": [
                        (p["name"], p.get("in", ""), p.get("required", False))
                        for p in op.get("parameters", [])
                    ],
                    "body": ref.rsplit("/", 1)[-1] if ref else "",
                }
            )
    return out


def _type_text(spec: dict[str, Any]) -> str:
    if "anyOf" in spec:
        return " | ".join(_type_text(option) for option in spec["anyOf"])
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    if spec.get("type") == "array":
        return f"array[{_type_text(spec.get('items', {}))}]"
    return str(spec.get("type", "any"))


def _schemas(schema: dict[str, Any]) -> list[tuple[str, list[tuple[str, str, bool, str]]]]:
    out = []
    for name, spec in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(spec.get("required", []))
        fields = [
            (field, _type_text(prop), field in required, prop.get("description", ""))
            for field, prop in spec.get("properties", {}).items()
        ]
        out.append((name, fields))
    return out


@router.get("/api/docs")
def api_docs(request: Request, user: PageUser, lang: Lang) -> Response:
    schema = request.app.openapi()
    return render(
        request,
        "api_docs.html",
        lang=lang,
        user=user,
        operations=_operations(schema),
        schemas=_schemas(schema),
        title=schema.get("info", {}).get("title", ""),
    )
