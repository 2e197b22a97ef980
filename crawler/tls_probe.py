"""Does a site's host answer over HTTPS, and is its certificate good for its name?

One TLS connection to the site's own host (the address its scan's SSRF guard vetted, with the
site's name as SNI and for the name check), verified against the system's and certifi's
trust stores, then one ``GET`` of the home page's path whose status line is read. When the
certificate fails verification the same request goes over an unverified connection, so
"HTTPS is offered" and "its certificate is bad" are told apart.

Only what the answer proves is said: a refused connection or a server that does not speak
TLS means HTTPS is not offered; a timeout, an unresolvable name or a refused address is
"cannot tell". A chain that cannot be completed from the trust store (a missing intermediate,
a national root browsers in China may carry) is reported as unverified, not as invalid.
"""

from __future__ import annotations

import datetime as dt
import socket
import ssl
from dataclasses import dataclass

import certifi

from crawler.netguard import FetchGuard, Refused

# OpenSSL's verification results (X509_V_ERR_*) that say what is wrong with the certificate.
_EXPIRED = {10}
_NOT_YET_VALID = {9}
_NAME_MISMATCH = {62, 64}  # hostname, IP address mismatch
_SELF_SIGNED = {18, 19}
_UNKNOWN_ISSUER = {2, 20, 21}
MAX_STATUS_LINE = 1024


@dataclass
class TlsAnswer:
    """``offered`` None: cannot tell (``error`` says why)."""

    host: str
    port: int
    offered: bool | None = None
    error: str | None = None  # dns | ssrf_refused | timeout | connection_refused | tls | no_answer
    status: int | None = None  # the HTTP status of the home page over TLS
    certificate: str | None = None  # valid | expired | not_yet_valid | name_mismatch |
    # self_signed | unknown_issuer | invalid
    verify_message: str | None = None  # OpenSSL's words when verification failed
    not_after: dt.datetime | None = None  # known when the certificate verified


def default_trust() -> ssl.SSLContext:
    """The system's trust store plus certifi's (what link verification trusts)."""
    context = ssl.create_default_context()
    context.load_verify_locations(certifi.where())
    return context


def _unverified() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _certificate_problem(code: int) -> str:
    for codes, word in (
        (_EXPIRED, "expired"),
        (_NOT_YET_VALID, "not_yet_valid"),
        (_NAME_MISMATCH, "name_mismatch"),
        (_SELF_SIGNED, "self_signed"),
        (_UNKNOWN_ISSUER, "unknown_issuer"),
    ):
        if code in codes:
            return word
    return "invalid"


def _request(tls: ssl.SSLSocket, host: str, port: int, path: str) -> int | None:
    """One GET; the status of the answer, None when no HTTP status line came back."""
    authority = host if port == 443 else f"{host}:{port}"
    tls.sendall(
        f"GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: govpatrol\r\n"
        "Accept: text/html\r\nConnection: close\r\n\r\n".encode("ascii", "ignore")
    )
    head = b""
    while b"\r\n" not in head and len(head) < MAX_STATUS_LINE:
        chunk = tls.recv(MAX_STATUS_LINE)
        if not chunk:
            break
        head += chunk
    parts = head.split(b"\r\n", 1)[0].split()
    if len(parts) >= 2 and parts[0].startswith(b"HTTP/") and parts[1].isdigit():
        return int(parts[1])
    return None


def _status_or_none(tls: ssl.SSLSocket, host: str, port: int, path: str) -> int | None:
    try:
        return _request(tls, host, port, path)
    except OSError:  # the handshake was done: HTTPS is there, the page did not answer
        return None


def _connect(address: str, port: int, timeout: float) -> socket.socket:
    return socket.create_connection((address, port), timeout=timeout)


def probe_tls(
    host: str,
    port: int,
    path: str,
    guard: FetchGuard,
    *,
    timeout: float = 15.0,
    trust: ssl.SSLContext | None = None,
) -> TlsAnswer:
    """HTTPS on ``host:port``: offered or not, and what its certificate is worth."""
    answer = TlsAnswer(host, port)
    try:
        addresses = guard.vet(host)
    except Refused:
        answer.error = "ssrf_refused"
        return answer
    except socket.gaierror:
        answer.error = "dns"
        return answer
    address = str(addresses[0])
    trust = trust or default_trust()
    try:
        with (
            _connect(address, port, timeout) as raw,
            trust.wrap_socket(raw, server_hostname=host) as tls,
        ):
            answer.certificate = "valid"
            cert = tls.getpeercert() or {}
            if cert.get("notAfter"):
                seconds = ssl.cert_time_to_seconds(str(cert["notAfter"]))
                answer.not_after = dt.datetime.fromtimestamp(seconds, dt.UTC)
            answer.status = _status_or_none(tls, host, port, path)
    except ssl.SSLCertVerificationError as exc:
        answer.certificate = _certificate_problem(exc.verify_code)
        answer.verify_message = exc.verify_message
        answer.status = _unverified_status(answer, address, timeout, path)
    except TimeoutError:
        answer.error = "timeout"
        return answer
    except ConnectionRefusedError:
        answer.offered, answer.error = False, "connection_refused"
        return answer
    except (ssl.SSLError, ConnectionResetError):
        # the port answers, but not with TLS (or hangs up on the handshake)
        answer.offered, answer.error = False, "tls"
        return answer
    except OSError:
        answer.error = "connection_error"
        return answer
    if answer.status is None:
        answer.error = answer.error or "no_answer"
        return answer
    answer.offered = True
    return answer


def _unverified_status(answer: TlsAnswer, address: str, timeout: float, path: str) -> int | None:
    """The home page's status over a connection that does not check the certificate."""
    try:
        with (
            _connect(address, answer.port, timeout) as raw,
            _unverified().wrap_socket(raw, server_hostname=answer.host) as tls,
        ):
            return _request(tls, answer.host, answer.port, path)
    except OSError:
        return None
