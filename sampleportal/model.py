"""What a generated page is before it is rendered: content plus the knobs traps turn.

Generation plans every page first and renders last, so planting a trap (a broken link, a
missing ``lang``, a GBK encoding) is a small edit to a planned page, and the truth is
written from the same objects the HTML comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Crumb = tuple[str, str | None]  # (name, path or None for the current page)


@dataclass
class PageSpec:
    path: str  # site path: "/" or "/xxgk/tzgg/index.html"
    title: str  # heading; the <title> is "title - site" unless html_title is set
    crumbs: list[Crumb] = field(default_factory=list)
    main: str = ""  # HTML of the main content
    kind: str = "article"  # home | channel | list | article | document | special
    extras: list[str] = field(default_factory=list)  # planted snippets, end of main content
    head_extra: list[str] = field(default_factory=list)
    body_end: list[str] = field(default_factory=list)
    sidebar: str = ""
    nav: str | None = None  # None: the standard channel bar
    footer_extra: str = ""
    footer_omit: tuple[str, ...] = ()  # identity items the footer leaves out (layout.IDENTITY)
    lang: str | None = "zh-CN"  # None: no lang attribute at all
    html_title: str | None = None  # "" → no <title> element
    meta: str | None = '<meta charset="utf-8">'  # the charset declaration, None for none
    encoding: str = "utf-8"  # how the bytes are encoded
    bom: bool = False
    in_pages: bool = True  # a correct crawl fetches it with 200 text/html
    date: str | None = None  # ISO date the page shows as published (articles)
