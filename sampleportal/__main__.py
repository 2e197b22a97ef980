"""``python -m sampleportal generate DIR`` / ``python -m sampleportal serve DIR``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import threading
import time
from pathlib import Path

from sampleportal.generate import VARIANTS, WEEKS, generate_portal
from sampleportal.server import PortalServer


def _generate(args: argparse.Namespace) -> int:
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
    started = time.perf_counter()
    truth = generate_portal(
        Path(args.dir),
        as_of,
        variant=args.variant,
        extra_pages=args.extra_pages,
        links_per_page=args.links_per_page,
        seed=args.seed,
        week=args.week,
    )
    print(
        f"generated {len(truth.pages)} pages, {len(truth.findings)} expected findings "
        f"in {time.perf_counter() - started:.1f} s → {args.dir}"
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    server = PortalServer(
        Path(args.dir), host=args.host, port=args.port, linkchecker_header=args.linkchecker_header
    ).start()
    print(f"serving {args.dir} at {server.base_url} (Ctrl-C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sampleportal", description="政府网站样例站点")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write site/, routes.json and truth.json into DIR")
    gen.add_argument("dir")
    gen.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
    gen.add_argument("--variant", choices=VARIANTS, default="default")
    gen.add_argument("--extra-pages", type=int, default=0)
    gen.add_argument("--links-per-page", type=int, default=30)
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--week", type=int, choices=WEEKS, default=1,
                     help="2: the portal a week after --as-of (tampering, backdating)")  # fmt: skip
    gen.set_defaults(func=_generate)
    serve = sub.add_parser("serve", help="serve a generated DIR on 127.0.0.1")
    serve.add_argument("dir")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--linkchecker-header", action="store_true")
    serve.set_defaults(func=_serve)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
