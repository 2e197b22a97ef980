"""The Celery application of a govpatrol cluster: one task, ``govpatrol.run_scan(scan_id)``.

The broker (Redis, ``GOVPATROL_BROKER_URL``) only carries scan ids; everything a scan needs
and produces is in the shared store (PostgreSQL, ``GOVPATROL_DATABASE_URL``), which is also
where a scan's claim lives (``scheduler.cluster``). Hence:

- ``task_acks_late`` + ``task_reject_on_worker_lost``: a message is acknowledged when the
  scan ended, so a worker that dies holding one gives it back; the claim makes a second
  delivery harmless (a taken or ended scan is not run again).
- ``worker_prefetch_multiplier=1``: a scan lasts minutes to an hour; a worker should not
  hoard queued sites that an idle worker could start now.
- ``visibility_timeout`` above the longest scan: Redis re-delivers an unacknowledged message
  after it, which must not happen to a scan that is still running. Dead workers are found
  sooner, by the heartbeat watchdog, not by this timeout.
- results are not stored in Celery: the scan row is the result.

Every key Kombu writes to Redis carries the prefix ``<queue>:`` (``GOVPATROL_QUEUE``,
default ``govpatrol``), so a deployment (or a test run) never touches another's keys.
"""

from __future__ import annotations

from celery import Celery

from govpatrol.core.settings import broker_url, database_url, settings

TASK_NAME = "govpatrol.run_scan"
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
# The crawl's time budget is an hour; link verification, browser audits and scoring follow.
VISIBILITY_TIMEOUT_S = 4 * 3600


def queue_name() -> str:
    return settings().queue


def make_celery(broker: str | None = None, queue: str | None = None) -> Celery:
    """A Celery app on ``broker`` (default: the configured one) routing scans to ``queue``."""
    queue = queue or queue_name()
    app = Celery("govpatrol", broker=broker or broker_url() or DEFAULT_BROKER)
    app.conf.update(
        task_default_queue=queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": VISIBILITY_TIMEOUT_S,
            "global_keyprefix": f"{queue}:",
        },
    )
    app.task(name=TASK_NAME, ignore_result=True)(run_scan_task)
    return app


def run_scan_task(scan_id: int) -> str:
    """Run one scan on this worker against the worker's store; see ``cluster.execute_scan``."""
    from scheduler.cluster import execute_scan

    return execute_scan(int(scan_id), database_url())


# For ``celery -A scheduler.celery_app worker``; ``govpatrol worker`` builds its own.
app = make_celery()
