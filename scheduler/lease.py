"""Who is alive in a deployment: the scheduler's lease and the workers' heartbeats, as rows of
``cluster_node`` in the store.

**One scheduler at a time.** Two schedulers on one store would each fire every weekly scan
(the second is refused by ``start_scan``, but reports would be mailed twice and probes
doubled). The lease is one row, ``name="scheduler"``: a process takes it when it is free or
its holder's heartbeat is older than the lease time, renews it every third of that time, and
gives it up at shutdown. Taking and renewing are compare-and-set updates (the insert of a new
row relies on the primary key), so two candidates never both win; the same statements work
on SQLite and PostgreSQL, unlike an advisory lock, and the holder and its heartbeat age can be
read by anyone (``/healthz``). A standby keeps trying and takes over once the holder has been
silent for the lease time. A holder that could not renew in time (cut off from the store)
stops its scheduler before another can have taken over: it renews at a third of the lease.

**Workers seen.** Every worker writes its own row (``worker:<node>``) on each watchdog round;
capacity planning counts the rows with a recent heartbeat.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from govpatrol.core.models import ClusterNode, utcnow
from govpatrol.core.settings import settings

log = logging.getLogger(__name__)

SCHEDULER = "scheduler"
WORKER_PREFIX = "worker:"


def holder_id() -> str:
    """This process, unique even when a pid is re-used on the host."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lease_s() -> float:
    return settings().scheduler_lease_s


def acquire(
    engine: Engine, holder: str, *, name: str = SCHEDULER, ttl_s: float | None = None
) -> bool:
    """Take the lease ``name`` for ``holder`` if it is free, expired or already ours."""
    ttl_s = lease_s() if ttl_s is None else ttl_s
    now = utcnow()
    expired = now - dt.timedelta(seconds=ttl_s)
    with Session(engine) as session:
        taken = session.execute(
            update(ClusterNode)
            .where(
                col(ClusterNode.name) == name,
                (col(ClusterNode.holder) == holder) | (col(ClusterNode.heartbeat_at) < expired),
            )
            .values(holder=holder, started_at=now, heartbeat_at=now)
        ).rowcount
        session.commit()
        if taken == 1:
            return True
        session.add(ClusterNode(name=name, kind=SCHEDULER, holder=holder, heartbeat_at=now))
        try:
            session.commit()
        except IntegrityError:  # someone holds it (or took it between our two statements)
            session.rollback()
            return False
        return True


def renew(engine: Engine, holder: str, *, name: str = SCHEDULER) -> bool:
    """Beat the lease; False when it is no longer ours (another process took it over)."""
    with Session(engine) as session:
        renewed = session.execute(
            update(ClusterNode)
            .where(col(ClusterNode.name) == name, col(ClusterNode.holder) == holder)
            .values(heartbeat_at=utcnow())
        ).rowcount
        session.commit()
    return renewed == 1


def release(engine: Engine, holder: str, *, name: str = SCHEDULER) -> None:
    """Give the lease up at once, so a standby need not wait for it to expire."""
    with Session(engine) as session:
        session.execute(
            delete(ClusterNode).where(
                col(ClusterNode.name) == name, col(ClusterNode.holder) == holder
            )
        )
        session.commit()


@dataclass(frozen=True)
class LeaseState:
    holder: str | None
    age_s: float | None  # seconds since the holder's last heartbeat
    ttl_s: float

    @property
    def held(self) -> bool:
        return self.holder is not None and self.age_s is not None and self.age_s <= self.ttl_s


def lease_state(session: Session, *, name: str = SCHEDULER) -> LeaseState:
    row = session.get(ClusterNode, name)
    ttl = lease_s()
    if row is None:
        return LeaseState(None, None, ttl)
    return LeaseState(row.holder, _age_s(row.heartbeat_at), ttl)


def _age_s(moment: dt.datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return max(0.0, (utcnow() - moment).total_seconds())


# -- workers -----------------------------------------------------------------------------


def beat_worker(engine: Engine, node: str, info: dict[str, Any] | None = None) -> None:
    """Record that worker ``node`` is alive (one row per worker, overwritten)."""
    name = WORKER_PREFIX + node
    with Session(engine) as session:
        row = session.get(ClusterNode, name)
        if row is None:
            row = ClusterNode(name=name, kind="worker", holder=node, info=info or {})
        row.heartbeat_at = utcnow()
        if info is not None:
            row.info = info
        session.add(row)
        try:
            session.commit()
        except IntegrityError:  # the same node name started twice at once: the other wrote it
            session.rollback()


def forget_worker(engine: Engine, node: str) -> None:
    with Session(engine) as session:
        session.execute(delete(ClusterNode).where(col(ClusterNode.name) == WORKER_PREFIX + node))
        session.commit()


@dataclass(frozen=True)
class WorkerSeen:
    node: str
    concurrency: int
    age_s: float


def workers_seen(session: Session, *, within_s: float | None = None) -> list[WorkerSeen]:
    """Workers whose heartbeat is younger than ``within_s`` (default: the stale time)."""
    within_s = settings().stale_after_s if within_s is None else within_s
    since = utcnow() - dt.timedelta(seconds=within_s)
    rows = session.exec(
        select(ClusterNode).where(
            col(ClusterNode.name).startswith(WORKER_PREFIX), col(ClusterNode.heartbeat_at) >= since
        )
    )
    return [
        WorkerSeen(
            row.holder, int((row.info or {}).get("concurrency", 1)), _age_s(row.heartbeat_at)
        )
        for row in rows
    ]


# -- holding the lease -------------------------------------------------------------------


class LeaseKeeper:
    """Wait for the lease, run ``on_acquired``, renew it, and run ``on_lost`` when it was
    lost (renewal failed for the whole lease time, or another process took it): then wait
    for it again. ``stop()`` releases it. One daemon thread."""

    def __init__(
        self,
        engine: Engine,
        on_acquired: Callable[[], object],
        on_lost: Callable[[], object],
        *,
        ttl_s: float | None = None,
        name: str = SCHEDULER,
        holder: str | None = None,
    ) -> None:
        self.engine, self.on_acquired, self.on_lost = engine, on_acquired, on_lost
        self.ttl_s = lease_s() if ttl_s is None else ttl_s
        self.name = name
        self.holder = holder or holder_id()
        self.holding = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler-lease", daemon=True)

    def start(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def wait_holding(self, timeout: float | None = None) -> bool:
        return self.holding.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.ttl_s)
        if self.holding.is_set():
            self.holding.clear()
            self._call(self.on_lost)
        try:
            release(self.engine, self.holder, name=self.name)
        except Exception:  # the store is away: the lease expires by itself
            log.warning("could not release the scheduler lease", exc_info=True)

    def _run(self) -> None:
        interval = self.ttl_s / 3
        last_renewed = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            try:
                if self.holding.is_set():
                    if renew(self.engine, self.holder, name=self.name):
                        last_renewed = now
                    else:
                        self._lose("another process holds the lease now")
                elif acquire(self.engine, self.holder, name=self.name, ttl_s=self.ttl_s):
                    last_renewed = now
                    log.warning("scheduler lease taken by %s", self.holder)
                    self.holding.set()
                    self._call(self.on_acquired)
            except Exception:
                log.warning("scheduler lease round failed", exc_info=True)
                # Not renewed for half the lease: stop well before a standby may take over.
            if self.holding.is_set() and time.monotonic() - last_renewed > 1.5 * interval:
                self._lose("the lease could not be renewed")
            self._stop.wait(interval)

    def _lose(self, why: str) -> None:
        log.warning("scheduler lease lost (%s); standing by", why)
        self.holding.clear()
        self._call(self.on_lost)

    @staticmethod
    def _call(fn: Callable[[], object]) -> None:
        try:
            fn()
        except Exception:
            log.exception("scheduler lease callback failed")
