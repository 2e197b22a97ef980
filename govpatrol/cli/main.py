"""The ``govpatrol`` command line."""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlmodel import Session, func, select

from govpatrol import __version__
from govpatrol.cli.admin import register as register_admin_commands
from govpatrol.cli.common import err_console, fail, org_by_name, session, site_by_ref
from govpatrol.cli.db import register as register_db_commands
from govpatrol.cli.demo import DEFAULT_PORT
from govpatrol.cli.holidays import register as register_holiday_commands
from govpatrol.cli.inspect import register as register_inspect_command
from govpatrol.cli.outcome import (
    EXIT_CONDITION,
    EXIT_INCOMPLETE,
    EXIT_INTERRUPTED,
    FailOn,
    exit_code,
)
from govpatrol.cli.prune import register as register_prune_command
from govpatrol.cli.reports import register as register_report_commands
from govpatrol.cli.stdout import STDOUT_PATH, stdout_reserved, write_stdout
from govpatrol.cli.web import register as register_web_commands
from govpatrol.cli.worker import register as register_worker_commands
from govpatrol.core import atomic
from govpatrol.core.clock import BadTimezone, office_zone
from govpatrol.core.completeness import checks_ran, is_complete
from govpatrol.core.models import Finding, Org, Scan, ScanStatus, Site
from govpatrol.core.settings import CHROMIUM_PATH, SettingsError
from govpatrol.core.urls import host_of, in_scope, scope_for
from scan.preflight import BadInput, normalise_site_url, probe_home
from scan.site_policy import SiteNotAllowed, record_zone, registered_as, site_zone
from scheduler.scan_queue import ScanAlreadyActive, start_scan

app = typer.Typer(
    help="govpatrol — 政务网站巡检 (Chinese government website monitor)", no_args_is_help=True
)
orgs_app = typer.Typer(help="组织机构 (organisations)", no_args_is_help=True)
sites_app = typer.Typer(help="网站 (sites)", no_args_is_help=True)
app.add_typer(orgs_app, name="orgs")
app.add_typer(sites_app, name="sites")

console = Console()


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"govpatrol {__version__}")
        raise typer.Exit()


@app.callback()
def global_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="显示版本并退出 (version)"
        ),
    ] = False,
) -> None:
    """govpatrol — 政务网站巡检 (Chinese government website monitor)"""
    try:  # a mistyped zone or setting is refused before it could date a scan or schedule a job
        office_zone()
    except (BadTimezone, SettingsError) as exc:
        raise fail(str(exc)) from None


def parse_as_of(value: str | None, lang: str = "zh") -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        if lang == "en":
            raise fail(f"--as-of needs a YYYY-MM-DD date, got {value!r}", lang=lang) from None
        raise fail(f"--as-of 需要 YYYY-MM-DD 格式的日期，收到 {value!r}") from None


def find_or_register_site(db: Session, url: str, name: str | None, zone: str) -> Site:
    """The site registered under ``url`` (in any spelling of it), or a new one in ``zone``
    for an ad-hoc scan. An ad-hoc site is kept (its scans need a site) but inactive: the
    scheduler only takes active sites, so a one-off scan never puts a site on the weekly
    schedule. ``govpatrol sites add`` or the dashboard makes it a monitored site."""
    site = registered_as(db, url)
    if site is None:
        site = Site(name=name or url, url=url, address_zone=zone, active=False)
        db.add(site)
        db.commit()
        db.refresh(site)
        record_zone(site, "CLI (govpatrol scan)")
    return site


def moved_home(site_url: str, final_url: str, hosts: tuple[str, ...] = ()) -> str | None:
    """Where a home page led, when its redirects ended on a host that is neither the site's
    nor one of its ``hosts`` (``http://x.gov.cn/`` to ``https://www.x.gov.cn/``), else None.
    The crawl's scope is those hosts, so scanning such a site would leave every page of the
    real site out of scope: the scan would read the home page alone and judge that as the site."""
    if in_scope(final_url, scope_for(site_url, hosts)):
        return None
    try:
        return normalise_site_url(final_url)
    except BadInput:
        return None


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
    from scan.pipeline import run_scan

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
            raise fail(
                f"扫描 #{scan.id} 已中断，已保存的结果标记为 partial", EXIT_INTERRUPTED
            ) from None
        update(done)
        return done


def print_summary(db: Session, scan: Scan, out: Console | None = None) -> None:
    """The scan's findings per check and its verdict, on ``out`` (stdout by default)."""
    from govpatrol.core.findings import SPECS

    out = out or console

    table = Table(title=f"扫描 #{scan.id} 结果 ({scan.status})", show_lines=False)
    table.add_column("检查项 (check)")
    table.add_column("发现数", justify="right")
    rows = db.exec(
        select(Finding.check, func.count())
        .where(Finding.scan_id == scan.id)
        .group_by(Finding.check)
    ).all()
    for check_id, count in sorted(rows, key=lambda r: -r[1]):
        info = SPECS.get(check_id)
        table.add_row(f"{info.title_zh if info else check_id} ({check_id})", str(count))
    stats = scan.stats or {}
    out.print(table)
    out.print(
        f"页面 {stats.get('pages', 0)} · 链接目标 {stats.get('link_targets', 0)} · 发现 {stats.get('findings', 0)}",
        highlight=False,
    )
    if scan.score and not is_complete(scan):
        ran = "、".join(sorted(checks_ran(scan))) or "无"
        out.print(
            f"本次扫描不完整或仅部分检查（运行完成的检查：{ran}），不作为网站结论",
            highlight=False,
        )
    elif scan.score:
        points = scan.score.get("points")
        titles = {i.get("id"): i.get("title_zh") for i in scan.score.get("indicators") or []}
        vetoes = "、".join(titles.get(v) or v for v in scan.score.get("vetoes") or []) or "无"
        out.print(
            f"结论：[bold]{scan.score.get('verdict')}[/]  得分 {points}  单项否决：{vetoes}",
            highlight=False,
        )
    if scan.error:
        err_console.print(f"[yellow]注意[/]: {scan.error}", highlight=False)


def export_document(db: Session, scan_id: int) -> dict:
    from reports.export import export_json

    return export_json(db, scan_id)


def export_text(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


@app.command()
def scan(
    url: Annotated[str, typer.Argument(help="网站首页地址 (site home page URL)")],
    max_pages: Annotated[int | None, typer.Option("--max-pages", help="最多抓取页面数")] = None,
    json_file: Annotated[
        Path | None,
        typer.Option(
            "--json", help="把发现写入 JSON 文件（- 写到标准输出，其他输出都转到标准错误）"
        ),
    ] = None,
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
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="供 CI 使用：单项否决(veto)/不合格(fail)/有任何发现(finding) 时以退出码 3 结束",
        ),
    ] = None,
) -> None:
    """扫描一个网站（默认运行全部检查）。Scan one site with every registered check.

    退出码 (exit codes)：0 扫描完成且 --fail-on 条件不成立；1 扫描失败或不完整；2 扫描未能开始
    （输入错误、首页无法访问、该网站正在扫描）；3 --fail-on 条件成立；130 被中断。

    未登记的网站只做这一次扫描，不会加入每周计划（用 govpatrol sites add 登记）。"""
    to_stdout = json_file is not None and str(json_file) == STDOUT_PATH
    if json_file is not None and not to_stdout:
        refusal = unwritable_reason(json_file)
        if refusal is not None:  # said now, not after an hour of scanning
            raise fail(refusal)
    if to_stdout:
        with stdout_reserved():
            done = _scan(url, max_pages, as_of, no_browser, name, only, settings)
    else:
        done = _scan(url, max_pages, as_of, no_browser, name, only, settings)
    with session() as db:
        export = export_document(db, done.id) if json_file or fail_on else None
        if to_stdout:
            write_stdout(export_text(export) + "\n")
        elif json_file:
            try:
                atomic.write_text(json_file, export_text(export))
            except OSError as exc:
                raise fail(
                    f"无法写入 {json_file}：{exc.strerror or exc}；扫描 #{done.id} 已保存，可用 "
                    f"govpatrol export {done.id} --format json 导出 (cannot write the export)",
                    EXIT_INCOMPLETE,
                ) from None
            err_console.print(f"JSON 已写入 {json_file}", highlight=False)
        print_summary(db, done, err_console if to_stdout else console)
    code = exit_code(done.status, fail_on, export)
    if fail_on is not None and code != 0:
        reason = "条件成立" if code == EXIT_CONDITION else "扫描不完整，无法判断"
        err_console.print(f"--fail-on {fail_on.value}：{reason}（退出码 {code}）", highlight=False)
    if code:
        raise typer.Exit(code)


def unwritable_reason(path: Path) -> str | None:
    """Why the ``--json`` file could not be written, or None. Checked before the scan: the
    export is written at its end, and a scan of a large site takes hours."""
    if path.is_dir():
        return f"--json 指向一个目录：{path} (--json names a directory)"
    folder = path.resolve().parent
    while not folder.exists():  # the export creates missing folders: the first one there decides
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        return f"--json 文件无法写入：{path}（{folder} 不可写）(cannot write there)"
    return None


def _scan(
    url: str,
    max_pages: int | None,
    as_of: str | None,
    no_browser: bool,
    name: str | None,
    only: str | None,
    settings: list[str] | None,
) -> Scan:
    """Validate, register (ad hoc when new), run the scan with a progress bar on stderr."""
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
    moved = (
        moved_home(known.url, home.final_url, tuple(known.extra_hosts or ()))
        if known
        else moved_home(site_url, home.final_url)
    )
    # a registered site's address is the office's; an ad-hoc one (inactive) only a typed URL
    if moved is not None and known is not None and known.active:
        raise fail(
            f"网站 #{known.id} 的首页重定向到 {moved}，其主机不属于本站登记的主机，扫描只能读到首页；"
            f"请在管理后台把 {host_of(moved)} 加入本站的其他主机，或改为登记 {moved} "
            "(the home page redirects to a host the site does not include)"
        )
    if moved is not None:
        err_console.print(
            f"首页重定向到另一主机，改为扫描 {escape(moved)}"
            f"（{escape(site_url)} redirects to another host）",
            highlight=False,
        )
        site_url = moved
        with session() as db:
            known = registered_as(db, site_url)
        zone = known.address_zone if known else registration_zone(site_url)
    if max_pages is not None and max_pages < 1:
        raise fail("--max-pages 必须大于 0")
    from scan.pipeline import reap_stale_scans

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
    if not site.active:
        err_console.print(
            f"[dim]{escape(site.url)} 未登记为定期巡检网站：本次为临时扫描，不加入每周计划"
            "（govpatrol sites add 可登记）[/]",
            highlight=False,
        )
    err_console.print(f"开始扫描 {site.name} <{site.url}>（扫描 #{new_scan.id}）", highlight=False)
    return _run_with_progress(new_scan)


def _parse_thresholds(pairs: list[str]) -> dict[str, Any]:
    """``--set name=value`` pairs as typed thresholds, checked as the dashboard checks a
    site's thresholds (``Thresholds.typed``)."""
    from govpatrol.core.settings import Thresholds

    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise fail(f"--set 需要 名称=值 的形式，收到 {pair!r}")
        overrides[key.strip()] = value.strip()
    try:
        return Thresholds.typed(overrides)
    except ValueError as exc:
        raise fail(f"阈值设置无效：{exc}") from None


def _parse_only(value: str | None) -> list[str] | None:
    from checks.table import check_names

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
    port: Annotated[int, typer.Option("--port", help="示例网站端口（127.0.0.1）")] = DEFAULT_PORT,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="跳过浏览器无障碍检测")] = False,
    settings: Annotated[
        list[str] | None,
        typer.Option("--set", help="覆盖阈值，如 --set link_timeout_s=5（可重复）"),
    ] = None,
    serve: Annotated[
        bool,
        typer.Option("--serve", help="只在本机重新启动已生成的示例网站（Ctrl-C 停止），不扫描"),
    ] = False,
) -> None:
    """生成示例门户网站，在本机启动并扫描，写出周报。Serve the sample portal, scan it, write its report.

    可重复运行：同一数据库里是同一个示例网站，周报据此区分新发现与仍存在的问题。"""
    from govpatrol.cli.demo import run_demo

    portal_dir = directory.resolve()
    if serve:
        _serve_demo(portal_dir, port)
        return
    overrides = _parse_thresholds(settings or [])
    browser = not no_browser and Path(CHROMIUM_PATH).exists()
    if not no_browser and not browser:
        err_console.print(
            f"[yellow]注意[/]: 未找到 {CHROMIUM_PATH}，跳过浏览器检测（make install 会安装它）"
        )
    # the sample portal is served from a thread of this process: crawling here too would
    # make the two share one interpreter lock
    result = run_demo(
        portal_dir,
        port=port,
        browser=browser,
        thresholds=overrides,
        run=lambda scan: _run_with_progress(scan, crawl_in_process=False),
    )
    with session() as db:
        print_summary(db, result.scan)
    console.print(f"示例网站：{result.base_url}（已停止）", highlight=False)
    console.print(f"周报 (weekly report)：[bold]{result.report}[/]", highlight=False)
    console.print(f"JSON 导出：{result.export}", highlight=False)
    again = ["govpatrol", "demo", "--serve"]
    if directory != Path("demo-portal"):
        again += ["--dir", str(portal_dir)]
    if result.port != DEFAULT_PORT:
        again += ["--port", str(result.port)]
    console.print(
        f"再次打开示例网站 (serve it again)：{escape(shlex.join(again))}", highlight=False
    )


def _serve_demo(portal_dir: Path, port: int) -> None:
    """Serve the portal the last demo generated, until Ctrl-C or SIGTERM."""
    from govpatrol.cli.demo import DemoNotGenerated, serve_demo

    try:
        with serve_demo(portal_dir, port) as base_url:
            console.print(f"示例网站：{base_url}（Ctrl-C 停止）", highlight=False)
            console.file.flush()
            _wait_for_stop()
    except DemoNotGenerated as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"无法在 127.0.0.1:{port} 启动示例网站：{exc.strerror or exc}") from None


def _wait_for_stop() -> None:
    """Block until Ctrl-C or SIGTERM (how a service manager stops it)."""
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(3600):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


@app.command("run-scan", hidden=True)
def run_scan_command(scan_id: int) -> None:
    """Run an already created scan (used by the dispatcher's subprocesses)."""
    from scan.pipeline import run_scan

    done = run_scan(scan_id)
    raise typer.Exit(0 if done.status != ScanStatus.failed else 1)


# -- orgs and sites ----------------------------------------------------------------------------


@orgs_app.command("add")
def orgs_add(
    name: str,
    parent: Annotated[str | None, typer.Option("--parent", help="上级组织名称")] = None,
) -> None:
    """新增组织机构。Add an organisation (optionally under a parent)."""
    with session() as db:
        if db.exec(select(Org).where(Org.name == name)).first():
            raise fail(f"组织 {name!r} 已存在")
        parent_id = org_by_name(db, parent).id if parent else None
        org = Org(name=name, parent_id=parent_id)
        db.add(org)
        db.commit()
        console.print(f"已添加组织 #{org.id} {name}", highlight=False)


@orgs_app.command("list")
def orgs_list(
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
) -> None:
    """列出组织机构树。List organisations as a tree.

    --json：每个组织 {id, name, parent_id, parent}（docs/administration.md）。"""
    with session() as db:
        orgs = list(db.exec(select(Org).order_by(Org.name)))
    if as_json:
        names = {org.id: org.name for org in orgs}
        rows = [
            {"id": o.id, "name": o.name, "parent_id": o.parent_id, "parent": names.get(o.parent_id)}
            for o in sorted(orgs, key=lambda o: o.id or 0)
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
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
    """登记网站（加入每周巡检）。Register a site for the weekly schedule.

    临时扫描过的网站（govpatrol scan 未登记的网址）在此登记后保留其扫描历史。"""
    try:
        site_url = normalise_site_url(url)
    except BadInput as exc:
        raise fail(str(exc)) from None
    schedule = _parse_cron(cron)
    with session() as db:
        site = registered_as(db, site_url)
        if site is not None and site.active:
            raise fail(f"网站 {site_url} 已登记（网站 #{site.id} {site.url}）")
        # an ad-hoc or removed site becomes a monitored one, its scan history kept
        earlier = site is not None
        site = site or Site(url=site_url, name=name)
        site.name = name
        site.org_id = org_by_name(db, org).id if org else None
        site.is_portal, site.is_government = portal, government
        site.extra_hosts = list(extra_host or [])
        site.path_prefix = path_prefix
        site.schedule_cron = schedule
        site.address_zone = registration_zone(site_url)
        site.active = True
        db.add(site)
        db.commit()
        record_zone(site, "CLI (govpatrol sites add)")
        kept = "（保留此前的扫描记录）" if earlier else ""
        console.print(
            f"已登记网站 #{site.id} {name} <{site_url}>（地址范围 address zone: "
            f"{site.address_zone}）{kept}",
            highlight=False,
        )


def _parse_cron(value: str | None) -> str | None:
    """A site's scan schedule, checked by the scheduler's own parser (as the dashboard
    checks it): five fields, minute hour day month weekday, on the office's clock."""
    from scheduler.jobs import cron_trigger

    cron = (value or "").strip() or None
    if cron is not None:
        try:
            cron_trigger(cron)
        except ValueError as exc:
            raise fail(f"--cron 扫描时间无效 (invalid cron)：{exc}") from None
    return cron


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
    for column in (
        "#",
        "名称",
        "网址",
        "地址范围",
        "组织",
        "正式结论",
        "得分",
        "依据扫描",
        "最近扫描",
    ):
        table.add_column(column)
    for row in rows:
        official, latest = row["official"], row["latest_scan"]
        table.add_row(
            str(row["id"]),
            row["name"],
            row["url"],
            row["address_zone"],
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
    from scoring.scans import as_of, official_scan
    from scoring.scores import points_of

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
        "address_zone": site.address_zone,
        "active": site.active,
        "org_id": site.org_id,
        "org": org.name if org else None,
        "schedule_cron": site.schedule_cron,
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
        row = site_by_ref(db, site)
        row.active = False
        db.add(row)
        db.commit()
        console.print(f"已注销网站 #{row.id} {row.name}", highlight=False)


register_web_commands(app)
register_admin_commands(sites_app)
register_db_commands(app)
register_worker_commands(app)
register_prune_command(app)
register_report_commands(app, session=session, fail=fail, console=console, site_by_ref=site_by_ref)
register_inspect_command(app, fail=fail, parse_as_of=parse_as_of)
register_holiday_commands(app)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
