"""The dashboard application: ``create_app()`` builds it, ``govpatrol serve`` runs it.

Server-rendered pages (Jinja2) with a few lines of plain JS for live progress, a JSON API
under ``/api``, signed-cookie sessions, and nothing loaded from another host: government
intranets are often offline.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from dashboard import account, admin, api, health, holidays, pages, web
from dashboard.deps import LoginRequired
from dashboard.security import SecurityHeaders, load_secret_key
from dashboard.throttle import LoginThrottle
from govpatrol.core.db import get_engine
from govpatrol.core.settings import database_url, settings
from scheduler.dispatch import dispatch_scan, get_dispatcher, set_dispatcher

SESSION_COOKIE = "govpatrol_session"
SESSION_MAX_AGE_S = 12 * 3600  # a working day; then sign in again
# The reverse proxies whose X-Forwarded-For names the client (addresses or CIDRs, comma or
# space separated). None by default: the client is the socket peer, and a header anyone can
# send changes nothing (the login throttle counts per client address).
TRUSTED_PROXIES_ENV = "GOVPATROL_TRUSTED_PROXIES"


def trusted_proxies() -> list[str]:
    """``GOVPATROL_TRUSTED_PROXIES`` as a list; empty when unset."""
    return list(settings().trusted_proxies)


def create_app(
    db_url: str | None = None,
    *,
    with_scheduler: bool = False,
    dispatch: Callable[[int], Any] | None = None,
    secret_key: str | None = None,
    throttle: LoginThrottle | None = None,
    proxies: list[str] | None = None,
) -> FastAPI:
    """The dashboard on the store at ``db_url``.

    ``with_scheduler`` runs the schedule (weekly scans, probes, reports) inside the web
    process, as ``govpatrol serve`` does. ``dispatch(scan_id)`` runs a queued scan; the
    default is the process-wide dispatcher (scheduler.dispatch). ``proxies`` are the trusted
    reverse proxies (default ``GOVPATROL_TRUSTED_PROXIES``).
    """
    url = db_url or database_url()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if with_scheduler:
            from scheduler.jobs import LeasedScheduler

            # Under the scheduler lease: a second web process (or a `govpatrol scheduler`)
            # on the same store stands by instead of firing every job twice.
            app.state.scheduler = await run_in_threadpool(LeasedScheduler(url).start)
        try:
            yield
        finally:
            if app.state.scheduler is not None:
                app.state.scheduler.shutdown(wait=False)
                app.state.scheduler = None
            if own_dispatcher:
                # Scans this process runs end as "partial" (and can be rerun), as on Ctrl-C,
                # rather than keeping a stopped server waiting for them.
                previous = set_dispatcher(None)
                if previous is not None:
                    previous.shutdown(interrupt=True)

    app = FastAPI(
        title="govpatrol API",
        version="1",
        description="政务网站巡检 JSON API. Authorization: Bearer <token> (see /account).",
        docs_url=None,  # FastAPI's docs pages load from a CDN; /api/docs is rendered locally
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    own_dispatcher = dispatch is None
    if dispatch is None:
        get_dispatcher(url)  # the pool this process's scheduler shares, on this store
        dispatch = dispatch_scan
    app.state.engine = get_engine(url)
    app.state.db_url = url
    app.state.dispatch = dispatch
    app.state.scheduler = None
    app.state.throttle = throttle or LoginThrottle()

    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key or load_secret_key(url),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_S,
        same_site="lax",
        https_only=settings().secure_cookies,
    )
    app.add_middleware(SecurityHeaders)
    proxies = trusted_proxies() if proxies is None else proxies
    if proxies:
        # Added last, so outermost: every layer and route sees the forwarded client.
        # uvicorn's own (``proxy_headers``) is off in ``govpatrol serve`` and BackgroundServer,
        # so this setting alone decides whom to believe.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")
    app.include_router(account.router)
    app.include_router(pages.router)
    app.include_router(admin.router)
    app.include_router(holidays.router)
    app.include_router(health.router)
    app.include_router(api.router, prefix="/api")
    app.add_exception_handler(LoginRequired, web.login_required)
    app.add_exception_handler(StarletteHTTPException, web.http_error)
    app.add_exception_handler(RequestValidationError, web.validation_error)
    return app
