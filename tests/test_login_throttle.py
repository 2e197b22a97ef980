"""The login throttle under attack, over real HTTP (uvicorn on 127.0.0.1, httpx).

Issue #18 part 3: the limit was checked before the slow password hash and the failure
recorded after it, so 40 guesses sent at once were all checked and the right one signed in.
Here every password check is held until the test lets it go (the real check then runs),
which is the widest window a slow hash can give; no more than the limit of 5 may ever be
inside it. And the client the throttle counts is the socket peer unless the peer is a
trusted reverse proxy (GOVPATROL_TRUSTED_PROXIES), so a forged X-Forwarded-For changes nothing.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from dashboard import account
from dashboard.app import TRUSTED_PROXIES_ENV, create_app
from dashboard.server import BackgroundServer
from govpatrol.core.auth import create_user
from govpatrol.core.db import get_engine
from govpatrol.core.settings import SettingsError, settings
from tests.polling import wait_for

PASSWORD = "correct-horse-9"
GUESSES = 39  # and the right password: 40 sign-ins at once
HOLD_S = 60.0  # a held check goes on by itself after this, so nothing waits forever


@contextmanager
def dashboard(tmp_path: Path, proxies: list[str] | None = None) -> Iterator[str]:
    db_url = f"sqlite:///{tmp_path / 'govpatrol.db'}"
    with Session(get_engine(db_url)) as session:
        create_user(session, "wm", PASSWORD, "admin")
    app = create_app(db_url, secret_key="k" * 48, dispatch=lambda scan_id: None, proxies=proxies)
    with BackgroundServer(app) as server:
        yield server.url


def _token(client: httpx.Client) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert match
    return match.group(1)


def _sign_in(client: httpx.Client, password: str, token: str, forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    data = {"username": "wm", "password": password, "csrf_token": token}
    return client.post("/login", data=data, headers=headers).status_code


class HeldChecks:
    """Wraps the login's password check: counts each one and holds it until released."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.started = 0
        self.release = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.started += 1
        self.release.wait(HOLD_S)
        return self.real(*args, **kwargs)


def test_forty_concurrent_guesses_check_at_most_five_passwords(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TRUSTED_PROXIES_ENV, raising=False)
    checks = HeldChecks(account.authenticate)
    monkeypatch.setattr(account, "authenticate", checks)
    with dashboard(tmp_path) as url:
        clients = [httpx.Client(base_url=url, timeout=HOLD_S + 30) for _ in range(GUESSES + 1)]
        try:
            tokens = [_token(client) for client in clients]
            answers: list[int] = []
            with ThreadPoolExecutor(max_workers=GUESSES + 1) as pool:
                guesses = [
                    pool.submit(_sign_in, clients[i], f"guess-{i}", tokens[i])
                    for i in range(GUESSES)
                ]
                # every guess is either inside a password check or already answered
                wait_for(
                    lambda: checks.started + sum(g.done() for g in guesses) >= GUESSES,
                    "the guesses to be checked or answered",
                )
                right = pool.submit(_sign_in, clients[-1], PASSWORD, tokens[-1])
                wait_for(
                    lambda: right.done() or checks.started > GUESSES,
                    "the right password to be answered or checked",
                )
                checks.release.set()
                answers = [g.result() for g in guesses]
                right_answer = right.result()
        finally:
            checks.release.set()
            for client in clients:
                client.close()
    assert checks.started <= 5
    assert answers.count(400) == checks.started and answers.count(429) == GUESSES - checks.started
    assert right_answer == 429  # the limit was reached before it came: not even checked


def _failures_then(url: str, forwarded: list[str | None], then: str | None) -> int:
    """Five wrong passwords, each with its X-Forwarded-For (None: no header), then one more
    wrong password with ``then``: its answer (429 when it counts as the same client)."""
    with httpx.Client(base_url=url, timeout=30) as client:
        token = _token(client)
        assert [_sign_in(client, "wrong-guess", token, f) for f in forwarded] == [400] * 5
        return _sign_in(client, "wrong-guess", token, then)


def test_a_forged_forwarded_for_from_an_untrusted_peer_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TRUSTED_PROXIES_ENV, raising=False)
    forged = [f"203.0.113.{i}" for i in range(1, 6)]
    with dashboard(tmp_path) as url:
        # each guess claims another client; the throttle still counts the socket peer
        assert _failures_then(url, forged, "198.51.100.9") == 429


def test_the_client_behind_a_trusted_proxy_is_the_forwarded_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TRUSTED_PROXIES_ENV, "10.9.9.9, 127.0.0.0/8")
    with dashboard(tmp_path) as url:
        assert _failures_then(url, ["203.0.113.7"] * 5, "203.0.113.7") == 429
        # another client behind the same proxy is counted on its own: not locked out
        with httpx.Client(base_url=url, timeout=30) as client:
            token = _token(client)
            assert _sign_in(client, "wrong-guess", token, "198.51.100.9") == 400
            assert _sign_in(client, PASSWORD, token, "198.51.100.9") == 303


def test_a_forged_forwarded_for_from_a_peer_that_is_not_the_proxy_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a proxy is configured, but this peer (127.0.0.1) is not it: the header is not read
    monkeypatch.setenv(TRUSTED_PROXIES_ENV, "10.9.9.9 192.0.2.0/24")
    forged = [f"203.0.113.{i}" for i in range(1, 6)]
    with dashboard(tmp_path) as url:
        assert _failures_then(url, forged, "198.51.100.9") == 429


def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a client writes on the left of X-Forwarded-For is its own; the proxy appends the
    address it saw on the right. Changing the left part does not make a new client."""
    monkeypatch.setenv(TRUSTED_PROXIES_ENV, "127.0.0.1")
    forged = [f"203.0.113.{i}, 198.51.100.7" for i in range(1, 6)]
    with dashboard(tmp_path) as url:
        assert _failures_then(url, forged, "192.0.2.99, 198.51.100.7") == 429
        # a chain of trusted hops is skipped: the client is the first untrusted from the right
        assert _failures_then(url, ["198.51.100.8, 127.0.0.1"] * 5, "198.51.100.8") == 429


def test_a_trusted_proxies_value_that_is_no_address_is_refused() -> None:
    with pytest.raises(SettingsError, match=TRUSTED_PROXIES_ENV):
        settings({TRUSTED_PROXIES_ENV: "10.0.0.300"})
    assert settings({TRUSTED_PROXIES_ENV: "10.0.0.1, ::1 fd00::/8"}).trusted_proxies == (
        "10.0.0.1",
        "::1",
        "fd00::/8",
    )
