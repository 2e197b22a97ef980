"""``govpatrol holidays check FILE`` and ``holidays list``: the State Council's holiday notices
an office loads (govpatrol/core/holidays.py) and which years the working-day counts cover.

``check`` reads one file with the same validation the counts use, so a file that passes here
is used as written; ``list`` shows each covered year with its source, the files that were
refused, and the years a deadline would be counted on weekdays alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from govpatrol.cli.common import fail
from govpatrol.core.clock import office_today
from govpatrol.core.holidays import HolidayFileError, read_notice
from govpatrol.core.workdays import (
    YearSource,
    notice_problems,
    reload,
    uncovered_soon,
    year_sources,
)

holidays_app = typer.Typer(help="国务院节假日安排文件 (holiday notice files)", no_args_is_help=True)
console = Console()


@holidays_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="节假日安排文件（TOML）", show_default=False)],
) -> None:
    """检查一个节假日安排文件。Validate one holiday notice file."""
    try:
        notice = read_notice(file)
    except HolidayFileError as exc:
        raise fail(str(exc)) from None
    off = notice.days_off()
    weekday_off = sum(1 for d in off if d.weekday() < 5)
    console.print(
        f"{escape(str(file))}: {notice.year} 年 · {escape(notice.source_text())} · "
        f"放假 {len(notice.holidays)} 段共 {len(off)} 天（其中工作日 {weekday_off} 天）· "
        f"调休上班 {len(notice.workdays)} 天 — 格式正确 (valid)",
        highlight=False,
        soft_wrap=True,
    )


@holidays_app.command("list")
def list_years(
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
) -> None:
    """列出有官方节假日安排的年份及来源。List the years the working-day counts cover."""
    reload()  # a file edited a moment ago is read now, not after the recheck interval
    sources = year_sources()
    problems = list(notice_problems())
    warn = uncovered_soon(office_today())
    if as_json:
        rows = [
            {"year": s.year, "kind": s.kind, "source": s.text,
             "path": str(s.path) if s.path else None, "url": s.url}
            for s in sources
        ]  # fmt: skip
        out = {"years": rows, "problems": problems, "uncovered_soon": warn}
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    table = Table("年份 year", "来源 source", "文件 file")
    for run in _runs(sources):
        first, last = run[0], run[-1]
        years = str(first.year) if first is last else f"{first.year}–{last.year}"
        table.add_row(years, escape(first.text), escape(str(first.path or "")))
    console.print(table)
    for problem in problems:
        console.print(f"[bold red]未采用[/] {escape(problem)}", highlight=False, soft_wrap=True)
    for year in warn:
        console.print(
            f"[bold yellow]注意[/] {year} 年没有官方节假日安排：该年的工作日期限仅按周一至周五计算，"
            f"未经确认 (no holiday arrangement for {year}: weekday-only counts)",
            highlight=False,
            soft_wrap=True,
        )


def _runs(sources: tuple[YearSource, ...]) -> list[list[YearSource]]:
    """Consecutive years of the library on one row; each notice file on its own."""
    runs: list[list[YearSource]] = []
    for s in sources:
        last = runs[-1][-1] if runs else None
        joins = last is not None and last.kind == s.kind == "chinese_calendar"
        if joins and last is not None and last.year + 1 == s.year:
            runs[-1].append(s)
        else:
            runs.append([s])
    return runs


def register(app: typer.Typer) -> None:
    app.add_typer(holidays_app, name="holidays")
