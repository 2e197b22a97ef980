"""``govpatrol prune``: apply the retention policy (govpatrol.core.retention) by hand; the
scheduler runs it daily."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def prune(
    keep: Annotated[
        int | None,
        typer.Option(
            "--keep", help="每个网站保留最近几次扫描的页面数据（默认 GOVPATROL_KEEP_SCANS）"
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只列出将删除的内容，不删除 (show, delete nothing)")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
) -> None:
    """清理旧扫描的页面级数据，保留发现项和得分。Prune page rows of old scans (findings and
    scores are kept)."""
    from govpatrol.core.db import session_scope
    from govpatrol.core.retention import prune as apply_policy

    if keep is not None and keep < 1:
        err_console.print("[bold red]错误[/]: --keep 至少为 1（下次扫描需要上一次的页面）")
        raise typer.Exit(2)
    with session_scope() as db:
        result = apply_policy(db, keep=keep, dry_run=dry_run)
    if as_json:
        console.print_json(json.dumps(result.to_dict()))
        return
    verb = "将删除" if dry_run else "已删除"
    console.print(
        f"{verb} {len(result.scans)} 次扫描的页面数据，共 {result.total_rows} 行"
        f"（每个网站保留最近 {result.keep} 次扫描）"
        + (" — 演练，未删除任何内容 (dry run)" if dry_run else ""),
        highlight=False,
    )
    for table, rows in result.rows.items():
        console.print(f"  {table}: {rows}", highlight=False)
    if result.scans:
        console.print("扫描 (scans): " + ", ".join(f"#{i}" for i in result.scans), highlight=False)


def register(app: typer.Typer) -> None:
    app.command("prune")(prune)
