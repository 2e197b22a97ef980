"""The crawl stage of several checkouts, timed in alternation on one quiet machine (issue #22:
"the crawl benchmark must stay within 10 % of today's pages/s").

    .venv/bin/python bench/crawl_ab.py --articles 2000 --rounds 3 /path/to/41b8235 /work/main

Single runs of ``bench/crawl.py`` moved by ±20 % on the shared machine, more than the
difference measured, so each round runs every checkout once, one after another. Each
checkout generates its own portal (the generator changes with the code), served by nginx
on 127.0.0.1, and crawls it with its own interpreter: ``python -m scan.crawl JOB`` with
every page check and no browser, as bench/crawl.py's "+ page checks" row. A checkout needs
its own ``.venv`` (a copy of this one with its paths rewritten serves). Prints wall time,
pages/s, CPU s and peak PSS of the crawl's process tree per round, then the rates."""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import measure, static_server

JOB_SCRIPT = Path(__file__).resolve().with_name("crawl_ab_job.py")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs="+", type=Path)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work_root = Path(tempfile.mkdtemp(prefix="bench-crawl-ab-"))
    rates: dict[Path, list[tuple[float, float]]] = {c: [] for c in args.checkouts}
    try:
        with contextlib.ExitStack() as stack:
            served = {}
            for number, checkout in enumerate(args.checkouts):
                work = work_root / str(number)
                work.mkdir()
                _side(checkout, "portal", work, str(args.articles))
                served[checkout] = work, stack.enter_context(static_server(work / "portal"))
            for round_no in range(args.rounds):
                for checkout, (work, base_url) in served.items():
                    _side(checkout, "job", work, base_url, str(round_no))
                    python = str(checkout / ".venv" / "bin" / "python")
                    run = measure(
                        [python, "-m", "scan.crawl", str(work / f"job-{round_no}.json")],
                        cwd=checkout,
                    )
                    with contextlib.closing(sqlite3.connect(work / f"ab-{round_no}.db")) as db:
                        pages = db.execute("select count(*) from page").fetchone()[0]
                    rates[checkout].append((pages / run.wall_s, run.cpu_s))
                    print(
                        f"round {round_no + 1} {checkout}: {run.wall_s:.2f} s, {pages} pages, "
                        f"{pages / run.wall_s:.0f} pages/s, CPU {run.cpu_s:.1f} s, "
                        f"peak PSS {run.peak_pss_mb:.0f} MB, exit {run.returncode}",
                        flush=True,
                    )
    finally:
        shutil.rmtree(work_root, ignore_errors=True)
    for checkout, runs in rates.items():
        shown = ", ".join(f"{rate:.0f}" for rate, _cpu in runs)
        cpu = ", ".join(f"{cpu:.1f}" for _rate, cpu in runs)
        print(f"{checkout}: pages/s {shown}; CPU s {cpu}")


def _side(checkout: Path, *args: str) -> None:
    python = str(checkout / ".venv" / "bin" / "python")
    subprocess.run([python, str(JOB_SCRIPT), *args], cwd=checkout, check=True, capture_output=True)


if __name__ == "__main__":
    main()
