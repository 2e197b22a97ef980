"""A crawled page's row while the spider fills it in, as a plain dataclass.

The spider builds one row per response and sets its fields as the page is judged (kind,
title, template, anchors …). As a ``Page`` table instance each of those steps went through
SQLAlchemy's attribute instrumentation and SQLModel's ``__setattr__``: 5 % of the crawl
process's CPU samples (py-spy, 2,000-article portal). The row is only ever written, never
loaded or queried through the ORM, so it needs none of that; the writer inserts its column
values (``BatchWriter.add_row``) exactly as it inserted the ``Page``'s.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from govpatrol.core.defaults import now


@dataclass(slots=True)
class PageRecord:
    """The columns of ``govpatrol.core.models.Page`` but its key, with the same defaults
    (``tests/test_crawl_page_record.py`` holds the two to the same columns)."""

    scan_id: int
    url: str
    final_url: str | None = None
    status: int | None = None
    content_type: str | None = None
    encoding: str | None = None
    title: str | None = None
    depth: int = 0
    referrer: str | None = None
    bytes: int = 0
    elapsed_ms: float | None = None
    content_hash: str | None = None
    template_key: str | None = None
    kind: str | None = None
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    reused_from_scan: int | None = None
    anchors: list[str] | None = None
    fetched_at: dt.datetime = field(default_factory=now)

    def values(self) -> dict[str, Any]:
        """The row's column values, for ``BatchWriter.add_row(Page, …)``."""
        return {name: getattr(self, name) for name in PAGE_RECORD_FIELDS}


PAGE_RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(PageRecord))
