"""The dispatcher of a cluster: ``submit`` puts the scan id on the Celery queue and returns.

``get_dispatcher`` chooses it when ``GOVPATROL_BROKER_URL`` is set. The scan then runs on
whichever ``govpatrol worker`` takes the message first; the web app and the scheduler keep
no child processes, so ``shutdown`` has nothing to stop: scans already handed over run to
their end on the workers (``interrupt`` cannot reach them, and is accepted for the
dispatcher protocol only).
"""

from __future__ import annotations

import logging

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
