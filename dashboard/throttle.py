"""Login throttling: after 5 failed logins for one username from one address within 15
minutes, further attempts are refused (HTTP 429) until the oldest failure ages out. One
address is also held to 30 failures over all usernames in that window, so guessing one
common password against many accounts (password spraying) is slowed too; the limit is
high because a whole office may sign in from behind one NAT address.

An attempt is counted *before* its password is checked: ``reserve`` takes it under the lock
and counts it as a failure, and a sign-in that succeeds gives it back (``succeeded``). Were
the limit checked first and the failure recorded after the slow password hash, 40 guesses
sent at once would all pass the check before the first failure was written; reserved, no
more than 5 are ever checked. The address is the client's as the dashboard sees it: the
socket peer, or behind a trusted reverse proxy the one it forwards (``dashboard.app``).

Kept in memory: it slows password guessing against one running server, which is the threat
at hand; a restart forgets it, which costs an attacker a restart they cannot trigger.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable


class LoginThrottle:
    def __init__(
        self,
        max_failures: int = 5,
        window_s: float = 15 * 60,
        *,
        max_address_failures: int = 30,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.max_address_failures = max_address_failures
        self.window_s = window_s
        self.max_keys = max_keys
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(username: str, address: str) -> tuple[str, str]:
        return username.strip().lower(), address

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        stamps = self._failures.get(key, deque())
        while stamps and now - stamps[0] > self.window_s:
            stamps.popleft()
        return stamps

    @staticmethod
    def address_key(address: str) -> tuple[str, str]:
        return "\x00any", address  # no username is a NUL byte

    def _limits(self, username: str, address: str) -> tuple[tuple[tuple[str, str], int], ...]:
        return (
            (self.key(username, address), self.max_failures),
            (self.address_key(address), self.max_address_failures),
        )

    def retry_after(self, username: str, address: str) -> int:
        """Seconds until another attempt is allowed; 0 when allowed now."""
        now = self.clock()
        with self._lock:
            waits = [
                self._wait(self._recent(k, now), n, now) for k, n in self._limits(username, address)
            ]
        return max(waits)

    def reserve(self, username: str, address: str) -> int:
        """Take one attempt before the password is checked, atomically: 0 when taken (it
        counts as a failure from now on, unless ``succeeded`` gives it back), otherwise the
        seconds to wait, and nothing is taken."""
        now = self.clock()
        with self._lock:
            limits = self._limits(username, address)
            wait = max(self._wait(self._recent(k, now), n, now) for k, n in limits)
            if wait:
                return wait
            self._record(now, (key for key, _ in limits))
        return 0

    def _wait(self, stamps: deque[float], limit: int, now: float) -> int:
        if len(stamps) < limit:
            return 0
        return max(1, int(self.window_s - (now - stamps[-limit])) + 1)

    def failed(self, username: str, address: str) -> None:
        """Count a failure that no ``reserve`` took beforehand."""
        now = self.clock()
        with self._lock:
            self._record(now, (self.key(username, address), self.address_key(address)))

    def _record(self, now: float, keys: Iterable[tuple[str, str]]) -> None:
        for key in keys:
            stamps = self._recent(key, now)
            stamps.append(now)
            self._failures[key] = stamps
        if len(self._failures) > self.max_keys:
            self._prune(now)

    def succeeded(self, username: str, address: str) -> None:
        """Forgets the username's failures, and gives back the address the attempt its
        sign-in reserved, but not its other failures: signing in to one's own account
        between guesses must not reset a spraying count."""
        with self._lock:
            self._failures.pop(self.key(username, address), None)
            stamps = self._failures.get(self.address_key(address))
            if stamps:
                stamps.pop()  # the newest: this attempt's, or one as recent

    def _prune(self, now: float) -> None:
        """Drop aged-out keys; if a flood of distinct names still fills the table, drop the
        oldest half rather than grow without bound."""
        for key in [k for k, v in self._failures.items() if not v or now - v[-1] > self.window_s]:
            del self._failures[key]
        if len(self._failures) > self.max_keys:
            by_age = sorted(self._failures, key=lambda k: self._failures[k][-1])
            for key in by_age[: len(by_age) // 2]:
                del self._failures[key]
