"""``govpatrol worker``: one node of a scan cluster (Celery on Redis, store on PostgreSQL).

``register(app)`` adds the command to the main CLI; ``python -m govpatrol.cli.worker`` runs
it alone. A worker takes scans from the queue, runs ``--concurrency`` of them at once (each
in its own process, like the single-machine dispatcher) and watches the cluster for scans
whose worker died (``scheduler.cluster.Watchdog``).
"""

from __future__ import annotations

import logging
import socket
import uuid
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

err_console = Console(stderr=True)


def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency", "-c", help="同时运行的扫描数（默认 GOVPATROL_SCAN_WORKERS 或 2）"
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="节点名称（默认 govpatrol-<随机>@主机名）")
    ] = None,
    loglevel: Annotated[str, typer.Option("--loglevel", help="日志级别")] = "INFO",
    stale_after: Annotated[
        float | None,
        typer.Option(
            "--stale-after",
            help="心跳停止多少秒后判定节点失联（默认 GOVPATROL_STALE_AFTER_S 或 120）",
        ),
    ] = None,
) -> None:
    """运行扫描工作节点（需 GOVPATROL_BROKER_URL）。Run a scan worker of a Celery cluster."""
    from govpatrol.cli.db import require_current_schema
    from govpatrol.core.extras import MissingExtra, require
    from govpatrol.core.settings import broker_url, database_url, settings

    try:  # Celery and its Redis client come with the [cluster] extra
        require("celery", "工作节点 (govpatrol worker)")
        require("redis", "工作节点 (govpatrol worker)")
    except MissingExtra as exc:
        err_console.print(f"[bold red]错误[/]: {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    from scheduler.celery_app import make_celery, queue_name
    from scheduler.celery_dispatch import CeleryDispatcher
    from scheduler.cluster import Watchdog

    if not broker_url():
        err_console.print(
            "[bold red]错误[/]: 未设置 GOVPATROL_BROKER_URL（例如 redis://127.0.0.1:6379/0）",
            highlight=False,
        )
        raise typer.Exit(2)
    if concurrency is None:
        concurrency = settings().scan_workers
    if concurrency < 1:
        err_console.print("[bold red]错误[/]: --concurrency 必须大于 0", highlight=False)
        raise typer.Exit(2)
    logging.basicConfig(level=loglevel.upper(), format="%(asctime)s %(name)s %(message)s")
    db_url = database_url()
    require_current_schema(db_url)  # workers never change the schema: `govpatrol db upgrade`
    app = make_celery()
    node = name or f"govpatrol-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    dispatcher = CeleryDispatcher(app=app)
    watchdog = Watchdog(
        db_url,
        dispatcher.submit,
        pending=dispatcher.pending,
        stale_after=stale_after,
        node=node,
        concurrency=concurrency,
    ).start()
    err_console.print(
        f"工作节点 {node}：队列 {queue_name()}，并发 {concurrency} (worker started)",
        highlight=False,
    )
    try:
        # Threads, not prefork: each scan already runs in its own process; a pool thread
        # only waits on it (and on its claim), as the single-machine dispatcher does.
        app.worker_main(
            [
                "worker",
                "--pool=threads",
                f"--concurrency={concurrency}",
                f"--hostname={node}",
                f"--loglevel={loglevel}",
                f"--queues={queue_name()}",
                "--without-gossip",
                "--without-mingle",
            ]
        )
    finally:
        watchdog.stop()


def register(app: typer.Typer) -> None:
    """Add ``worker`` to the main CLI."""
    app.command("worker")(worker)


def main() -> None:  # pragma: no cover - console entry point
    cli = typer.Typer()
    register(cli)
    cli()


if __name__ == "__main__":  # pragma: no cover
    main()
