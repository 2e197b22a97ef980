"""What the freshness check reads from a home page: its dated items in every block, how
many of its rows link to articles, and whether it only says 正在建设 / 暂无信息."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from extract.dates import year_from_url
from extract.linkblocks import PageInput, page_blocks, page_of
from extract.lists import ListItem, block_items
from extract.mainblock import ARTICLE_URL
from extract.placeholders import placeholder_only


@dataclass
class HomeFacts:
    """What the freshness check needs from a home page, read in one pass."""

    items: list[ListItem]  # every dated link item, all blocks, page order
    article_rows: int  # rows whose links are articles (dated or not); 0: navigation only
    placeholder: str | None  # the page only says 正在建设 / 暂无信息


def home_facts(page: PageInput, *, as_of: dt.date | None = None) -> HomeFacts:
    src = page_of(page, as_of)
    blocks = page_blocks(src, with_chrome=True)
    items: list[ListItem] = []
    for block in blocks:
        if block.dated:
            items.extend(block_items(src, block, as_of, dated_only=True))
    article_rows = sum(
        1
        for block in blocks
        for row in block.rows
        if row.parts is not None or ARTICLE_URL.search(row.href) or year_from_url(row.href)
    )
    return HomeFacts(items, article_rows, placeholder_only(src, blocks))


def page_dated_items(page: PageInput, *, as_of: dt.date | None = None) -> list[ListItem]:
    """Every dated link item on the page, all blocks, in page order (for home pages).
    An item shown in two blocks (a tab and 近期信息) counts in each."""
    return home_facts(page, as_of=as_of).items


def page_link_items(page: PageInput) -> int:
    """How many rows of link lists the page holds whose links are articles (dated
    rows, dated or article-style URLs): 0 on a home page of navigation only."""
    return home_facts(page).article_rows
