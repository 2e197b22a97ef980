"""The ``govpatrol`` command line."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlmodel import Session, func, select

from govpatrol import atomic
from govpatrol.cli_reports import register as register_report_commands
from govpatrol.cli_web import register as register_web_commands
from govpatrol.cli_worker import register as register_worker_commands
from govpatrol.completeness import checks_ran, is_complete
from govpatrol.db import get_engine
from govpatrol.models import Finding, Org, Scan, ScanStatus, Site
from govpatrol.pipeline import reap_stale_scans, run_scan
from govpatrol.preflight import BadInput, normalise_site_url, probe_home
from govpatrol.settings import CHROMIUM_PATH
from govpatrol.site_policy import SiteNotAllowed, record_zone, registered_as, site_zone
from scheduler.dispatch import ScanAlreadyActive, start_scan

app = typer.Typer(
    help="govpatrol — 政务网站巡检 (Chinese government website monitor)", no_args_is_help=True
)
orgs_app = typer.Typer(help="组织机构 (organisations)", no_args_is_help=True)
sites_app = typer.Typer(help="网站 (sites)", no_args_is_help=True)
app.add_typer(orgs_app, name="orgs")
app.add_typer(sites_app, name="sites")

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(f"[bold red]错误[/]: {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def parse_as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"--as-of 需要 YYYY-MM-DD 格式的日期，收到 {value!r}") from None


def session() -> Session:
    return Session(get_engine(), expire_on_commit=False)


def find_or_register_site(db: Session, url: str, name: str | None, zone: str) -> Site:
    """The site registered under ``url`` (in any spelling of it), or a new one in ``zone``."""
    site = registered_as(db, url)
    if site is None:
        site = Site(name=name or url, url=url, address_zone=zone)
        db.add(site)
        db.commit()
        db.refresh(site)
        record_zone(site, "CLI (govpatrol scan)")
    return site


def registration_zone(url: str) -> str:
    """``site_zone`` for the operator at the command line, who registers as an admin."""
    try:
        return site_zone(url, admin=True)
    except SiteNotAllowed as exc:  # an admin is never refused today; say so if that changes
        raise fail(str(exc)) from None


# -- scan ----------------------------------------------------------------------------------


def _progress_bar() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.fields[stage]}[/]"),
        BarColumn(),
        TextColumn("页面 {task.completed:.0f}"),
        TextColumn("队列 {task.fields[queued]}"),
        TextColumn("错误 {task.fields[errors]}"),
        TextColumn("{task.fields[rate]} 页/秒"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )


STAGE_NAMES = {"crawl": "抓取", "score": "评分", None: "完成"}


def _run_with_progress(scan: Scan, *, crawl_in_process: bool = True) -> Scan:
    """Run ``scan`` with a progress bar. This command runs one scan and exits, so by
    default the crawl runs in this process rather than a second one."""
    with _progress_bar() as bar:
        task = bar.add_task("scan", total=None, stage="抓取", queued=0, errors=0, rate=0)

        def update(current: Scan) -> None:
            stats = current.stats or {}
            pages = stats.get("pages", 0)
            queued = stats.get("queued", 0)
            bar.update(
                task,
                completed=pages,
                total=pages + queued if queued else None,
                stage=STAGE_NAMES.get(current.stage, current.stage),
                queued=queued,
                errors=stats.get("errors", 0),
                rate=stats.get("pages_per_s", 0),
            )

        try:
            done = run_scan(scan.id, progress=update, crawl_in_process=crawl_in_process)
        except KeyboardInterrupt:
            raise fail(f"扫描 #{scan.id} 已中断，已保存的结果标记为 partial", 130) from None
        update(done)
        return done


def print_summary(db: Session, scan: Scan) -> None:
    from checks.registry import all_infos

    infos = all_infos()
    table = Table(title=f"扫描 #{scan.id} 结果 ({scan.status})", show_lines=False)
    table.add_column("检查项 (check)")
    table.add_column("发现数", justify="right")
    rows = db.exec(
        select(Finding.check, func.count())
        .where(Finding.scan_id == scan.id)
        .group_by(Finding.check)
    ).all()
    for check_id, count in sorted(rows, key=lambda r: -r[1]):
        info = infos.get(check_id)
        table.add_row(f"{info.title_zh if info else check_id} ({check_id})", str(count))
    stats = scan.stats or {}
    console.print(table)
    console.print(
        f"页面 {stats.get('pages', 0)} · 链接目标 {stats.get('link_targets', 0)} · 发现 {stats.get('findings', 0)}",
        highlight=False,
    )
    if scan.score and not is_complete(scan):
        ran = "、".join(sorted(checks_ran(scan))) or "无"
        console.print(
            f"本次扫描不完整或仅部分检查（运行完成的检查：{ran}），不作为网站结论",
            highlight=False,
        )
    elif scan.score:
        points = scan.score.get("points")
        titles = {i.get("id"): i.get("title_zh") for i in scan.score.get("indicators") or []}
        vetoes = "、".join(titles.get(v) or v for v in scan.score.get("vetoes") or []) or "无"
        console.print(
            f"结论：[bold]{scan.score.get('verdict')}[/]  得分 {points}  单项否决：{vetoes}",
            highlight=False,
        )
    if scan.error:
        err_console.print(f"[yellow]注意[/]: {scan.error}", highlight=False)


def write_json_export(db: Session, scan_id: int, path: Path) -> None:
    from reports.export import export_json

    data = export_json(db, scan_id)
    atomic.write_text(path, json.dumps(data, ensure_ascii=False, indent=2, default=str))


@app.command()
def scan(
    url: Annotated[str, typer.Argument(help="网站首页地址 (site home page URL)")],
    max_pages: Annotated[int | None, typer.Option("--max-pages", help="最多抓取页面数")] = None,
    json_file: Annotated[Path | None, typer.Option("--json", help="把发现写入 JSON 文件")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="以此日期为今天判断时效 (YYYY-MM-DD)")
    ] = None,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="跳过浏览器无障碍检测")] = False,
    name: Annotated[str | None, typer.Option("--name", help="网站名称")] = None,
    only: Annotated[
        str | None, typer.Option("--only", help="只运行这些检查（逗号分隔，如 links,freshness）")
    ] = None,
    settings: Annotated[
        list[str] | None,
        typer.Option("--set", help="覆盖阈值，如 --set link_timeout_s=5（可重复）"),
    ] = None,
) -> None:
    """扫描一个网站（默认运行全部检查）。Scan one site with every registered check."""
    as_of_date = parse_as_of(as_of)
    selected = _parse_only(only)
    overrides = _parse_thresholds(settings or [])
    try:
        site_url = normalise_site_url(url)
    except BadInput as exc:
        raise fail(str(exc)) from None
    with session() as db:
        known = registered_as(db, site_url)
    # a registered site is probed within its fixed zone, a new one within the zone it gets
    zone = known.address_zone if known else registration_zone(site_url)
    try:
        home = probe_home(known.url if known else site_url, zones=zone)
    except BadInput as exc:
        raise fail(str(exc)) from None
    if max_pages is not None and max_pages < 1:
        raise fail("--max-pages 必须大于 0")
    with session() as db:
        reap_stale_scans(db)
        site = find_or_register_site(db, site_url, name or home.title or None, zone)
        options: dict = {"browser": not no_browser}
        if selected is not None:
            options["checks"] = selected
        if max_pages:
            overrides["max_pages"] = max_pages
        if overrides:
            options["thresholds"] = overrides
        try:
            new_scan = start_scan(db, site, trigger="manual", as_of=as_of_date, options=options)
        except ScanAlreadyActive as exc:
            raise fail(
                f"网站 {site.name} 正在扫描（扫描 #{exc.scan_id}），同一网站的扫描不能重叠"
            ) from None
    err_console.print(f"开始扫描 {site.name} <{site.url}>（扫描 #{new_scan.id}）", highlight=False)
    done = _run_with_progress(new_scan)
    with session() as db:
        if json_file:
            write_json_export(db, done.id, json_file)
            err_console.print(f"JSON 已写入 {json_file}", highlight=False)
        print_summary(db, done)
    if done.status == ScanStatus.failed:
        raise typer.Exit(1)


def _parse_thresholds(pairs: list[str]) -> dict[str, str]:
    from govpatrol.settings import Thresholds

    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise fail(f"--set 需要 名称=值 的形式，收到 {pair!r}")
        overrides[key.strip()] = value.strip()
    try:
        Thresholds.from_overrides(overrides)
    except (TypeError, ValueError) as exc:
        raise fail(f"阈值设置无效：{exc}") from None
    return overrides


def _parse_only(value: str | None) -> list[str] | None:
    from checks.registry import check_names

    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = set(names) - set(check_names())
    if unknown:
        raise fail(f"未知的检查：{', '.join(sorted(unknown))}（可选：{', '.join(check_names())}）")
    return names


@app.command()
def demo(
    directory: Annotated[Path, typer.Option("--dir", help="示例网站生成目录")] = Path(
        "demo-portal"
    ),
    port: Annotated[int, typer.Option("--port", help="示例网站端口（127.0.0.1）")] = 8731,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="跳过浏览器无障碍检测")] = False,
) -> None:
    """生成示例门户网站，在本机启动并扫描，写出周报。Serve the sample portal, scan it, write its report."""
    from govpatrol.demo import run_demo

    browser = not no_browser and Path(CHROMIUM_PATH).exists()
    if not no_browser and not browser:
        err_console.print(
            f"[yellow]注意[/]: 未找到 {CHROMIUM_PATH}，跳过浏览器检测（make install 会安装它）"
        )
    # the sample portal is served from a thread of this process: crawling here too would
    # make the two share one interpreter lock
    result = run_demo(
        directory.resolve(),
        port=port,
        browser=browser,
        run=lambda scan: _run_with_progress(scan, crawl_in_process=False),
    )
    with session() as db:
        print_summary(db, result.scan)
    console.print(f"示例网站：{result.base_url}（已停止）", highlight=False)
    console.print(f"周报 (weekly report)：[bold]{result.report}[/]", highlight=False)
    console.print(f"JSON 导出：{result.export}", highlight=False)


@app.command("run-scan", hidden=True)
def run_scan_command(scan_id: int) -> None:
    """Run an already created scan (used by the dispatcher's subprocesses)."""
    done = run_scan(scan_id)
    raise typer.Exit(0 if done.status != ScanStatus.failed else 1)


# -- orgs and sites ----------------------------------------------------------------------------


def _org_by_name(db: Session, name: str) -> Org:
    org = db.exec(select(Org).where(Org.name == name)).first()
    if org is None:
        raise fail(f"没有名为 {name!r} 的组织（先用 govpatrol orgs add 创建）")
    return org


@orgs_app.command("add")
def orgs_add(
    name: str,
    parent: Annotated[str | None, typer.Option("--parent", help="上级组织名称")] = None,
) -> None:
    """新增组织机构。Add an organisation (optionally under a parent)."""
    with session() as db:
        if db.exec(select(Org).where(Org.name == name)).first():
            raise fail(f"组织 {name!r} 已存在")
        parent_id = _org_by_name(db, parent).id if parent else None
        org = Org(name=name, parent_id=parent_id)
        db.add(org)
        db.commit()
        console.print(f"已添加组织 #{org.id} {name}", highlight=False)


@orgs_app.command("list")
def orgs_list() -> None:
    """列出组织机构树。List organisations as a tree."""
    with session() as db:
        orgs = list(db.exec(select(Org).order_by(Org.name)))
    children: dict[int | None, list[Org]] = {}
    for org in orgs:
        children.setdefault(org.parent_id, []).append(org)

    def walk(parent: int | None, depth: int) -> None:
        for org in children.get(parent, []):
            console.print(f"{'  ' * depth}#{org.id} {org.name}", highlight=False)
            walk(org.id, depth + 1)

    if not orgs:
        console.print("（暂无组织）")
    walk(None, 0)


@sites_app.command("add")
def sites_add(
    url: str,
    name: Annotated[str, typer.Option("--name", help="网站名称")],
    org: Annotated[str | None, typer.Option("--org", help="所属组织名称")] = None,
    portal: Annotated[bool, typer.Option("--portal", help="门户网站")] = False,
    government: Annotated[
        bool, typer.Option("--government", help="政府门户（年报截止 3 月 31 日）")
    ] = False,
    extra_host: Annotated[
        list[str] | None, typer.Option("--extra-host", help="也属于本站的主机名")
    ] = None,
    path_prefix: Annotated[str, typer.Option("--path-prefix", help="只抓取此路径前缀")] = "/",
    cron: Annotated[str | None, typer.Option("--cron", help="每周扫描时间 (cron 表达式)")] = None,
) -> None:
    """登记网站。Register a site."""
    try:
        site_url = normalise_site_url(url)
    except BadInput as exc:
        raise fail(str(exc)) from None
    with session() as db:
        clash = registered_as(db, site_url)
        if clash is not None:
            raise fail(f"网站 {site_url} 已登记（网站 #{clash.id} {clash.url}）")
        org_id = _org_by_name(db, org).id if org else None
        zone = registration_zone(site_url)
        site = Site(
            name=name,
            url=site_url,
            org_id=org_id,
            is_portal=portal,
            is_government=government,
            extra_hosts=list(extra_host or []),
            path_prefix=path_prefix,
            schedule_cron=cron,
            address_zone=zone,
        )
        db.add(site)
        db.commit()
        record_zone(site, "CLI (govpatrol sites add)")
        console.print(
            f"已登记网站 #{site.id} {name} <{site_url}>（地址范围 address zone: {zone}）",
            highlight=False,
        )


@sites_app.command("list")
def sites_list(
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
) -> None:
    """列出已登记网站、正式结论及最近一次扫描。List sites with their official result and latest scan.

    正式结论来自最近一次完整扫描；不完整或仅部分检查的扫描只列为“最近扫描”。"""
    with session() as db:
        rows = [_site_listing(db, site) for site in db.exec(select(Site).order_by(Site.id))]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title="网站 (sites)")
    for column in ("#", "名称", "网址", "组织", "正式结论", "得分", "依据扫描", "最近扫描"):
        table.add_column(column)
    for row in rows:
        official, latest = row["official"], row["latest_scan"]
        table.add_row(
            str(row["id"]),
            row["name"],
            row["url"],
            row["org"] or "",
            official["verdict"] if official else "无完整扫描",
            str(official["points"]) if official else "",
            f"#{official['scan_id']} {official['as_of']}" if official else "",
            _latest_text(latest),
        )
    console.print(table)


def _site_listing(db: Session, site: Site) -> dict:
    """One site as ``sites list`` shows it: its official result (the newest complete scan)
    and its newest scan of any status."""
    from reports.scans import as_of, official_scan
    from reports.scores import points_of

    org = db.get(Org, site.org_id) if site.org_id else None
    official = official_scan(db, site.id)
    latest = db.exec(select(Scan).where(Scan.site_id == site.id).order_by(Scan.id.desc())).first()
    result = None
    if official is not None:
        points, verdict = points_of(db, official, site)
        result = {
            "scan_id": official.id,
            "verdict": verdict,
            "points": points,
            "as_of": as_of(official).isoformat(),
        }
    return {
        "id": site.id,
        "name": site.name,
        "url": site.url,
        "org": org.name if org else None,
        "official": result,
        "latest_scan": {
            "id": latest.id,
            "status": str(latest.status),
            "complete": is_complete(latest),
        }
        if latest
        else None,
    }


def _latest_text(latest: dict | None) -> str:
    if latest is None:
        return ""
    text = f"#{latest['id']} {latest['status']}"
    if latest["status"] == ScanStatus.done and not latest["complete"]:
        return text + "（仅部分检查）"
    if latest["status"] in (ScanStatus.partial, ScanStatus.failed):
        return text + "（不完整）"
    return text


@sites_app.command("remove")
def sites_remove(site: str) -> None:
    """注销网站（保留历史扫描）。Deactivate a site; its history is kept."""
    with session() as db:
        row = _site_by_ref(db, site)
        row.active = False
        db.add(row)
        db.commit()
        console.print(f"已注销网站 #{row.id} {row.name}", highlight=False)


def _site_by_ref(db: Session, ref: str) -> Site:
    row = db.get(Site, int(ref)) if ref.isdigit() else None
    if row is None:
        row = db.exec(select(Site).where((Site.url == ref) | (Site.name == ref))).first()
    if row is None:
        try:
            row = db.exec(select(Site).where(Site.url == normalise_site_url(ref))).first()
        except BadInput:
            row = None
    if row is None:
        raise fail(f"找不到网站 {ref!r}（编号、名称或网址）")
    return row


register_web_commands(app)
register_worker_commands(app)
register_report_commands(app, session=session, fail=fail, console=console, site_by_ref=_site_by_ref)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
