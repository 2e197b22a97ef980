"""Helpers shared by the benchmarks: a fast static server on 127.0.0.1 and a process-tree
measurer (wall time, peak RSS and peak PSS summed over the process and its children).

RSS counts a page shared by two processes twice (govpatrol's crawl forks its page-check
worker, which shares most of its memory with the crawl process); PSS splits each shared
page between the processes that share it, so its sum is what the tree really occupies."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import socket
import subprocess
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
PSS_EVERY = 20  # samples: RSS every 50 ms, PSS every second


@dataclass
class Measured:
    wall_s: float
    peak_rss_mb: float
    returncode: int
    peak_pss_mb: float = 0.0
    cpu_s: float = 0.0  # user + system time of every process of the tree, as last sampled
    stderr: str = ""
    # each process's own peak RSS, MB, by "pid command": where the tree's memory went
    peak_rss_by_process: dict[str, float] = field(default_factory=dict)


def measure(
    cmd: list[str],
    *,
    env: dict[str, str] | None = None,
    timeout_s: float = 1800,
    cwd: Path | None = None,
) -> Measured:
    """Run ``cmd`` and sample the RSS and PSS of its whole process tree every 50 ms."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            cmd,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        root = psutil.Process(proc.pid)
        peak = peak_pss = 0
        cpu_by_pid: dict[int, float] = {}
        rss_by_process: dict[str, int] = {}
        samples = 0
        while proc.poll() is None:
            if time.monotonic() - start > timeout_s:
                proc.kill()
                break
            with contextlib.suppress(psutil.Error):
                procs = [root, *root.children(recursive=True)]
                # PSS comes from /proc/PID/smaps_rollup, a walk of the process's page tables
                # that would cost the measured tree a fifth of a core if done every 50 ms
                with_pss = samples % PSS_EVERY == 0
                samples += 1
                rss = pss = 0
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        times = p.cpu_times()
                        cpu_by_pid[p.pid] = times.user + times.system
                        own = p.memory_info().rss
                        rss += own
                        if own:  # not a zombie
                            label = f"{p.pid} {_short_command(p)}"
                            rss_by_process[label] = max(rss_by_process.get(label, 0), own)
                        if with_pss:
                            pss += p.memory_full_info().pss
                peak = max(peak, rss)
                if with_pss:
                    peak_pss = max(peak_pss, pss)
            time.sleep(0.05)
        wall = time.monotonic() - start
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
        if proc.returncode:
            print(stderr[-3000:])
    return Measured(
        wall_s=wall,
        peak_rss_mb=peak / 2**20,
        returncode=proc.returncode,
        stderr=stderr,
        peak_pss_mb=peak_pss / 2**20,
        cpu_s=sum(cpu_by_pid.values()),
        peak_rss_by_process={k: v / 2**20 for k, v in rss_by_process.items()},
    )


def _short_command(process: psutil.Process) -> str:
    """The interpreter-less part of a command line, cut short: ``-m scan.crawl job.json``."""
    words = process.cmdline()
    if words and Path(words[0]).name.startswith("python"):
        words = words[1:]
    return " ".join(words)[:60]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def static_server(root: Path, *, linkchecker_header: bool = False) -> Iterator[str]:
    """nginx on 127.0.0.1 when installed (what a real government server is closer to),
    else the sample portal's own server."""
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        from sampleportal.server import PortalServer

        server = PortalServer(root, linkchecker_header=linkchecker_header).start()
        try:
            yield server.base_url
        finally:
            server.stop()
        return
    header = 'add_header LinkChecker "1";' if linkchecker_header else ""
    port = free_port()
    play_server_routes(root, port)
    with nginx_server(nginx, root, [port], extra=header) as (url,):
        yield url


def play_server_routes(root: Path, port: int) -> None:
    """Make a generated portal whole for a static server on ``port``, as the sample server
    makes it at serve time: the port written into its pages where the generator left
    ``__PORT__`` (the address of the "external" host, localhost), and that host's pages
    that answer 200 written as files (nginx serves one root whatever the Host).

    Without this every page links a script at ``http://localhost:__PORT__/…``, an address
    no client can request: the peers reported it broken on every article (2026-12-07,
    precision 0.010 at 2,000 articles) while the truth, written for the sample server,
    says it works. A portal is prepared for one port; serving it on another needs a
    freshly generated portal."""
    stamp = root / "site" / ".served-port"  # inside site/, which a new generation replaces
    if stamp.exists():
        if stamp.read_text() != str(port):
            raise RuntimeError(
                f"{root} was prepared for port {stamp.read_text()}; generate it again"
            )
        return
    routes = json.loads((root / "routes.json").read_text("utf-8"))
    token = routes["port_token"].encode()
    for path in (root / "site").rglob("*"):
        if path.suffix in (".html", ".htm", ".js", ".css") and path.is_file():
            data = path.read_bytes()
            if token in data:
                path.write_bytes(data.replace(token, str(port).encode()))
    for route in routes["routes"]:
        if route.get("host") == "external" and route.get("status") == 200:
            target = root / "site" / route["path"].lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(route["body"].encode("utf-8").replace(token, str(port).encode()))
    stamp.write_text(str(port))


def wait_port(port: int, timeout_s: float = 10.0) -> None:
    """Until something listens on 127.0.0.1:``port``; an error after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout_s} s")


@contextlib.contextmanager
def nginx_server(
    nginx: str, root: Path, ports: list[int], *, extra: str = "", workers: int = 2
) -> Iterator[list[str]]:
    """One nginx serving ``root``/site on each of ``ports`` (127.0.0.1): their base URLs.
    ``extra``: directives added to the server block."""
    work = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    listen = " ".join(f"listen 127.0.0.1:{port};" for port in ports)
    # nginx's file cache keeps a descriptor open per cached file: past the process's limit
    # (20,000 here) every further page fails with 500 "Too many open files", which a
    # 50,000-article portal reached on its second pass. Half the limit leaves room for the
    # connections.
    soft_limit, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    cached_files = max(1000, min(200_000, soft_limit // 2))
    # as root nginx's workers drop to "nobody", who cannot read a private temp folder
    user = "user root;" if os.geteuid() == 0 else ""
    (work / "nginx.conf").write_text(
        textwrap.dedent(
            f"""
            {user} daemon off; worker_processes {workers}; pid {work}/nginx.pid;
            error_log {work}/error.log;
            events {{ worker_connections 4096; }}
            http {{
              access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;
              open_file_cache max={cached_files} inactive=60s;
              types {{ text/html html htm; application/pdf pdf; image/png png; text/css css;
                      application/javascript js; text/plain txt; }}
              default_type application/octet-stream; charset utf-8;
              client_body_temp_path {work}/body; proxy_temp_path {work}/proxy;
              fastcgi_temp_path {work}/fcgi; uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;
              server {{ {listen} root {root / "site"}; index index.html; {extra} }}
            }}
            """
        )
    )
    proc = subprocess.Popen([nginx, "-c", str(work / "nginx.conf"), "-e", str(work / "error.log")])
    try:
        for port in ports:
            wait_port(port)
        yield [f"http://127.0.0.1:{port}/" for port in ports]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
