"""Login throttling: after 5 failed logins for one username from one address within 15
minutes, further attempts are refused (HTTP 429) until the oldest failure ages out. One
address is also held to 30 failures over all usernames in that window, so guessing one
common password against many accounts (password spraying) is slowed too; the limit is
high because a whole office may sign in from behind one NAT address.

Kept in memory: it slows password guessing against one running server, which is the threat
at hand; a restart forgets it, which costs an attacker a restart they cannot trigger.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


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

    def retry_after(self, username: str, address: str) -> int:
        """Seconds until another attempt is allowed; 0 when allowed now."""
        now = self.clock()
        limits = (
            (self.key(username, address), self.max_failures),
            (self.address_key(address), self.max_address_failures),
        )
        with self._lock:
            waits = [self._wait(self._recent(key, now), limit, now) for key, limit in limits]
        return max(waits)

    def _wait(self, stamps: deque[float], limit: int, now: float) -> int:
        if len(stamps) < limit:
            return 0
        return max(1, int(self.window_s - (now - stamps[-limit])) + 1)

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key in (self.key(username, address), self.address_key(address)):
                stamps = self._recent(key, now)
                stamps.append(now)
                self._failures[key] = stamps
            if len(self._failures) > self.max_keys:
                self._prune(now)

    def succeeded(self, username: str, address: str) -> None:
        """Forgets the username's failures, not the address's: signing in to one's own
        account between guesses must not reset a spraying count."""
        with self._lock:
            self._failures.pop(self.key(username, address), None)

    def _prune(self, now: float) -> None:
        """Drop aged-out keys; if a flood of distinct names still fills the table, drop the
        oldest half rather than grow without bound."""
        for key in [k for k, v in self._failures.items() if not v or now - v[-1] > self.window_s]:
            del self._failures[key]
        if len(self._failures) > self.max_keys:
            by_age = sorted(self._failures, key=lambda k: self._failures[k][-1])
            for key in by_age[: len(by_age) // 2]:
                del self._failures[key]
