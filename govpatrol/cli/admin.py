"""``govpatrol sites import`` and ``govpatrol sites template``: an office's organisation tree,
sites, schedules and webmasters from one sheet (docs/administration.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from govpatrol.cli.common import err_console, fail, session
from govpatrol.cli.outcome import EXIT_NOT_STARTED
from govpatrol.core import atomic

console = Console()


def sites_import(
    file: Annotated[Path, typer.Argument(help="xlsx 或 csv 文件 (an xlsx or csv file)")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只列出将发生的变化，不写入 (show, write nothing)")
    ] = False,
    lang: Annotated[str, typer.Option("--lang", help="zh 或 en (language of messages)")] = "zh",
) -> None:
    """从表格导入组织机构、网站、扫描时间和网站管理员。Import the org tree, sites and webmasters.

    全部行通过校验才导入，任何错误都不导入任何内容；重复导入同一文件只做更新。
    All rows are checked first: one error imports nothing. Re-importing updates in place.
    退出码：0 成功（或预览）；2 文件有错误，未导入。"""
    from govpatrol.admin.importer import import_file

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise fail(f"无法读取 {file}：{exc.strerror or exc}") from None
    with session() as db:
        result = import_file(db, file.name, data, dry_run=dry_run)
    if not result.ok:
        for problem in result.problems:
            err_console.print(problem.text(lang), highlight=False, markup=False, soft_wrap=True)
        raise fail(result.summary(lang), EXIT_NOT_STARTED)
    for change in result.changes:
        console.print(change.text(lang), highlight=False, markup=False, soft_wrap=True)
    console.print(result.summary(lang), highlight=False, markup=False)
    if result.written:
        err_console.print(
            "运行中的调度器会在下一次同步时采用新的扫描时间 "
            "(a running scheduler takes the new schedules at its next sync)",
            highlight=False,
        )


def sites_template(
    file: Annotated[Path, typer.Argument(help="要写出的 .xlsx 或 .csv 文件")],
    lang: Annotated[str, typer.Option("--lang", help="表头语言 zh 或 en (header language)")] = "zh",
) -> None:
    """写出导入表格的模板（含示例行）。Write the import template (with example rows)."""
    from govpatrol.admin.sheet import SheetError, template

    try:
        data = template(file.name, lang)
    except SheetError as exc:
        raise fail(exc.problems[0].text(lang)) from None
    atomic.write_bytes(file, data)
    console.print(f"模板已写入 {file}（示例行请替换为本单位的内容）", highlight=False)


def register(sites_app: typer.Typer) -> None:
    sites_app.command("import")(sites_import)
    sites_app.command("template")(sites_template)
