"""The dispatcher of a cluster: ``submit`` puts the scan id on the Celery queue and returns.

``get_dispatcher`` chooses it when ``GOVPATROL_BROKER_URL`` is set. The scan then runs on
whichever ``govpatrol worker`` takes the message first; the web app and the scheduler keep
no child processes, so ``shutdown`` has nothing to stop: scans already handed over run to
their end on the workers (``interrupt`` cannot reach them, and is accepted for the
dispatcher protocol only).
"""

from __future__ import annotations

import json
import logging
from contextlib import suppress

from celery import Celery

from scheduler.celery_app import TASK_NAME, make_celery

log = logging.getLogger(__name__)


class CeleryDispatcher:
    def __init__(
        self, broker: str | None = None, *, queue: str | None = None, app: Celery | None = None
    ) -> None:
        self.app = app or make_celery(broker, queue)

    def submit(self, scan_id: int) -> None:
        self.app.send_task(TASK_NAME, args=[scan_id], queue=self.app.conf.task_default_queue)
        log.info("scan %s queued on %s", scan_id, self.app.conf.task_default_queue)

    def shutdown(self, wait: bool = False, *, interrupt: bool = False) -> None:
        self.app.close()  # the broker connections; nothing else is held here

    def pending(self) -> set[int]:
        """The scan ids the broker holds: messages waiting in the queue, and those delivered
        to a worker but not acknowledged. A queued scan missing here has lost its message
        (``scheduler.cluster.resend_unclaimed``). Raises when the broker is unreachable."""
        import redis

        options = self.app.conf.broker_transport_options or {}
        prefix = options.get("global_keyprefix", "")
        queue = self.app.conf.task_default_queue
        client = redis.Redis.from_url(
            self.app.conf.broker_url, socket_connect_timeout=5, socket_timeout=30
        )
        try:
            # Kombu's list of the queue, and one list per priority step beside it.
            keys = [f"{prefix}{queue}", *client.scan_iter(match=f"{prefix}{queue}\x06\x16*")]
            ids: set[int] = set()
            for key in keys:
                for raw in client.lrange(key, 0, -1):
                    ids.update(_scan_ids(raw))
            for raw in client.hvals(f"{prefix}unacked"):
                with suppress(ValueError, TypeError, IndexError):
                    ids.update(_scan_ids(json.loads(raw)[0]))
            return ids
        finally:
            client.close()


def _scan_ids(message: bytes | str | dict) -> set[int]:
    """The scan id a Kombu message carries (its ``argsrepr`` header, ``[id]``)."""
    try:
        if not isinstance(message, dict):
            message = json.loads(message)
        headers = message.get("headers") or {}
        if headers.get("task") != TASK_NAME:
            return set()
        return {int(a) for a in json.loads(headers.get("argsrepr") or "[]")}
    except (ValueError, TypeError, AttributeError):
        return set()
