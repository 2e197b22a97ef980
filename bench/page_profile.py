"""Where a crawl's page-check worker spends its time: every check's page hook, in one
process as the worker runs them, over the pages of the generated benchmark portal (the
portal of bench/crawl.py), served on 127.0.0.1 so linked stylesheets are fetched as in a scan.

    .venv/bin/python bench/page_profile.py [--size 2000] [--profile 30] [--findings FILE]

Prints the CPU milliseconds per page of the page's shape (links, template key, anchors) and of
each check's hook, their sum, and with ``--profile N`` the N functions with the most own time
(cProfile). ``--findings FILE`` writes every finding the hooks made, sorted, so two commits can
be compared page by page (the findings must not change when only the speed does).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench.common import static_server
from checks.table import all_checks
from extract.parse import build_parsed_page
from govpatrol.core.types import FindingData, ScanContext
from sampleportal.generate import generate_portal
from scan.page_checks import page_shape

AS_OF = dt.date(2026, 11, 22)


def portal_pages(root: Path, base_url: str) -> list:
    """Every HTML page of the portal as the crawl would parse it (fetched over loopback)."""
    site = root / "site"
    paths = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    pages = []
    with httpx.Client(base_url=base_url, timeout=10) as client:
        for path in paths:
            answer = client.get("/" + path)
            if answer.status_code != 200 or "html" not in answer.headers.get("content-type", ""):
                continue
            url = str(answer.url)
            pages.append(
                build_parsed_page(
                    url,
                    url,
                    200,
                    dict(answer.headers),
                    answer.content,
                    is_home=path == "index.html",
                    depth=path.count("/"),
                )
            )
    return pages


def run_hooks(pages: list, ctx: ScanContext) -> tuple[dict[str, list[float]], list[dict]]:
    """[wall, CPU] seconds by hook, and every finding, over ``pages`` in order."""
    checks = all_checks()
    spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])

    def add(name: str, wall: float, cpu: float) -> None:
        spent[name][0] += time.perf_counter() - wall
        spent[name][1] += time.process_time() - cpu

    findings = []
    for page in pages:
        wall, cpu = time.perf_counter(), time.process_time()
        page_shape(page, ctx.thresholds.max_links_per_page)
        add("(links, template key, anchors)", wall, cpu)
        for check in checks:
            wall, cpu = time.perf_counter(), time.process_time()
            records = list(check.on_page(page, ctx) or ())
            add(check.name, wall, cpu)
            findings += [
                {"page": page.url, "check": check.name, **_plain(record.__dict__)}
                for record in records
                if isinstance(record, FindingData)
            ]
    return spent, findings


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000, help="extra articles of the portal")
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    parser.add_argument("--findings", type=Path, help="write the hooks' findings here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-page-profile-"))
    generate_portal(work / "portal", AS_OF, extra_pages=args.size)
    with static_server(work / "portal") as base_url:
        pages = portal_pages(work / "portal", base_url)
        ctx = ScanContext(1, 1, base_url, "bench", AS_OF, browser=False)
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        spent, findings = run_hooks(pages, ctx)
        if profiler:
            profiler.disable()
    total = sum(cpu for _, cpu in spent.values())
    print(f"{len(pages)} pages, {len(findings)} findings; CPU ms/page:")
    for name, (_, cpu) in sorted(spent.items(), key=lambda item: -item[1][1]):
        print(f"  {name:34} {cpu / len(pages) * 1e3:7.2f}")
    print(f"  {'all':34} {total / len(pages) * 1e3:7.2f}")
    if args.findings:
        # the port changes from run to run: without it (masked before the sort too, which
        # it could reorder) two runs' files compare equal; the portal's "other site" is the
        # same server under the name localhost
        site, other = base_url.rstrip("/"), f"localhost:{urlsplit(base_url).port}"

        def masked(text: str) -> str:
            return text.replace(site, "{site}").replace(other, "{other}")

        findings.sort(key=lambda f: masked(json.dumps(f, sort_keys=True, ensure_ascii=False)))
        text = masked(json.dumps(findings, ensure_ascii=False, indent=1))
        args.findings.write_text(text, "utf-8")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
