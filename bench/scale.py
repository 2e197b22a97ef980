"""Cluster benchmark (issue 9): sites/hour of a govpatrol cluster with 1 and with 2 workers
scanning ten portals, each a full scan (crawl, every static check, link verification).

    .venv/bin/python bench/scale.py [--size 100] [--portals 10] [--workers 1,2]

Needs PostgreSQL and Redis on 127.0.0.1 (as the tests do). Each portal is the sample portal
plus ``size`` generated articles, served by its own nginx on its own port. Each run gets a
fresh database and Redis key prefix; workers are ``govpatrol worker --concurrency 1``
processes. The clock runs from the first submission to the last scan's end.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil
from sqlmodel import Session, func, select

from bench.common import static_server
from bench.report import table, write_section
from govpatrol.core.models import Page, Scan, Site
from sampleportal.generate import generate_portal
from scheduler.celery_dispatch import CeleryDispatcher
from scheduler.cluster import prepare_store
from scheduler.scan_queue import ACTIVE_STATUSES, start_scan

AS_OF = dt.date(2026, 11, 22)
REDIS = "redis://127.0.0.1:6379/0"
REPO = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def database() -> Iterator[str]:
    import psycopg

    name = f"govpatrol_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(
        "host=127.0.0.1 user=postgres dbname=postgres", autocommit=True, connect_timeout=3
    ) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def workers(count: int, db_url: str, queue: str, logs: Path) -> Iterator[list[int]]:
    env = {
        **os.environ,
        "GOVPATROL_DATABASE_URL": db_url,
        "GOVPATROL_BROKER_URL": REDIS,
        "GOVPATROL_QUEUE": queue,
    }
    procs = []
    for n in range(count):
        with open(logs / f"worker{n}.log", "wb") as log:
            cmd = [sys.executable, "-m", "govpatrol.cli.worker", "--concurrency", "1"]
            procs.append(
                subprocess.Popen(
                    [*cmd, "--name", f"bench{n}-{queue}@bench", "--loglevel", "WARNING"],
                    env=env,
                    cwd=REPO,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            )
    try:
        yield [p.pid for p in procs]
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        import redis

        client = redis.Redis.from_url(REDIS)
        keys = list(client.scan_iter(match=f"{queue}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


def run_cluster(urls: list[str], count: int, work: Path, timeout_s: float) -> dict[str, float]:
    queue = f"govpatrol-bench-{uuid.uuid4().hex[:8]}"
    with database() as db_url, workers(count, db_url, queue, work):
        engine = prepare_store(db_url)
        with Session(engine) as session:
            scan_ids = []
            for i, url in enumerate(urls):
                site = Site(name=f"门户{i}", url=url)
                session.add(site)
                session.commit()
                options = {"browser": False, "thresholds": {"max_pages": 100000}}
                scan_ids.append(
                    start_scan(session, site, trigger="bench", as_of=AS_OF, options=options).id
                )
        dispatcher = CeleryDispatcher(REDIS, queue=queue)
        started = time.monotonic()
        for scan_id in scan_ids:
            dispatcher.submit(scan_id)
        dispatcher.shutdown()
        deadline = started + timeout_s
        peak = 0.0
        with Session(engine) as session:
            while time.monotonic() < deadline:
                session.expire_all()
                scans = [session.get(Scan, i) for i in scan_ids]
                if all(s.status not in ACTIVE_STATUSES for s in scans):
                    break
                peak = max(peak, _tree_rss_mb(os.getpid()))
                time.sleep(0.5)
            wall = time.monotonic() - started
            pages = session.exec(
                select(func.count()).select_from(Page).where(Page.scan_id.in_(scan_ids))
            ).one()
            done = sum(1 for s in scans if s.status == "done")
        engine.dispose()
    return {"wall_s": wall, "pages": pages, "done": done, "scans": len(scan_ids)}


def _tree_rss_mb(pid: int) -> float:
    total = 0
    with contextlib.suppress(psutil.Error):
        for proc in psutil.Process(pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
    return total / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100, help="generated articles per portal")
    parser.add_argument("--portals", type=int, default=10)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    truth = generate_portal(work / "portal", AS_OF, extra_pages=args.size)
    rows = []
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(static_server(work / "portal")) for _ in range(args.portals)]
        for count in (int(c) for c in args.workers.split(",")):
            result = run_cluster(urls, count, work, args.timeout)
            wall = result["wall_s"]
            rows.append(
                [
                    count,
                    f"{result['done']}/{result['scans']}",
                    result["pages"],
                    f"{wall:.1f}",
                    f"{result['scans'] / wall * 3600:.0f}",
                    f"{result['pages'] / wall:.1f}",
                    f"{result['pages'] / wall * 3600:,.0f}",
                ]
            )
            print(rows[-1], flush=True)
    body = (
        f"Ten portals of {len(truth.pages)} pages each (sample portal + {args.size} articles), "
        "one nginx per portal; workers `govpatrol worker --concurrency 1` on this machine, "
        "store PostgreSQL 15, broker Redis.\n\n"
        + table(
            ["workers", "scans done", "pages", "wall s", "sites/hour", "pages/s", "pages/hour"],
            rows,
        )
    )
    print(body)
    command = f".venv/bin/python bench/scale.py --size {args.size} --portals {args.portals} --workers {args.workers}"
    write_section("scale", "Sites per hour, 1 and 2 workers", command, body)


if __name__ == "__main__":
    main()
