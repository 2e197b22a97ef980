"""A small threaded HTTP/1.1 server for a generated portal, able to misbehave on purpose.

Static files come from ``root/site``; special behaviours from ``root/routes.json`` (written
by the generator, editable by tests before ``start``). Route kinds:

- ``status``: fixed status, body, content type and extra headers (500, 410, soft 404 …)
- ``file``: a static file with another Content-Type (GBK page with the charset in HTTP only)
- ``redirect``: status + Location; ``hops``: /hops/N.html → N+1 until ``count``, then 200
- ``head_405``: HEAD answers 405, GET serves the file
- ``rate_limit_once``: a client's first request gets 429 + Retry-After, later ones 200; a
  client is (address, User-Agent): each tool sees the 429 once per path
- ``rate_limit_always``: 429 + Retry-After every time
- ``slow``: answers only after ``delay_s`` (default 30 s; interrupted by ``stop``)
- ``calendar`` / ``session``: the dynamic crawl traps (prefix routes)

Routes marked ``"host": "external"`` answer only when the Host header is ``localhost[:port]``
— the same server plays an external site — and any other path on that host is 404. The
token ``__PORT__`` in text responses becomes the server's port.
"""

from __future__ import annotations

import contextlib
import json
import mimetypes
import socket
import threading
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote

from sampleportal.dynamic import calendar_page, session_page

TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml")
CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "application/javascript",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".wps": "application/vnd.ms-works",
    ".ofd": "application/ofd",
    ".zip": "application/zip",
}


def content_type_for(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


class Routes:
    """routes.json, indexed: exact paths per host scope, then prefixes (longest first)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.meta = data
        self.exact: dict[tuple[str, str], dict[str, Any]] = {}
        self.prefixes: list[dict[str, Any]] = []
        for route in data.get("routes", []):
            scope = route.get("host", "site")
            if "prefix" in route:
                self.prefixes.append(route)
            else:
                self.exact[(scope, route["path"])] = route
        self.prefixes.sort(key=lambda r: len(r["prefix"]), reverse=True)

    def find(self, path: str, scope: str) -> dict[str, Any] | None:
        route = self.exact.get((scope, path))
        if route is not None:
            return route
        return next(
            (
                r
                for r in self.prefixes
                if r.get("host", "site") == scope and path.startswith(r["prefix"])
            ),
            None,
        )


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # benchmarks open dozens of connections at once
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], portal: PortalServer) -> None:
        self.portal = portal
        self.connections: set[socket.socket] = set()
        self.conn_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.conn_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.conn_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Idle keep-alive connections would otherwise hold their threads after stop."""
        with self.conn_lock:
            conns = list(self.connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sampleportal/1.0"
    sys_version = ""
    timeout = 60  # an idle keep-alive connection is closed after this
    disable_nagle_algorithm = True
    server: _HTTPServer
    _server_header: str | None = None

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def version_string(self) -> str:
        return self._server_header or self.server_version

    def do_GET(self) -> None:
        self._handle(head=False)

    def do_HEAD(self) -> None:
        self._handle(head=True)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, 1 << 20))
        self._handle(head=False, allowed=False)

    # -- request -------------------------------------------------------------------------
    def _handle(self, head: bool, allowed: bool = True) -> None:
        portal = self.server.portal
        portal._log(self.command, self.path)
        raw_path, _, query = self.path.partition("?")
        if "://" in raw_path:  # absolute-form request target
            raw_path = "/" + raw_path.split("://", 1)[1].partition("/")[2]
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            raw_path = raw_path.encode("latin-1").decode("utf-8")  # raw UTF-8 in the request line
        path = unquote(raw_path)
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
        scope = "external" if host == "localhost" else "site"
        try:
            if not allowed:
                self._send(405, b"", "text/plain", head, [("Allow", "GET, HEAD")])
                return
            route = portal.routes.find(path, scope)
            if route is not None:
                self._route(route, path, query, head)
            elif scope == "external":
                self._not_found(head)
            else:
                self._static(path, head)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _route(self, route: dict[str, Any], path: str, query: str, head: bool) -> None:
        portal = self.server.portal
        kind = route["kind"]
        headers = list(route.get("headers", {}).items())
        if kind == "status":
            body = route.get("body", "").encode("utf-8")
            ctype = route.get("content_type", "text/html; charset=utf-8")
            self._send(route["status"], body, ctype, head, headers)
        elif kind == "cloak":  # search engines get a redirect, everyone else the page
            if "baiduspider" in self.headers.get("User-Agent", "").lower():
                location = route["location"].replace("__PORT__", str(portal.port))
                self._send(302, b"", "text/html", head, [("Location", location)])
            else:
                self._file(route["file"], head)
        elif kind == "file":
            self._file(route.get("file", path), head, route.get("content_type"))
        elif kind == "redirect":
            self._send(route["status"], b"", "text/html", head, [("Location", route["location"])])
        elif kind == "hops":
            self._hops(route, path, head)
        elif kind == "head_405":
            if head:
                self._send(405, b"", "text/html", head, [("Allow", "GET")])
            else:
                self._file(route["file"], head)
        elif kind == "rate_limit_once":
            client = (self.client_address[0], self.headers.get("User-Agent", ""), path)
            if portal._first_visit(client):
                self._send(
                    429,
                    b"Too Many Requests",
                    "text/plain",
                    head,
                    [("Retry-After", str(route["retry_after"]))],
                )
            else:
                self._file(route["file"], head)
        elif kind == "rate_limit_always":
            body = route.get("body", "").encode("utf-8")
            self._send(
                429,
                body,
                "text/html; charset=utf-8",
                head,
                [("Retry-After", str(route["retry_after"]))],
            )
        elif kind == "slow":
            if portal._stopping.wait(float(route.get("delay_s", 30.0))):
                self.close_connection = True  # stopped while waiting: never answer
                return
            self._send(200, route.get("body", "").encode("utf-8"), "text/html; charset=utf-8", head)
        elif kind == "calendar":
            dates = parse_qs(query).get("date")
            body = calendar_page(dates[0] if dates else None, route["default_date"])
            self._send(200, body, "text/html; charset=utf-8", head)
        elif kind == "session":
            self._send(200, session_page(path), "text/html; charset=utf-8", head)
        else:
            self._send(500, f"unknown route kind {kind}".encode(), "text/plain", head)

    def _hops(self, route: dict[str, Any], path: str, head: bool) -> None:
        name = path[len(route["prefix"]) :].removesuffix(".html")
        n = int(name) if name.isdigit() else 0
        if n < int(route["count"]):
            self._send(
                302, b"", "text/html", head, [("Location", f"{route['prefix']}{n + 1}.html")]
            )
        else:
            self._send(200, route.get("body", "").encode("utf-8"), "text/html; charset=utf-8", head)

    def _static(self, path: str, head: bool) -> None:
        self._file(path, head)

    def _file(self, path: str, head: bool, content_type: str | None = None) -> None:
        site = self.server.portal.site_dir
        target = (site / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(site) or not target.is_file():
            self._not_found(head)
            return
        # Validators as nginx makes them, so rescans can ask "changed since?" and get a 304.
        # The port is part of the ETag: ``__PORT__`` makes a page's bytes depend on it.
        info = target.stat()
        etag = f'"{int(info.st_mtime):x}-{info.st_size:x}-{self.server.portal.port:x}"'
        validators = [("ETag", etag), ("Last-Modified", formatdate(info.st_mtime, usegmt=True))]
        if self._not_modified(etag, info.st_mtime):
            self.server.portal._count_not_modified()
            self._send(304, b"", content_type or content_type_for(target.name), True, validators)
            return
        body = target.read_bytes()
        self._send(200, body, content_type or content_type_for(target.name), head, validators)

    def _not_modified(self, etag: str, mtime: float) -> bool:
        """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return "*" in tags or etag in tags
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            return int(mtime) <= int(parsedate_to_datetime(since).timestamp())
        except (TypeError, ValueError):
            return False

    def _not_found(self, head: bool) -> None:
        body = self.server.portal.routes.meta.get("not_found_body", "Not Found").encode("utf-8")
        self._send(404, body, "text/html; charset=utf-8", head)

    # -- response ------------------------------------------------------------------------
    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        head: bool,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        portal = self.server.portal
        if content_type.startswith(TEXT_TYPES) and b"__PORT__" in body:
            body = body.replace(b"__PORT__", str(portal.port).encode())
        extra = headers or []
        self._server_header = next((v for k, v in extra if k.lower() == "server"), None)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if status != 304:  # a 304 has no body; a Content-Length would describe the 200's
            self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            if name.lower() != "server":
                self.send_header(name, value)
        if portal.linkchecker_header:
            self.send_header("LinkChecker", "1")
        self.end_headers()
        if not head and body:
            self.wfile.write(body)


class PortalServer:
    """Serves a generated portal on 127.0.0.1 (context manager)."""

    def __init__(
        self,
        root: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        linkchecker_header: bool = False,
    ) -> None:
        self.root = Path(root)
        self.site_dir = (self.root / "site").resolve()
        self.host = host
        self.port = port
        self.linkchecker_header = linkchecker_header
        self.request_log: list[tuple[str, str]] = []
        self.not_modified = 0  # 304 answers to conditional requests
        self.base_url = ""
        self.routes = Routes({})
        self._log_lock = threading.Lock()
        self._visits: set[tuple[str, str, str]] = set()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> PortalServer:
        routes_file = self.root / "routes.json"
        data = json.loads(routes_file.read_text("utf-8")) if routes_file.exists() else {}
        self.routes = Routes(data)
        self._stopping.clear()
        self._httpd = _HTTPServer((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}/"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> PortalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def requests_for(self, path_prefix: str) -> list[tuple[str, str]]:
        """Logged requests whose raw path starts with ``path_prefix``."""
        with self._log_lock:
            return [entry for entry in self.request_log if entry[1].startswith(path_prefix)]

    def _log(self, method: str, path: str) -> None:
        with self._log_lock:
            self.request_log.append((method, path))

    def _count_not_modified(self) -> None:
        with self._log_lock:
            self.not_modified += 1

    def _first_visit(self, client: tuple[str, str, str]) -> bool:
        with self._log_lock:
            if client in self._visits:
                return False
            self._visits.add(client)
            return True
