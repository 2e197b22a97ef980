"""Misbehaving web servers on 127.0.0.1 for the fault tests.

``http.server`` cannot misbehave on purpose (drip a body byte by byte, lie about its length,
speak HTTP/1.0 without a length, never stop sending), so a route here gets the raw socket and
writes whatever bytes the fault needs. Every endless or slow route watches the server's stop
event and a hard cap, so a client that never hangs up cannot keep a test thread alive.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import socketserver
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

# Long-running routes end after this long whatever the client does.
MAX_ROUTE_S = 30.0
Headers = Iterable[tuple[str, str]]


@dataclass
class Request:
    """What a route needs to answer: the request line, the headers and the raw socket."""

    method: str
    path: str
    version: str
    headers: dict[str, str]
    sock: socket.socket
    stop: threading.Event

    def send(self, data: bytes) -> bool:
        """Write bytes; False once the client has gone (the route should end)."""
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def respond(
        self,
        status: int,
        body: bytes = b"",
        headers: Headers = (),
        *,
        version: str = "HTTP/1.1",
        length: bool = True,
    ) -> None:
        """A whole answer; ``length=False`` leaves out Content-Length (close-delimited)."""
        lines = [f"{version} {status} {_REASONS.get(status, 'Unknown')}"]
        lines += [f"{name}: {value}" for name, value in headers]
        if length:
            lines.append(f"Content-Length: {len(body)}")
        lines.append("Connection: close")
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    def html(self, text: str, *, charset: str = "utf-8", status: int = 200) -> None:
        self.respond(
            status,
            text.encode(charset, "xmlcharrefreplace"),
            [("Content-Type", f"text/html; charset={charset}")],
        )


Route = Callable[[Request], None]
_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found"}


@dataclass
class Hit:
    method: str
    path: str
    at: float


class _Handler(socketserver.BaseRequestHandler):
    server: _TCPServer

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(10)
        try:
            head = _read_head(sock)
        except OSError:
            return
        if head is None:
            return
        if head == "not-http":
            # a TLS handshake (or other noise) on a plain port: answer as a web server does
            with suppress(OSError):
                sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        method, path, version, headers = head
        self.server.owner.hits.append(Hit(method, path, time.monotonic()))
        request = Request(method, path, version, headers, sock, self.server.owner.stop_event)
        route = self.server.owner.route_for(urlsplit(path).path)
        with suppress(OSError):
            route(request)

    def finish(self) -> None:
        with suppress(OSError):
            self.request.shutdown(socket.SHUT_RDWR)


def _read_head(sock: socket.socket) -> tuple[str, str, str, dict[str, str]] | str | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
        if not data[:1].isalpha():
            return "not-http"
        if len(data) > 1 << 20:
            return None
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    request_line, *header_lines = head.split("\r\n")
    parts = request_line.split(" ")
    if len(parts) != 3:
        return None
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return parts[0], parts[1], parts[2], headers


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, owner: LoopbackServer, tls: ssl.SSLContext | None) -> None:
        self.owner = owner
        self.tls = tls
        super().__init__((owner.address, 0), _Handler)

    def get_request(self) -> tuple[socket.socket, object]:
        sock, address = super().get_request()
        if self.tls is None:
            return sock, address
        # The handshake happens in the handler thread (on first read), so a client that
        # never completes it cannot block the accept loop.
        return self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-answer is what these tests provoke; stay quiet."""


@dataclass
class LoopbackServer:
    """A server on 127.0.0.1 (or another loopback address) answering each path with its
    route (404 for unknown paths)."""

    routes: dict[str, Route]
    tls: ssl.SSLContext | None = None
    fallback: Route | None = None  # for paths not in ``routes`` (404 when None)
    address: str = "127.0.0.1"
    hits: list[Hit] = field(default_factory=list)
    stop_event: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        if not ipaddress.ip_address(self.address).is_loopback:
            raise ValueError(f"test servers listen on loopback only, not {self.address}")
        self._server = _TCPServer(self, self.tls)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def host(self) -> str:
        return f"{self.address}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}/"

    def route_for(self, path: str) -> Route:
        return self.routes.get(path, self.fallback or not_found)

    def requested(self, path: str) -> int:
        return sum(1 for hit in self.hits if urlsplit(hit.path).path == path)

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


# -- routes -------------------------------------------------------------------------------------


def not_found(request: Request) -> None:
    request.html("<html><head><title>404</title></head><body>页面不存在</body></html>", status=404)


def page(html: str, *, charset: str = "utf-8") -> Route:
    return lambda request: request.html(html, charset=charset)


def raw(status: int, body: bytes, headers: Headers = (), **options: object) -> Route:
    return lambda request: request.respond(status, body, list(headers), **options)  # type: ignore[arg-type]


def redirect(location: str, status: int = 302) -> Route:
    return raw(status, b"", [("Location", location)])


def drip(byte_every_s: float = 0.2, content_type: str = "text/html") -> Route:
    """Headers at once, then one byte of HTML now and then: a server that never finishes."""

    def route(request: Request) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: 100000\r\n\r\n"
        if not request.send(head.encode() + b"<html><head><title>slow</title>"):
            return
        deadline = time.monotonic() + MAX_ROUTE_S
        while time.monotonic() < deadline and not request.stop.wait(byte_every_s):
            if not request.send(b" "):
                return

    return route


def endless(chunk: bytes = b"<p>" + "无穷无尽".encode() * 2000 + b"</p>\n") -> Route:
    """A close-delimited HTML body that never ends (until the client hangs up)."""

    def route(request: Request) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>"
        if not request.send(head):
            return
        deadline = time.monotonic() + MAX_ROUTE_S
        while time.monotonic() < deadline and not request.stop.is_set():
            if not request.send(chunk):
                return

    return route


def delayed(route: Route, delay_s: float) -> Route:
    """``route`` answered after ``delay_s`` (a slow server; cut short when the server stops)."""

    def slow(request: Request) -> None:
        if not request.stop.wait(delay_s):
            route(request)

    return slow


def serve(
    routes: dict[str, Route],
    *,
    tls: ssl.SSLContext | None = None,
    fallback: Route | None = None,
    address: str = "127.0.0.1",
) -> LoopbackServer:
    return LoopbackServer(routes, tls, fallback, address=address)


@contextmanager
def servers(*items: LoopbackServer) -> Iterator[tuple[LoopbackServer, ...]]:
    started: list[LoopbackServer] = []
    try:
        for item in items:
            started.append(item.__enter__())
        yield tuple(started)
    finally:
        for item in reversed(started):
            item.__exit__(None, None, None)


# -- a self-signed certificate ------------------------------------------------------------------


def self_signed_context(folder: Path | None = None) -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate for 127.0.0.1 (made with
    ``cryptography``): no client trusts it, which is the point."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    folder = folder or Path(tempfile.mkdtemp(prefix="govpatrol-tls-"))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context
