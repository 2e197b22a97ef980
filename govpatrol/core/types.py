"""What a check is: a small object with a page-level and/or a site-level hook.

Page hooks run on every parsed HTML page during the crawl, in the crawl's page-check process
(``scan/page_checks.py``), and yield records: ``FindingData`` or store rows (``ListPage``,
``Document`` …) that the crawl stores and site hooks read back after it. A page hook keeps
no state between pages and must return picklable records. Site hooks run once per scan,
after link verification.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from govpatrol.core.settings import Thresholds

if TYPE_CHECKING:
    import lxml.html
    from sqlmodel import Session

    from govpatrol.core.models import Scan, Site


@dataclass
class FindingData:
    """A finding before it is stored. ``key`` holds what identifies it across scans."""

    check: str
    page: str
    message: str
    severity: str | None = None  # None: the spec's default (govpatrol/core/findings/)
    target: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    key: tuple[str, ...] = ()  # extra identity parts (rule id, column key …) for the fingerprint

    def fingerprint(self, site_url: str) -> str:
        return fingerprint(site_url, self.check, self.page, self.target or "", *self.key)


def fingerprint(*parts: str) -> str:
    """Stable across scans: derived only from what identifies the problem, never from dates."""
    joined = "\x1f".join(parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:32]


@dataclass
class LinkRef:
    """A link target seen on a page."""

    # absolute, canonical, without fragment; or as written for an address no browser can
    # open (``govpatrol.core.urls.malformed_link``), a broken link whatever the server says
    url: str
    text: str = ""
    tag: str = "a"
    attr: str = "href"
    fragment: str | None = None


@dataclass
class ParsedPage:
    """One crawled HTML page, parsed once and handed to every page hook."""

    url: str  # canonical URL requested
    final_url: str  # after redirects
    status: int
    headers: dict[str, str]
    encoding: str
    text: str  # decoded HTML
    tree: lxml.html.HtmlElement
    title: str
    depth: int
    is_home: bool
    # None until the page checks' first step extracts them (scan.page_checks.page_shape):
    # in a crawl with a check worker that happens in the worker, off the crawl's core
    links: list[LinkRef] | None
    content_hash: str
    referrer: str | None = None
    nav_text: str | None = None  # the link text that led here (for column naming)
    template_key: str | None = None  # DOM-skeleton hash, set by the crawler


@dataclass
class CheckedPage:
    """What the checks made of one page: its links, template, anchors and kind, the
    findings, and the store rows (as the model class and its column values, cheap to send
    between processes)."""

    links: list[LinkRef] = field(default_factory=list)
    template_key: str | None = None
    anchors: list[str] = field(default_factory=list)
    kind: str | None = None
    findings: list[FindingData] = field(default_factory=list)
    rows: list[tuple[type, dict[str, Any]]] = field(default_factory=list)
    errors: int = 0


@dataclass
class ScanContext:
    """What hooks know about the scan they run in."""

    scan_id: int
    site_id: int
    site_url: str
    site_name: str
    as_of: dt.date
    thresholds: Thresholds = field(default_factory=Thresholds)
    site_config: dict[str, Any] = field(default_factory=dict)
    is_portal: bool = False
    is_government: bool = False
    browser: bool = True  # False when run with --no-browser
    address_zone: str = "public"  # the site's registered zone: what its SSRF guard allows
    extra_hosts: tuple[str, ...] = ()  # the site's other hosts (host[:port]), part of the site
    # finding id → the ``detail.allow_key`` values of the site's findings people marked false
    # positive (scoring.states.allow_lists): a check that writes allow_key stays quiet about
    # the same problem on every page of the site, not only on the page that was marked
    allowed: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class SiteContext(ScanContext):
    """A ScanContext plus the store, for site-level hooks."""

    session: Session | None = None
    scan: Scan | None = None
    site: Site | None = None


Record = "FindingData | SQLModel"


class Check:
    """Base class: subclasses name the finding ids they emit (each one specified in
    govpatrol/core/findings/) and override one or both hooks. checks/table.py lists them."""

    name: ClassVar[str] = ""
    findings: ClassVar[tuple[str, ...]] = ()
    # A frozen dataclass whose fields are exactly the thresholds the check reads (as a Scrapy
    # component reads its own settings); None for a check that reads none.
    options_type: ClassVar[type[Any] | None] = None

    def options(self, ctx: ScanContext) -> Any:
        """The check's typed view of the scan's thresholds. Built on each call rather than
        cached: it is a handful of getattr, and a check keeps no state between pages (a page
        hook may run in another process)."""
        if self.options_type is None:
            raise TypeError(f"{type(self).__name__} declares no options_type")
        # lazy, as the models above are: site_settings imports SQLModel
        from govpatrol.core.site_settings import options_of

        return options_of(ctx.thresholds, self.options_type)

    def on_page(self, page: ParsedPage, ctx: ScanContext) -> Iterable[Any]:
        return ()

    def on_site(self, ctx: SiteContext) -> Iterable[Any]:
        return ()


def iter_records(records: Iterable[Any] | None) -> Iterator[Any]:
    yield from records or ()
