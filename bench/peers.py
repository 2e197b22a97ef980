"""The link checkers people use today, installed apart from govpatrol and run on a bench site.

Nothing here touches the project's venv: LinkChecker gets its own venv and the two npm tools
their own folder, both under ``bench/out/`` (ignored by git). The commands, for the record::

    python3 -m venv bench/out/linkchecker-venv
    bench/out/linkchecker-venv/bin/pip install linkchecker==10.6.0
    npm install --prefix bench/out/node broken-link-checker@0.7.8 linkinator@7.6.1

``python bench/peers.py install`` runs exactly these (and does nothing when they are there).

Each ``run_*`` function runs one tool over a whole site at full speed, measures the process
tree (wall time, peak RSS) and parses the broken links the tool reported into
``(page, target)`` pairs of absolute URLs, so every tool is scored against the same truth.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Measured, measure

OUT = Path(__file__).resolve().parent / "out"
LINKCHECKER_VENV = OUT / "linkchecker-venv"
NODE_DIR = OUT / "node"
LINKCHECKER_VERSION = "10.6.0"
BLC_VERSION = "0.7.8"
LINKINATOR_VERSION = "7.6.1"


@dataclass
class PeerRun:
    """One tool's run: its cost and the broken links it reported."""

    tool: str
    command: str
    measured: Measured
    broken: set[tuple[str, str]] = field(default_factory=set)  # (page, target)
    pages: int = 0  # HTML pages the tool fetched and parsed, where it says


def linkchecker_bin() -> Path:
    return LINKCHECKER_VENV / "bin" / "linkchecker"


def node_bin(name: str) -> Path:
    return NODE_DIR / "node_modules" / ".bin" / name


def install() -> None:
    """Install the peers (idempotent). Needs PyPI and the npm registry, nothing else."""
    OUT.mkdir(parents=True, exist_ok=True)
    if not linkchecker_bin().exists():
        subprocess.run([sys.executable, "-m", "venv", str(LINKCHECKER_VENV)], check=True)
        pip = LINKCHECKER_VENV / "bin" / "pip"
        subprocess.run(
            [str(pip), "install", "-q", f"linkchecker=={LINKCHECKER_VERSION}"], check=True
        )
    if not (node_bin("blc").exists() and node_bin("linkinator").exists()):
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                shutil.which("npm") or "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(NODE_DIR),
                f"broken-link-checker@{BLC_VERSION}",
                f"linkinator@{LINKINATOR_VERSION}",
            ],
            check=True,
        )


def installed() -> dict[str, bool]:
    return {
        "linkchecker": linkchecker_bin().exists(),
        "broken-link-checker": node_bin("blc").exists(),
        "linkinator": node_bin("linkinator").exists(),
    }


# -- LinkChecker ---------------------------------------------------------------------------


def run_linkchecker(base_url: str, *, threads: int = 16, timeout_s: float = 3600) -> PeerRun:
    """LinkChecker at full speed: the bench server sends a ``LinkChecker`` header, which lifts
    its built-in ~3 requests/s politeness to ``maxrequestspersecond`` (set very high here)."""
    work = Path(tempfile.mkdtemp(prefix="bench-linkchecker-"))
    # As root LinkChecker drops to ``nobody``: its output file must be writable by anyone.
    work.chmod(0o777)
    config = work / "linkcheckerrc"
    config.write_text(
        f"[checking]\nthreads={threads}\nmaxrequestspersecond=10000\ntimeout=15\n"
        "[output]\nlog=csv\nverbose=1\nwarnings=0\nstatus=0\n"
        f"[csv]\nfilename={work / 'out.csv'}\nseparator=;\n",
        encoding="utf-8",
    )
    cmd = [
        str(linkchecker_bin()),
        "--config",
        str(config),
        "-o",
        "none",
        "-F",
        f"csv/utf-8/{work / 'out.csv'}",
        "--verbose",
        "--no-status",
        "--check-extern",
        base_url,
    ]
    run = measure(cmd, timeout_s=timeout_s, cwd=work)
    text = (work / "out.csv").read_text("utf-8", "replace") if (work / "out.csv").exists() else ""
    broken, pages = parse_linkchecker_csv(text)
    shutil.rmtree(work, ignore_errors=True)
    return PeerRun("LinkChecker", " ".join(cmd), run, broken, pages)


def parse_linkchecker_csv(text: str) -> tuple[set[tuple[str, str]], int]:
    """LinkChecker's CSV: comment lines start with ``#``; ``valid`` is True/False and the
    page is ``parentname``. It has no content type column, so pages are the distinct valid
    ``.html``/``.htm``/directory URLs it fetched."""
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    broken: set[tuple[str, str]] = set()
    pages: set[str] = set()
    for row in csv.DictReader(io.StringIO("\n".join(lines)), delimiter=";"):
        url = row.get("url") or row.get("urlname") or ""
        valid = (row.get("valid") or "").strip().lower() == "true"
        if not valid and row.get("parentname"):
            broken.add((row["parentname"], url))
        elif valid and (row.get("result") or "").startswith("200") and looks_like_page(url):
            pages.add(url)
    return broken, len(pages)


def looks_like_page(url: str) -> bool:
    path = urlsplit(url).path
    return path.endswith(("/", ".html", ".htm"))


# -- broken-link-checker -------------------------------------------------------------------

_BLC_PAGE = re.compile(r"^Getting links from: (\S+)")
_BLC_BROKEN = re.compile(r"^\s*├?└?─?BROKEN─?\s*(\S+)")


def run_blc(base_url: str, *, timeout_s: float = 3600) -> PeerRun:
    """broken-link-checker recursing the site with 16 requests per host, 64 in all; it
    only prints text, so its report is captured from stdout."""
    cmd = [
        str(node_bin("blc")),
        base_url,
        "--recursive",
        "--host-requests",
        "16",
        "--requests",
        "64",
    ]
    run, stdout = _measure_stdout(cmd, timeout_s)
    broken, pages = parse_blc(stdout)
    return PeerRun("broken-link-checker", " ".join(cmd), run, broken, pages)


def parse_blc(text: str) -> tuple[set[tuple[str, str]], int]:
    broken: set[tuple[str, str]] = set()
    page = ""
    pages = 0
    for line in text.splitlines():
        started = _BLC_PAGE.match(line)
        if started:
            page, pages = started.group(1), pages + 1
            continue
        hit = _BLC_BROKEN.match(line)
        if hit and page:
            broken.add((page, hit.group(1)))
    return broken, pages


# -- linkinator ----------------------------------------------------------------------------


def run_linkinator(base_url: str, *, concurrency: int = 100, timeout_s: float = 3600) -> PeerRun:
    cmd = [
        str(node_bin("linkinator")),
        base_url,
        "--recurse",
        "--format",
        "json",
        "--concurrency",
        str(concurrency),
        "--timeout",
        "15000",
    ]
    run, stdout = _measure_stdout(cmd, timeout_s)
    broken, pages = parse_linkinator(stdout)
    return PeerRun("linkinator", " ".join(cmd), run, broken, pages)


def parse_linkinator(text: str) -> tuple[set[tuple[str, str]], int]:
    start = text.find("{")
    if start < 0:
        return set(), 0
    try:
        data = json.loads(text[start:])
    except json.JSONDecodeError:
        return set(), 0
    links = data.get("links", [])
    broken = {
        (link.get("parent") or "", link.get("url") or "")
        for link in links
        if link.get("state") == "BROKEN"
    }
    pages = {
        link.get("url")
        for link in links
        if link.get("state") == "OK" and looks_like_page(link.get("url") or "")
    }
    return broken, len(pages)


def _measure_stdout(cmd: list[str], timeout_s: float) -> tuple[Measured, str]:
    """``measure`` discards stdout; these tools report there, so it goes through a file."""
    with tempfile.NamedTemporaryFile("w+", suffix=".out", delete=False) as out:
        path = Path(out.name)
    wrapper = ["sh", "-c", 'exec "$@" > ' + _shell_quote(str(path)), "sh", *cmd]
    run = measure(wrapper, timeout_s=timeout_s)
    text = path.read_text("utf-8", "replace")
    path.unlink(missing_ok=True)
    return run, text


def _shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def main(argv: list[str]) -> int:
    if argv[1:2] == ["install"]:
        install()
    for tool, ok in installed().items():
        print(f"{tool}: {'installed' if ok else 'missing (python bench/peers.py install)'}")
    return 0 if all(installed().values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
