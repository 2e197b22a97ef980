"""``govpatrol report``, ``export`` and ``recheck``: what people take away from a scan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session, select

from govpatrol.core import atomic
from govpatrol.core.models import Org, Scan, Site
from govpatrol.core.settings import reports_dir

LANGS = ("zh", "en")
FORMATS = ("json", "csv", "xlsx")


def register(app: typer.Typer, *, session, fail, console, site_by_ref) -> None:
    """Adds the commands to ``app``; the callables come from govpatrol.cli.main."""

    def latest_scan(db: Session, site: Site) -> Scan:
        """The scan a site's report is about by default: its official (complete) one, else
        its latest, whose report says it is incomplete."""
        from scoring.scans import report_scan

        scan = report_scan(db, site.id, None)
        if scan is None:
            raise fail(f"网站 {site.name} 还没有完成的扫描（先运行 govpatrol scan）")
        return scan

    def check_lang(lang: str) -> str:
        if lang not in LANGS:
            raise fail(f"--lang 只能是 {' 或 '.join(LANGS)}")
        return lang

    @app.command()
    def report(
        site: Annotated[str | None, typer.Argument(help="网站（编号、名称或网址）")] = None,
        scan: Annotated[int | None, typer.Option("--scan", help="扫描编号（默认最近一次）")] = None,
        org: Annotated[
            str | None, typer.Option("--org", help="写组织总览（通报）而不是网站周报")
        ] = None,
        lang: Annotated[str, typer.Option("--lang", help="zh 或 en")] = "zh",
        out: Annotated[Path | None, typer.Option("--out", help="输出文件")] = None,
    ) -> None:
        """写出网站周报或组织总览（自包含 HTML）。Write a site's weekly report or an org overview."""
        from reports.org_overview import render_org_overview
        from reports.site_report import render_site_report

        check_lang(lang)
        if (site is None) == (org is None):
            raise fail("请给出一个网站，或用 --org 给出一个组织（二选一）")
        with session() as db:
            if org is not None:
                row = db.exec(select(Org).where(Org.name == org)).first()
                if row is None and org.isdigit():
                    row = db.get(Org, int(org))
                if row is None:
                    raise fail(f"没有名为 {org!r} 的组织")
                html = render_org_overview(db, row.id, lang)
                target = out or reports_dir() / f"org-{row.id}.html"
            else:
                row = site_by_ref(db, site)
                scan_row = db.get(Scan, scan) if scan else latest_scan(db, row)
                if scan_row is None or scan_row.site_id != row.id:
                    raise fail(f"扫描 #{scan} 不属于网站 {row.name}")
                html = render_site_report(db, row.id, scan_row.id, lang)
                target = out or reports_dir() / f"site-{row.id}.html"
        atomic.write_text(target, html)  # last week's report stays whole until replaced
        console.print(f"报告已写入 {target}", highlight=False)

    @app.command()
    def export(
        scan: Annotated[int, typer.Argument(help="扫描编号")],
        fmt: Annotated[
            str, typer.Option("--format", help="json、csv 或 xlsx（整改台账）")
        ] = "json",
        lang: Annotated[str, typer.Option("--lang", help="zh 或 en（csv/xlsx 的表头）")] = "zh",
        out: Annotated[Path | None, typer.Option("--out", help="输出文件")] = None,
    ) -> None:
        """导出一次扫描的发现：JSON、CSV 或 XLSX 整改台账。Export a scan's findings."""
        from reports.export import dumps, export_json, export_xlsx, write_csv

        check_lang(lang)
        if fmt not in FORMATS:
            raise fail(f"--format 只能是 {', '.join(FORMATS)}")
        with session() as db:
            if db.get(Scan, scan) is None:
                raise fail(f"没有编号为 {scan} 的扫描")
            target = out or reports_dir() / f"scan-{scan}.{fmt}"
            if fmt == "json":
                atomic.write_text(target, dumps(export_json(db, scan)))
            elif fmt == "csv":
                write_csv(db, scan, target, lang)
            else:
                export_xlsx(db, scan, target, lang)
        console.print(f"已导出 {target}", highlight=False)

    @app.command()
    def recheck(scan: Annotated[int, typer.Argument(help="扫描编号")]) -> None:
        """复查一次扫描的错链和未核实链接（确认整改）。Re-verify a scan's broken and unverified links."""
        from checks.link_recheck import recheck_scan
        from scan.pipeline import rescore

        with session() as db:
            if db.get(Scan, scan) is None:
                raise fail(f"没有编号为 {scan} 的扫描")
            summary = recheck_scan(db, scan)
            score = rescore(db, scan)
        console.print(
            f"复查 {summary.get('rechecked', 0)} 个链接目标：已修复 {summary.get('fixed', 0)}，"
            f"仍然失效 {summary.get('still_broken', 0)}，新失效 {summary.get('newly_broken', 0)}，"
            f"未核实 {summary.get('still_unverified', 0) + summary.get('now_unverified', 0)}",
            highlight=False,
        )
        console.print(f"重新评分：{score.get('verdict')} {score.get('points')} 分", highlight=False)
