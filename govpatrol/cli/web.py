"""The commands for the long-running parts: ``serve`` (dashboard + scheduler), ``scheduler``
(the schedule alone), and ``users add/edit/list``. ``register(app)`` adds them to the main CLI."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import select

console = Console()
err_console = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]错误[/]: {message}", highlight=False)
    return typer.Exit(2)


def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口")] = 8000,
    no_scheduler: Annotated[
        bool,
        typer.Option("--no-scheduler", help="不在本进程运行调度器（另有 govpatrol scheduler）"),
    ] = False,
) -> None:
    """启动管理后台（内含调度器）。Run the dashboard with the scheduler inside."""
    import uvicorn

    from dashboard.app import create_app
    from govpatrol.cli.db import require_current_schema

    require_current_schema()  # a web process never changes the schema: `govpatrol db upgrade`
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app(with_scheduler=not no_scheduler)
    err_console.print(f"管理后台：http://{host}:{port}/", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)


def scheduler() -> None:
    """只运行调度器（每周扫描、每小时探测、周一报告）。Run the scheduler alone.

    同一数据库上只有一个调度器工作：其余的待命，在前者停止后接管。
    One scheduler per store works at a time; others stand by and take over when it stops."""
    import signal
    import threading

    from govpatrol.cli.db import require_current_schema
    from scheduler.jobs import LeasedScheduler
    from scheduler.window import WindowError, configured_window

    # A setting that cannot be read is named before the store is looked at.
    try:
        configured_window()
    except WindowError as exc:
        raise _fail(f"GOVPATROL_SCAN_WINDOW: {exc}") from None
    require_current_schema()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()
    # Ctrl-C and SIGTERM only ask the loop below to end, so neither can land half-way
    # through starting the lease keeper and leave its threads behind.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    service = LeasedScheduler().start()  # the window was read above
    try:
        err_console.print(
            f"调度器 {service.holder} 已启动；若另有调度器在运行则待命，按 Ctrl-C 停止 "
            "(scheduler started, standing by while another one holds the lease; Ctrl-C stops it)",
            highlight=False,
        )
        while not stop.wait(1.0):  # a bounded wait: the signal handlers run in between
            pass
    finally:
        service.shutdown()
        err_console.print("调度器已停止 (scheduler stopped)")


users_app = typer.Typer(help="用户 (users)", no_args_is_help=True)


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[str, typer.Option("--role", help="admin | supervisor | webmaster")],
    org: Annotated[
        str | None, typer.Option("--org", help="所属组织名称（上级主管单位必填）")
    ] = None,
    site: Annotated[
        list[str] | None, typer.Option("--site", help="负责的网站（编号、名称或网址，可多次）")
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="电子邮件：周报发到这里 (weekly reports go here)")
    ] = None,
    password: Annotated[
        str | None, typer.Option("--password", help="密码（不填则提示输入）")
    ] = None,
) -> None:
    """新增用户。Add a user (the password is prompted for unless given)."""
    # The main CLI's look-ups, so --org and --site accept what `sites`/`orgs` commands do.
    from govpatrol.cli.common import org_by_name, site_by_ref
    from govpatrol.core.auth import AccountError, create_user, normalise_email
    from govpatrol.core.db import session_scope

    try:  # checked before the password prompt, which a typo would otherwise waste
        email = normalise_email(email)
    except AccountError as exc:
        raise _fail(str(exc)) from None
    with session_scope() as db:
        org_id = org_by_name(db, org).id if org else None
        site_ids = [site_by_ref(db, ref).id for ref in site or []]
        if password is None:
            password = typer.prompt("密码 (password)", hide_input=True, confirmation_prompt=True)
        try:
            user = create_user(
                db, username, password, role, org_id=org_id, site_ids=site_ids, email=email
            )
        except AccountError as exc:
            raise _fail(str(exc)) from None
    console.print(f"已添加用户 #{user.id} {user.username}（{user.role}）", highlight=False)


@users_app.command("edit")
def users_edit(
    username: str,
    role: Annotated[
        str | None, typer.Option("--role", help="admin | supervisor | webmaster")
    ] = None,
    org: Annotated[
        str | None, typer.Option("--org", help='所属组织名称；空字符串表示无 ("" for none)')
    ] = None,
    site: Annotated[
        list[str] | None,
        typer.Option("--site", help="负责的网站，替换原有的（可多次） (replaces the sites)"),
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help='电子邮件；空字符串表示删除 ("" removes it)')
    ] = None,
    password: Annotated[
        bool, typer.Option("--password", help="设置新密码（提示输入） (prompt for a new one)")
    ] = False,
) -> None:
    """修改用户：只改给出的项。Edit a user: only the options given change."""
    from govpatrol.cli.common import org_by_name, site_by_ref
    from govpatrol.core.auth import ROLES, AccountError, normalise_email, set_password
    from govpatrol.core.db import session_scope
    from govpatrol.core.models import User

    with session_scope() as db:
        user = db.exec(select(User).where(User.username == username.strip())).first()
        if user is None:
            raise _fail(f"没有用户 {username!r} (no such user)")
        try:
            if role is not None:
                if role not in ROLES:
                    raise AccountError(f"角色必须是 {'/'.join(ROLES)} 之一 (unknown role {role!r})")
                user.role = role
            if org is not None:
                user.org_id = org_by_name(db, org).id if org.strip() else None
            if email is not None:
                user.email = normalise_email(email)
            if user.role == "supervisor" and user.org_id is None:
                raise AccountError("上级主管单位用户必须指定组织 (a supervisor needs --org)")
            if password:
                set_password(
                    user,
                    typer.prompt("新密码 (password)", hide_input=True, confirmation_prompt=True),
                )
            site_ids = [site_by_ref(db, ref).id for ref in site] if site is not None else None
        except AccountError as exc:
            raise _fail(str(exc)) from None
        db.add(user)
        db.flush()
        if site_ids is not None or user.role != "webmaster":
            from govpatrol.core.models import UserSite

            wanted = set(site_ids or []) if user.role == "webmaster" else set()
            for link in db.exec(select(UserSite).where(UserSite.user_id == user.id)):
                if link.site_id not in wanted:
                    db.delete(link)
                wanted.discard(link.site_id)
            for site_id in sorted(wanted):
                db.add(UserSite(user_id=user.id, site_id=site_id))
        db.commit()
    console.print(f"已保存用户 #{user.id} {user.username}（{user.role}）", highlight=False)


def user_rows() -> list[dict]:
    """Every user as ``users list --json`` prints it (docs/administration.md): no password
    hash, no token hash, only whether the user has an API token."""
    from govpatrol.core.db import session_scope
    from govpatrol.core.models import Org, Site, User, UserSite

    with session_scope() as db:
        orgs = {o.id: o.name for o in db.exec(select(Org))}
        sites = {s.id: s for s in db.exec(select(Site))}
        links: dict[int, list[int]] = {}
        for link in db.exec(select(UserSite)):
            links.setdefault(link.user_id, []).append(link.site_id)
        return [
            {
                "id": user.id,
                "username": user.username,
                "role": user.role,
                "email": user.email,
                "org_id": user.org_id,
                "org": orgs.get(user.org_id) if user.org_id else None,
                "sites": [
                    {"id": sid, "name": sites[sid].name, "url": sites[sid].url}
                    for sid in sorted(links.get(user.id, []))
                    if sid in sites
                ],
                "has_api_token": user.api_token_hash is not None,
            }
            for user in db.exec(select(User).order_by(User.username))
        ]


@users_app.command("list")
def users_list(
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
) -> None:
    """列出用户。List users with their role, organisation, e-mail and sites."""
    import json

    rows = user_rows()
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title="用户 (users)")
    for column in ("#", "用户名", "角色", "组织", "邮箱", "网站", "API 令牌"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["username"],
            row["role"],
            row["org"] or "",
            row["email"] or "",
            "、".join(s["name"] for s in row["sites"]),
            "有" if row["has_api_token"] else "",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``serve``, ``scheduler`` and ``users`` to the main CLI."""
    app.command("serve")(serve)
    app.command("scheduler")(scheduler)
    app.add_typer(users_app, name="users")
