"""What the command modules share: the error line and its exit code, a store session, and
finding a site or an organisation from what a person typed."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape
from sqlmodel import Session, select

from govpatrol.cli.outcome import EXIT_NOT_STARTED
from govpatrol.core.db import get_engine
from govpatrol.core.models import Org, Site
from govpatrol.core.schema import SchemaNotCurrent
from scan.preflight import BadInput, normalise_site_url

err_console = Console(stderr=True)


def fail(message: str, code: int = EXIT_NOT_STARTED, *, lang: str = "zh") -> typer.Exit:
    """Print the one error line (``message`` in ``lang``) and return the exit to raise."""
    word = "Error" if lang == "en" else "错误"
    err_console.print(f"[bold red]{word}[/]: {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def session() -> Session:
    try:
        engine = get_engine()
    except SchemaNotCurrent as exc:  # behind (a shared store) or newer than this code
        raise fail(str(exc)) from None
    return Session(engine, expire_on_commit=False)


def org_by_name(db: Session, name: str) -> Org:
    org = db.exec(select(Org).where(Org.name == name)).first()
    if org is None:
        raise fail(f"没有名为 {name!r} 的组织（先用 govpatrol orgs add 创建）")
    return org


def site_by_ref(db: Session, ref: str) -> Site:
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
