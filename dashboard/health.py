"""``GET /healthz``: is this deployment able to work? For load balancers, compose health
checks and monitoring, so it needs no login and shows nothing secret (no URL, no password,
no site data; errors only by their kind).

Healthy (200) means: the store answers, the broker answers a PING when one is configured,
and some scheduler holds the lease with a fresh heartbeat. Anything else is 503, with the
part that failed. The capacity plan (``scheduler.capacity``) is reported beside it as a
warning: a window too short is a planning problem, not an outage.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlmodel import Session

from govpatrol.core.settings import broker_url
from scheduler.capacity import plan_capacity
from scheduler.lease import lease_state

router = APIRouter(include_in_schema=False)
BROKER_TIMEOUT_S = 2.0


def _database(session: Session) -> dict[str, Any]:
    try:
        session.execute(text("SELECT 1"))
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def _broker() -> dict[str, Any]:
    url = broker_url()
    if not url:
        return {"ok": True, "configured": False}
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=BROKER_TIMEOUT_S, socket_timeout=BROKER_TIMEOUT_S
    )
    try:
        client.ping()
    except Exception as exc:
        return {"ok": False, "configured": True, "error": type(exc).__name__}
    finally:
        client.close()
    return {"ok": True, "configured": True}


def _scheduler(session: Session) -> dict[str, Any]:
    state = lease_state(session)
    return {
        "ok": state.held,
        "holder": state.holder,
        "heartbeat_age_s": None if state.age_s is None else round(state.age_s, 1),
        "lease_s": state.ttl_s,
    }


def health(session: Session) -> tuple[bool, dict[str, Any]]:
    parts: dict[str, Any] = {"database": _database(session)}
    parts["broker"] = _broker()
    if parts["database"]["ok"]:
        try:
            parts["scheduler"] = _scheduler(session)
        except Exception as exc:  # e.g. a store not upgraded to the lease table yet
            parts["scheduler"] = {"ok": False, "error": type(exc).__name__}
        try:
            parts["capacity"] = plan_capacity(session).to_dict()
        except Exception as exc:  # planning must not turn a healthy cluster unhealthy
            session.rollback()
            parts["capacity"] = {"error": type(exc).__name__}
    else:
        parts["scheduler"] = {"ok": False, "error": "database unavailable"}
    ok = all(parts[name]["ok"] for name in ("database", "broker", "scheduler"))
    warning = (parts.get("capacity") or {}).get("warning")
    return ok, {
        "status": "ok" if ok else "unhealthy",
        **parts,
        "warnings": [warning] * bool(warning),
    }


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    with Session(request.app.state.engine) as session:
        ok, body = health(session)
    return JSONResponse(body, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})
