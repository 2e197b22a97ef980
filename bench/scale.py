"""Cluster benchmark (issue 23): PostgreSQL + Redis + 2 workers on 100 generated portals,
with Redis restarted mid-run (no persistence: every queued message is lost) and a worker
killed (SIGKILL by pid, with its scan process) — and the check that every site's scan still
finishes exactly once, nothing is stuck and nothing is lost.

    .venv/bin/python bench/scale.py [--portals 100] [--workers 2] [--max-pages 30]
                                    [--no-faults] [--timeout 1800]

Needs PostgreSQL on 127.0.0.1:5432 and the ``redis-server`` and ``nginx`` programs. The run
gets a fresh database and its own redis-server on a free loopback port (the machine's Redis is
never touched); one nginx serves the generated sample portal on one port per site. Each scan
is a full scan without the browser (crawl capped at ``--max-pages``, link verification, every
check, scoring). Workers are ``govpatrol worker --concurrency 1`` with their watchdog at short
test settings (stale after 15 s, unclaimed scans re-sent after 20 s).

Printed: sites/hour (the clock runs from the first submission to the last scan's end), the
latency percentiles of each site's scan (queued → done, and the run itself), what each fault
did (scans closed as "worker lost" and retried, messages re-sent), and the checks.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil
from sqlmodel import Session, col, select

from bench.common import free_port, nginx_server, wait_port
from bench.report import table, write_section
from govpatrol.core.models import Scan, ScanStatus, Site
from sampleportal.generate import generate_portal
from scheduler.celery_dispatch import CeleryDispatcher
from scheduler.cluster import WORKER_LOST, prepare_store
from scheduler.scan_queue import ACTIVE_STATUSES, start_scan

AS_OF = dt.date(2026, 11, 22)
REPO = Path(__file__).resolve().parents[1]
STALE_AFTER_S = 15
REQUEUE_AFTER_S = 20


# -- services ----------------------------------------------------------------------------


@contextlib.contextmanager
def database() -> Iterator[str]:
    import psycopg

    name = f"govpatrol_bench_heal_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(
        "host=127.0.0.1 user=postgres dbname=postgres", autocommit=True, connect_timeout=3
    ) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class RedisServer:
    """Our own redis-server on a loopback port, without persistence (the worst case: a
    restart loses every message)."""

    def __init__(self, work: Path) -> None:
        self.port = free_port()
        self.work = work
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        cmd = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
        cmd += ["--appendonly", "no", "--dir", str(self.work), "--protected-mode", "yes"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def restart(self) -> None:
        self.kill()
        self.start()


@contextlib.contextmanager
def portals(root: Path, count: int) -> Iterator[list[str]]:
    """One nginx serving ``root`` on ``count`` ports: one address per site."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    with nginx_server(nginx, root, sorted(ports), workers=1) as urls:
        yield urls


class Workers:
    def __init__(self, db_url: str, broker: str, queue: str, logs: Path) -> None:
        self.env = {
            **os.environ,
            "GOVPATROL_DATABASE_URL": db_url,
            "GOVPATROL_BROKER_URL": broker,
            "GOVPATROL_QUEUE": queue,
            "GOVPATROL_STALE_AFTER_S": str(STALE_AFTER_S),
            "GOVPATROL_REQUEUE_AFTER_S": str(REQUEUE_AFTER_S),
        }
        self.logs = logs
        self.procs: list[subprocess.Popen] = []

    def start(self, n: int) -> subprocess.Popen:
        with open(self.logs / f"worker{n}.log", "ab") as log:
            cmd = [sys.executable, "-m", "govpatrol.cli.worker", "--concurrency", "1"]
            proc = subprocess.Popen(
                [*cmd, "--name", f"bench{n}@bench", "--loglevel", "INFO"],
                env=self.env,
                cwd=REPO,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> int:
        """SIGKILL the worker and every process under it, by pid (a machine that died)."""
        victims = [proc.pid]
        with contextlib.suppress(psutil.Error):
            victims += [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=30)
        return len(victims)

    def cpu_s(self) -> float:
        total = 0.0
        for proc in self.procs:
            with contextlib.suppress(psutil.Error):
                p = psutil.Process(proc.pid)
                for q in [p, *p.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        t = q.cpu_times()
                        total += t.user + t.system + t.children_user + t.children_system
        return total

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


# -- the run -----------------------------------------------------------------------------


def _state(session: Session, site_ids: list[int]) -> tuple[int, int, list[Scan]]:
    """(sites done, scans still active, all scans of the sites)."""
    session.expire_all()
    scans = list(session.exec(select(Scan).where(col(Scan.site_id).in_(site_ids))))
    done = len({s.site_id for s in scans if s.status == ScanStatus.done})
    active = sum(1 for s in scans if s.status in ACTIVE_STATUSES)
    return done, active, scans


def _busy_worker(session: Session, procs: list[subprocess.Popen]) -> subprocess.Popen | None:
    """A live worker that is running a scan right now (its pid is in the scan's stats)."""
    running = session.exec(select(Scan).where(Scan.status == ScanStatus.running)).all()
    pids = {str((s.stats or {}).get("worker", "")).rsplit(":", 1)[-1] for s in running}
    return next((p for p in procs if p.poll() is None and str(p.pid) in pids), None)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(args: argparse.Namespace, work: Path) -> dict[str, object]:
    truth = generate_portal(work / "portal", AS_OF)
    queue = f"govpatrol-bench-heal-{uuid.uuid4().hex[:8]}"
    redis = RedisServer(work).start()
    events: list[str] = []
    try:
        with database() as db_url, portals(work / "portal", args.portals) as urls:
            engine = prepare_store(db_url)
            options = {"browser": False, "thresholds": {"max_pages": args.max_pages}}
            with Session(engine) as session:
                site_ids, scan_ids = [], []
                for i, url in enumerate(urls):
                    site = Site(name=f"门户{i}", url=url)
                    session.add(site)
                    session.commit()
                    site_ids.append(site.id)
                    scan = start_scan(session, site, trigger="bench", as_of=AS_OF, options=options)
                    scan_ids.append(scan.id)
            workers = Workers(db_url, redis.url, queue, work)
            try:
                procs = [workers.start(n) for n in range(args.workers)]
                dispatcher = CeleryDispatcher(redis.url, queue=queue)
                started = time.monotonic()
                for scan_id in scan_ids:
                    dispatcher.submit(scan_id)
                dispatcher.shutdown()
                redis_done = killed = args.no_faults
                deadline = started + args.timeout
                with Session(engine) as session:
                    while time.monotonic() < deadline:
                        done, active, _ = _state(session, site_ids)
                        if active == 0:
                            break
                        elapsed = time.monotonic() - started
                        if not redis_done and done >= args.portals * 0.25:
                            redis.restart()
                            events.append(
                                f"{elapsed:.0f} s: Redis killed (SIGKILL) and restarted without "
                                f"persistence at {done}/{args.portals} sites done"
                            )
                            redis_done = True
                        elif not killed and done >= args.portals * 0.5:
                            victim = _busy_worker(session, procs)
                            if victim is not None:
                                count = workers.kill(victim)
                                events.append(
                                    f"{elapsed:.0f} s: worker pid {victim.pid} killed with its "
                                    f"running scan (SIGKILL, {count} processes) at {done}/"
                                    f"{args.portals} sites done; a new worker started in its place"
                                )
                                procs = [p for p in procs if p is not victim]
                                procs.append(workers.start(len(workers.procs)))
                                killed = True
                        time.sleep(1.0)
                    wall = time.monotonic() - started
                    cpu = workers.cpu_s()
                    done, active, scans = _state(session, site_ids)
                    store = _store_sizes(session)
            finally:
                workers.stop()
            engine.dispose()
    finally:
        redis.kill()
    return {
        "wall": wall,
        "cpu": cpu,
        "scans": scans,
        "sites": site_ids,
        "events": events,
        "pages": len(truth.pages),
        "logs": work,
        "store": store,
    }


PAGE_TABLES = ("page", "linksource", "linktarget", "listpage")
KEPT_TABLES = ("finding", "document", '"column"', "scan")


def _store_sizes(session: Session) -> dict[str, float]:
    """PostgreSQL bytes (tables, indexes, TOAST) of the rows the retention policy prunes,
    per page, and of those it keeps for ever, per scan."""
    from sqlalchemy import text

    def size(tables: tuple[str, ...]) -> int:
        return sum(
            session.execute(text(f"SELECT pg_total_relation_size('{t}')")).scalar_one()
            for t in tables
        )

    pages = session.execute(text("SELECT count(*) FROM page")).scalar_one()
    scans = session.execute(text("SELECT count(*) FROM scan")).scalar_one()
    return {
        "pages": pages,
        "page_kb": size(PAGE_TABLES) / 1024 / max(pages, 1),
        "kept_kb_per_scan": size(KEPT_TABLES) / 1024 / max(scans, 1),
    }


def check(result: dict[str, object]) -> tuple[list[str], list[str], dict[str, object]]:
    """What the run shows: (lines, failures, figures)."""
    scans: list[Scan] = result["scans"]  # type: ignore[assignment]
    sites: list[int] = result["sites"]  # type: ignore[assignment]
    by_site: dict[int, list[Scan]] = {s: [] for s in sites}
    for scan in scans:
        by_site[scan.site_id].append(scan)
    done_per_site = Counter(
        site for site, rows in by_site.items() for r in rows if r.status == ScanStatus.done
    )
    failures = []
    twice = [s for s in sites if done_per_site[s] > 1]
    lost = [s for s in sites if done_per_site[s] == 0]
    stuck = [s.id for s in scans if s.status in ACTIVE_STATUSES]
    if twice:
        failures.append(f"sites with more than one done scan: {twice}")
    if lost:
        failures.append(f"sites without a done scan: {lost}")
    if stuck:
        failures.append(f"scans still queued or running: {stuck}")
    closed = [s for s in scans if (s.error or "").startswith(WORKER_LOST)]
    retried = [s for s in scans if (s.options or {}).get("retry_of")]
    other = [s for s in scans if s.status != ScanStatus.done and s not in closed]
    by_worker = Counter(
        str((s.stats or {}).get("worker", "?")) for s in scans if s.status == ScanStatus.done
    )
    resent_lines = 0
    logs: Path = result["logs"]  # type: ignore[assignment]
    for log in logs.glob("worker*.log"):
        resent_lines += log.read_text("utf-8", "replace").count("sent again")
    final = [max(rows, key=lambda r: r.id) for rows in by_site.values() if rows]
    firsts = {site: min(r.created_at for r in rows) for site, rows in by_site.items() if rows}
    latency = [(f.finished_at - firsts[f.site_id]).total_seconds() for f in final if f.finished_at]
    runtime = [
        (f.finished_at - f.started_at).total_seconds()
        for f in final
        if f.finished_at and f.started_at
    ]
    wall = float(result["wall"])  # type: ignore[arg-type]
    figures = {
        "sites_per_hour": len(sites) / wall * 3600,
        "latency": [_pct(latency, q) for q in (0.5, 0.9, 0.99)] + [max(latency or [0])],
        "runtime": [_pct(runtime, q) for q in (0.5, 0.9, 0.99)] + [max(runtime or [0])],
        "mean_runtime": statistics.fmean(runtime) if runtime else float("nan"),
    }
    lines = [
        f"sites: {len(sites)}; scans in all: {len(scans)}; sites with exactly one done scan: "
        f"{sum(1 for s in sites if done_per_site[s] == 1)}",
        f"scans closed as worker lost: {len(closed)} (ids {[s.id for s in closed]}); "
        f"retries queued: {len(retried)}; other unfinished scans: "
        f"{[(s.id, str(s.status), (s.error or '')[:60]) for s in other]}",
        f"unclaimed scans re-sent by the watchdogs: {resent_lines}",
        "done scans per worker process: "
        + ", ".join(f"{w.rsplit(':', 1)[-1]}: {n}" for w, n in sorted(by_worker.items())),
        f"stuck (queued or running at the end): {len(stuck)}",
        "store (PostgreSQL, with indexes): {page_kb:.1f} KB per page of page-level rows "
        "({pages} pages), {kept_kb_per_scan:.1f} KB per scan of findings, documents, columns "
        "and the scan row".format(**result["store"]),  # type: ignore[arg-type]
    ]
    return lines, failures, figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portals", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-pages", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--no-faults", action="store_true", help="no Redis restart, no kill")
    parser.add_argument("--no-write", action="store_true", help="do not touch benchmarks.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-heal-"))
    result = run(args, work)
    lines, failures, figures = check(result)
    wall, cpu = float(result["wall"]), float(result["cpu"])  # type: ignore[arg-type]
    for event in result["events"]:  # type: ignore[attr-defined]
        print("event:", event)
    for line in lines:
        print(line)
    lat, rt = figures["latency"], figures["runtime"]
    rows = [
        [
            args.workers,
            args.portals,
            "no" if args.no_faults else "Redis restart + worker SIGKILL",
            f"{wall:.0f}",
            f"{cpu:.0f}",
            f"{figures['sites_per_hour']:.0f}",
            " / ".join(f"{v:.0f}" for v in lat),
            " / ".join(f"{v:.1f}" for v in rt),
        ]
    ]
    body = (
        f"{args.portals} sites, each the sample portal ({result['pages']} pages) on its own "
        f"port of one nginx, scanned without the browser with the crawl capped at "
        f"{args.max_pages} pages; store PostgreSQL, broker a redis-server of the run's own "
        f"without persistence; workers `govpatrol worker --concurrency 1`. CPU s: user+sys of "
        "the workers' process trees still alive at the end (a killed worker's share is lost).\n\n"
        + table(
            [
                "workers",
                "sites",
                "faults",
                "wall s",
                "CPU s",
                "sites/hour",
                "queued→done s p50/p90/p99/max",
                "scan run s p50/p90/p99/max",
            ],
            rows,
        )
        + "\n\n"
        + "\n".join(f"- {e}" for e in result["events"])  # type: ignore[attr-defined]
        + ("\n" if result["events"] else "")
        + "\n".join(f"- {line}" for line in lines)
        + "\n- checks: "
        + (
            "every site's scan finished exactly once; nothing stuck; nothing lost"
            if not failures
            else "FAILED: " + "; ".join(failures)
        )
    )
    print(body)
    if not args.no_write:
        command = (
            f".venv/bin/python bench/scale.py --portals {args.portals} --workers {args.workers} "
            f"--max-pages {args.max_pages}" + (" --no-faults" if args.no_faults else "")
        )
        name = "scale-clean" if args.no_faults else "scale"
        write_section(
            name,
            f"Cluster: {args.workers} workers, {args.portals} sites"
            + ("" if args.no_faults else ", Redis restart and a killed worker"),
            command,
            body,
        )
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
