"""Extra article pages for benchmarks: 专题 columns with TRS pagination, ~N links per page.

Columns hold at most 1,000 articles each and get letter-only slugs (/ztzl/zta/, /ztzl/ztb/ …)
so no URL pattern repeats thousands of times across columns. Every 100th article (the
37th, 137th, …) carries one broken internal link; the truth lists each. Pages are rendered
and written one at a time (nothing kept per page), which is what keeps 20,000 pages fast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from pathlib import Path

from sampleportal.article import news_main
from sampleportal.days import ago
from sampleportal.layout import encode, render
from sampleportal.listing import Item, list_page_main, page_path, trs_pager
from sampleportal.model import PageSpec
from sampleportal.portal import Portal, file_for
from sampleportal.text import SITE_NAME, TOPICS
from sampleportal.truth import Column

PER_COLUMN = 1000
PER_PAGE = 20
SPAN_DAYS = 700
BROKEN_EVERY = 100
BROKEN_AT = 37
SHELL_LINKS = 23  # links every article already has: top bar, logo, nav, crumbs, footer, tools


def _slug(n: int) -> str:
    letters = ""
    while True:
        letters = chr(ord("a") + n % 26) + letters
        n = n // 26 - 1
        if n < 0:
            return "zt" + letters


@dataclass
class BulkColumn:
    name: str
    slug: str
    items: list[Item]

    @property
    def path(self) -> str:
        return f"/ztzl/{self.slug}/index.html"


class Bulk:
    def __init__(self, portal: Portal, count: int, links_per_page: int) -> None:
        self.portal = portal
        self.count = count
        self.related = max(3, links_per_page - SHELL_LINKS)
        self.columns: list[BulkColumn] = []

    def plan(self) -> None:
        """Decide every column and article (titles, dates, paths) and record the truth."""
        if self.count <= 0:
            return
        portal, truth = self.portal, self.portal.truth
        ncols = math.ceil(self.count / PER_COLUMN)
        sizes = [self.count // ncols + (1 if c < self.count % ncols else 0) for c in range(ncols)]
        for c, size in enumerate(sizes):
            slug = _slug(c)
            topic = TOPICS[c % len(TOPICS)]
            column = BulkColumn(f"{topic}专题（第{c + 1}辑）", slug, [])
            for j in range(size):
                date = ago(portal.as_of, 1 + c + j * SPAN_DAYS // size)
                n = 500000 + portal.next_id()
                path = f"/ztzl/{slug}/{date:%Y%m}/t{date:%Y%m%d}_{n}.html"
                column.items.append(Item(portal.text.plain_news_title(), path, date))
            self.columns.append(column)
            self._record(column)
        channel = portal.page("/ztzl/index.html")
        lis = "".join(
            f'<li><a href="{col.path}">{escape(col.name)}</a></li>' for col in self.columns
        )
        channel.extras.append(f'<div class="block"><h2>专题汇编</h2><ul>{lis}</ul></div>\n')
        truth.notes["extra_pages"] = (
            f"{self.count} extra articles in {ncols} 专题 columns (not judged, not in the home "
            f"menu), {PER_PAGE} per TRS list page, every {BROKEN_EVERY}th article (index "
            f"{BROKEN_AT} mod {BROKEN_EVERY}) has one broken internal link."
        )

    def _record(self, column: BulkColumn) -> None:
        truth = self.portal.truth
        pages = [page_path(column.path, i) for i in range(math.ceil(len(column.items) / PER_PAGE))]
        truth.pages.extend(pages)
        truth.trs_pagination_pages.extend(pages[1:])
        truth.pages.extend(it.path for it in column.items)
        truth.columns.append(
            Column(
                name=column.name,
                path=column.path,
                dir=f"/ztzl/{column.slug}/",
                parent="专题专栏",
                category=None,
                cadence_days=None,
                newest_date=str(column.items[0].date),
                first_page_items=min(PER_PAGE, len(column.items)),
                stale=False,
                blank=False,
                blank_reason=None,
                in_nav=False,
                list_pages=pages,
                style="trs_table",
                date_format="iso",
                newest_first=True,
            )
        )

    # -- writing -----------------------------------------------------------------------
    def write(self, site_dir: Path) -> None:
        made: set[Path] = set()
        serial = 0
        for column in self.columns:
            crumbs = [("首页", "/"), ("专题专栏", "/ztzl/index.html"), (column.name, column.path)]
            items = column.items
            for j, item in enumerate(items):
                self._save(site_dir, made, self._article(column, crumbs, j, item, serial))
                serial += 1
            pages = math.ceil(len(items) / PER_PAGE)
            for i in range(pages):
                path = page_path(column.path, i)
                chunk = items[i * PER_PAGE : (i + 1) * PER_PAGE]
                main = list_page_main(
                    column.name, "trs_table", chunk, path, "iso", trs_pager(pages, i, False)
                )
                spec = PageSpec(
                    path,
                    column.name,
                    [*crumbs[:-1], (column.name, None)],
                    main,
                    kind="list",
                    head_extra=['<script src="/js/trs_pager.js"></script>'],
                )
                self._save(site_dir, made, spec)

    def _article(
        self,
        column: BulkColumn,
        crumbs: list[tuple[str, str | None]],
        j: int,
        item: Item,
        serial: int,
    ) -> PageSpec:
        items = column.items
        related = [
            items[(j + k) % len(items)] for k in range(1, self.related + 1) if len(items) > 1
        ]
        lis = "".join(f'<li><a href="{it.path}">{escape(it.title)}</a></li>' for it in related)
        extras = [f'<div class="related"><h3>相关文章</h3><ul>{lis}</ul></div>\n']
        if serial % BROKEN_EVERY == BROKEN_AT:
            target = f"/ztzl/{column.slug}/old/t{serial}.html"
            extras.append(f'<p>延伸阅读：<a href="{target}">往期专题回顾</a></p>\n')
            self.portal.truth.expect(
                "broken_link",
                item.path,
                target,
                detail={"kind": "page", "status": 404, "error": None, "on_home": False},
            )
        main = news_main(
            item.title, item.date, SITE_NAME, self.portal.text.paragraphs(2), back="../index.html"
        )
        return PageSpec(item.path, item.title, crumbs, main, extras=extras)

    @staticmethod
    def _save(site_dir: Path, made: set[Path], spec: PageSpec) -> None:
        target = file_for(site_dir, spec.path)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(encode(spec, render(spec)))
