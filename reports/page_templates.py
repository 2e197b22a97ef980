"""Page templates named for people: by the column their pages sit in and an example page.

The crawler groups pages by a hash of their DOM skeleton (``Page.template_key``), which means
nothing to a webmaster. Fixing a template means opening one of its pages in the CMS, so the
report names it after the column most of its pages belong to, with one of them as example.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from sqlmodel import Session, select

from govpatrol.core.models import SiteColumn
from reports.evidence import Line


def _folder(url: str) -> str:
    """``http://h/xxgk/tzgg/index.html`` → ``http://h/xxgk/tzgg/``: what a column's pages share."""
    parts = urlsplit(url)
    path = parts.path.rsplit("/", 1)[0] + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def column_of(folders: list[tuple[str, str]], page: str) -> str | None:
    """The name of the column whose folder holds ``page`` (the deepest one), if any."""
    for folder, name in folders:  # deepest first
        if page.startswith(folder) and page != folder.rstrip("/"):
            return name
    return None


def template_namer(
    session: Session,
    scan_id: int,
    pages_by_template: dict[str, list[str]],
    lang: str,
    short: Callable[[str | None], str],
) -> Callable[[str], Line | None]:
    """``template hash → «工作动态» 栏目的页面（如 /gzdt/t1.html）`` for the templates given."""
    columns = session.exec(
        select(SiteColumn.key, SiteColumn.name).where(SiteColumn.scan_id == scan_id)
    )
    folders = sorted(
        {(_folder(key), name) for key, name in columns if key and name},
        key=lambda pair: -len(pair[0]),
    )
    names: dict[str, Line] = {}
    for template, pages in pages_by_template.items():
        ordered = sorted(set(pages))
        if not ordered:
            continue
        example = short(ordered[0]) or ordered[0]
        found = Counter(c for p in ordered if (c := column_of(folders, p)) is not None)
        column = found.most_common(1)[0][0] if found else None
        if lang == "en":
            line: Line = (
                [
                    ("Pages of column “", False),
                    (column, True),
                    ("” (e.g. ", False),
                    (example, True),
                    (")", False),
                ]
                if column
                else [("Pages like ", False), (example, True)]
            )
        else:
            line = (
                [
                    ("「", False),
                    (column, True),
                    ("」栏目的页面（如 ", False),
                    (example, True),
                    ("）", False),
                ]
                if column
                else [("与 ", False), (example, True), (" 同模板的页面", False)]
            )
        names[template] = line
    return names.get


def pages_of_templates(items: Iterable[tuple[str | None, str]]) -> dict[str, list[str]]:
    """(template, page) pairs → template → its pages."""
    out: dict[str, list[str]] = {}
    for template, page in items:
        if template:
            out.setdefault(template, []).append(page)
    return out
