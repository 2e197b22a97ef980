"""The web app's secrets and request hygiene: the session-signing key, CSRF tokens, headers.

Sessions are Starlette's signed cookies (itsdangerous). The key comes from
``GOVPATROL_SECRET_KEY`` or, when unset, from a file created beside the SQLite store (mode
0600) so sessions survive restarts without anyone having to invent a secret.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from fastapi import HTTPException, Request
from sqlalchemy.engine import make_url
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govpatrol.core.settings import settings

SECRET_ENV = "GOVPATROL_SECRET_KEY"
CSRF_SESSION_KEY = "csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Dashboard pages load only their own CSS and JS; nothing inline, nothing from elsewhere.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# Reports are self-contained documents with inline CSS/JS made by reports/. They are served
# sandboxed (a unique origin): even a script that slipped into one could not read the
# dashboard's cookies or call its API as the signed-in user.
REPORT_CSP = (
    "sandbox allow-scripts allow-popups allow-popups-to-escape-sandbox; default-src 'none'; "
    "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
)


def secret_file(db_url: str) -> Path:
    """Beside the SQLite file (``govpatrol.db.secret``), else in the working directory."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        database = Path(url.database)
        return database.with_name(database.name + ".secret")
    return Path("govpatrol.secret").resolve()


def load_secret_key(db_url: str) -> str:
    configured = settings().secret_key
    if configured:
        return configured
    path = secret_file(db_url)
    try:
        # O_EXCL: of two processes starting together, one creates the key, the other reads it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
        raise RuntimeError(f"{path} is empty: delete it or set {SECRET_ENV}") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_SESSION_KEY] = token
    return token


def check_csrf(request: Request, supplied: str | None) -> None:
    expected = request.session.get(CSRF_SESSION_KEY)
    if not expected or not supplied or not hmac.compare_digest(expected, supplied):
        raise HTTPException(
            status_code=403, detail="CSRF 校验失败，请刷新页面后重试 (CSRF check failed)"
        )


class SecurityHeaders:
    """Adds the headers every response should carry; a route may set its own CSP first."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                defaults = {
                    b"content-security-policy": PAGE_CSP.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"x-frame-options": b"DENY",
                    b"referrer-policy": b"same-origin",
                    b"cache-control": b"no-store",
                }
                headers += [(k, v) for k, v in defaults.items() if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
