"""What government CMSs hide from plain HTML: list records and pager links built by script.

A browser runs these scripts; a crawler reading the markup sees nothing. Three families
cover most portals:

* Hanweb/大汉 JCMS ``jpage`` ships a column's first records as CDATA inside
  ``<script type="text/xml"><datastore><recordset><record>`` and loads further groups
  from ``/module/web/jpage/dataproxy.jsp``.
* TRS WCM writes its pager with ``createPageHTML(count, current, "index", "html")`` or an
  inline ``var countPage = N`` / ``currentPage`` script: pages are ``index.html``,
  ``index_1.html`` … ``index_{N-1}.html`` in the column's folder.
* Everything else numbers its pages in the URL (``Index_2.aspx``, ``list-5-2.html``,
  ``?page=2``): the pager shows a few of them and the last one, and the rest lie between.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from posixpath import basename
from urllib.parse import SplitResult, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html

from govpatrol.core.urls import absolutize

DEFAULT_MAX_PAGES = 100

_RECORD = re.compile(r"<record[^>]*>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
# createPageHTML(21, 0, "index", "html") and the newer createPageHTML('page_div', 5, 0,
# 'index', 'shtml', 74): the numeric arguments are the page count and the current page.
_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,"
    r"\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*(\d+)")
_CURRENT_PAGE = re.compile(r"\bcurrentPage\s*=\s*(\d+)")
# The first page's file as the inline pager script spells it ("index.shtml").
_PAGER_FIRST_FILE = re.compile(r"\b(index\w*)\.(s?html?|jsp|php|aspx?)\b", re.I)
_JPAGE = re.compile(r"jpage\(\{(.*?)\}\)", re.S)
_JPAGE_NUMBER = r"\b{}\s*:\s*['\"]?(\d+)"
_JPAGE_PROXY = re.compile(r"\bproxyUrl\s*:\s*['\"]([^'\"]+)['\"]")
_JPAGE_PARAMS = re.compile(r"var\s+param_\w+\s*=\s*\{(.*?)\}", re.S)
_JS_PAIR = re.compile(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([^,}\s]+))")
_LAST_NUMBER = re.compile(r"(\d+)(?!.*\d)")


def hanweb_records(html: str) -> list[str]:
    """The HTML fragments of a Hanweb ``<datastore>``, in page order (newest first)."""
    if "<record" not in html:
        return []
    return [fragment.strip() for fragment in _RECORD.findall(html)]


def trs_pagination(html: str, page_url: str, max_pages: int = DEFAULT_MAX_PAGES) -> list[str]:
    """Absolute URLs of a TRS column's other list pages, at most ``max_pages`` of them.

    Reads ``createPageHTML(count, current, name, ext)`` calls (never the function's own
    definition, whose arguments are names) and the ``countPage``/``currentPage`` form.
    """
    match = _CREATE_PAGE.search(html)
    if match:
        count, current = int(match.group(1)), int(match.group(2))
        name, ext = match.group(3), match.group(4)
    else:
        count_match = _COUNT_PAGE.search(html)
        if not count_match:
            return []
        count = int(count_match.group(1))
        current_match = _CURRENT_PAGE.search(html, max(0, count_match.start() - 400))
        current = int(current_match.group(1)) if current_match else 0
        name, ext = _pager_file(html, count_match.start(), page_url)
    return _numbered_pages(page_url, name, ext, count, current, max_pages)


def _pager_file(html: str, near: int, page_url: str) -> tuple[str, str]:
    """The pager's first-page name and extension: from its script, else from the URL."""
    window = html[near : near + 4000]
    found = _PAGER_FIRST_FILE.search(window)
    if found:
        return found.group(1).split("_")[0], found.group(2)
    stem, dot, ext = basename(urlsplit(page_url).path).partition(".")
    if dot and stem.lower().startswith("index"):
        return "index", ext
    return "index", "html"


def _numbered_pages(
    page_url: str, name: str, ext: str, count: int, current: int, max_pages: int
) -> list[str]:
    pages: list[str] = []
    for index in range(min(count, max_pages + 1)):
        if index == current:
            continue
        file = f"{name}.{ext}" if index == 0 else f"{name}_{index}.{ext}"
        pages.append(urljoin(page_url, file))
        if len(pages) >= max_pages:
            break
    return pages


def hanweb_pagination(html: str, page_url: str, max_pages: int = DEFAULT_MAX_PAGES) -> list[str]:
    """Absolute ``dataproxy.jsp`` URLs for the record groups a Hanweb page did not embed.

    The page embeds the first ``perPage * groupSize`` records; each URL here asks for the
    next group (``startrecord``/``endrecord``/``perpage`` plus the page's ``param_*``
    object). The answer is the same ``<datastore>`` XML that ``hanweb_records`` reads.
    jpage itself POSTs these parameters; JCMS answers the same query string by GET.
    """
    jpage = _JPAGE.search(html)
    if not jpage:
        return []
    options = jpage.group(1)
    total = _jpage_number(options, "totalRecord")
    per_page = _jpage_number(options, "perPage") or 15
    group = (_jpage_number(options, "groupSize") or 3) * per_page
    proxy_match = _JPAGE_PROXY.search(options)
    if not total or not proxy_match:
        return []
    params = _jpage_params(html)
    urls: list[str] = []
    for start in range(group + 1, total + 1, group):
        query = {"startrecord": start, "endrecord": min(start + group - 1, total)}
        query |= {"perpage": per_page, **params}
        urls.append(urljoin(page_url, proxy_match.group(1)) + "?" + urlencode(query))
        if len(urls) >= max_pages:
            break
    return urls


def _jpage_number(options: str, name: str) -> int | None:
    found = re.search(_JPAGE_NUMBER.format(name), options)
    return int(found.group(1)) if found else None


def _jpage_params(html: str) -> dict[str, str]:
    found = _JPAGE_PARAMS.search(html)
    if not found:
        return {}
    params: dict[str, str] = {}
    for key, single, double, bare in _JS_PAIR.findall(found.group(1)):
        params[key] = single or double or bare
    return params


def expand_numbered(urls: Iterable[str], max_pages: int = DEFAULT_MAX_PAGES) -> list[str]:
    """Fill the gaps of a numbered pager: ``Index_2 … Index_7`` plus ``Index_120`` (尾页)
    become ``Index_2 … Index_120``, at most ``max_pages`` URLs per numbering.

    URLs are grouped by their shape with the last number taken out; a group of one URL is
    kept as it is (nothing tells which numbers lie between).
    """
    groups: dict[tuple[str, str], set[int]] = {}
    singles: list[str] = []
    for url in urls:
        found = _LAST_NUMBER.search(url)
        if not found:
            singles.append(url)
            continue
        shape = (url[: found.start()], url[found.end() :])
        groups.setdefault(shape, set()).add(int(found.group(1)))
    expanded: list[str] = list(singles)
    for (head, tail), numbers in groups.items():
        if len(numbers) == 1:
            expanded.append(f"{head}{next(iter(numbers))}{tail}")
            continue
        low, high = min(numbers), max(numbers)
        high = min(high, low + max_pages - 1)
        expanded.extend(f"{head}{n}{tail}" for n in range(low, high + 1))
    return list(dict.fromkeys(expanded))


# Link texts of pagers: 下一页, 尾页, page numbers, arrows.
PAGER_WORDS = frozenset(
    [
        "首页",
        "尾页",
        "末页",
        "上一页",
        "下一页",
        "上页",
        "下页",
        "前页",
        "后页",
        "前一页",
        "后一页",
        "第一页",
        "最后一页",
        "最末页",
        "next",
        "prev",
        "previous",
        "first",
        "last",
        ">",
        "<",
        ">>",
        "<<",
        "»",
        "«",
        "›",
        "‹",
    ]
)
_PAGE_NUMBER = re.compile(r"^(?:\[?\d{1,4}\]?|第\s*\d{1,4}\s*页)$")
_WS = re.compile(r"\s+")
_ROOT_PAGE = re.compile(r"^/(?:(?:index|default|main)\.\w+)?$", re.I)


def is_pager_text(text: str) -> bool:
    """Whether a link text is a pager's (下一页, 3, [4], 第5页, »)."""
    text = text.strip()
    return text.lower() in PAGER_WORDS or _PAGE_NUMBER.match(text) is not None


def _pager_hrefs(tree: lxml.html.HtmlElement) -> Iterator[tuple[str, str, bool]]:
    """(href, text, is pager text) of the links and options a pager may consist of."""
    for anchor in tree.iter("a"):
        href = anchor.get("href")
        if not href:
            continue
        if len(anchor) == 0:
            text = (anchor.text or "").strip()
            # Empty links are kept for numbered siblings: TurboCMS hides all its pages
            # in a display:none block of text-less links.
            if not text or is_pager_text(text):
                yield href, text, bool(text)
        else:
            text = _WS.sub(" ", anchor.text_content()).strip()
            if is_pager_text(text):
                yield href, text, True
    for select in tree.iter("select"):
        values = [(option.get("value") or "").strip() for option in select.iter("option")]
        # A page jumper's options are URLs (news-list-x-2.html); a jumper of bare page
        # numbers is driven by script and tells nothing here.
        # Options count as numbered links of this column (column_key decides), never
        # as pager words: a select of sister sites has URL values too.
        if any(("/" in v or "." in v or "?" in v) for v in values[:3]):
            yield from ((value, "", False) for value in values if value)


def _numbered_extremes(
    hrefs: Iterable[tuple[str, str, bool]],
) -> Iterator[tuple[str, str, bool]]:
    """Pager entries, with the text-less numbered links cut to the lowest and highest of
    each numbering: ``expand_numbered`` restores what lies between, and a page of 200
    hidden page links costs two URL resolutions instead of 200."""
    extremes: dict[tuple[str, str], tuple[int, int]] = {}
    for href, text, is_pager in hrefs:
        if is_pager:
            yield href, text, is_pager
            continue
        found = _LAST_NUMBER.search(href)
        if found is None:
            continue
        shape = (href[: found.start()], href[found.end() :])
        number = int(found.group(1))
        low, high = extremes.get(shape, (number, number))
        extremes[shape] = (min(low, number), max(high, number))
    for (head, tail), (low, high) in extremes.items():
        for number in dict.fromkeys((low, high)):
            yield f"{head}{number}{tail}", "", False


def _same_list(url: str, here: SplitResult, folder: str) -> bool:
    parts = urlsplit(url)
    return (
        parts.netloc.lower() == here.netloc.lower()
        and parts.path.rsplit("/", 1)[0] == folder
        and not (_ROOT_PAGE.match(parts.path) and not parts.query)
    )


_FIRST_PAGE_TEXTS = frozenset({"首页", "第一页", "1", "[1]", "第1页", "first"})


def read_pager(
    tree: lxml.html.HtmlElement, page_url: str, max_pages: int = DEFAULT_MAX_PAGES
) -> tuple[list[str], str | None]:
    """(other pages of this list, the link to its first page) from its visible pager.

    Pages are pager links and page-jumper options (下一页, 2, 尾页 …) in the page's own
    folder, plus text-less links to numbered pages of the same column (``column_key``),
    with the numbered gaps filled (``expand_numbered``). The first page is the pager's
    首页/1 link when it is another page of the folder: how a later page names its column.
    """
    base = _base_href(tree, page_url)
    here = urlsplit(page_url)
    folder = here.path.rsplit("/", 1)[0]
    own_key = column_key(page_url)
    own_page = same_page_key(page_url)
    pages: list[str] = []
    pager_count = 0
    first: str | None = None
    for href, text, is_pager in _numbered_extremes(_pager_hrefs(tree)):
        try:
            url = urljoin(base, href.strip().replace("\\", "/")).split("#", 1)[0]
        except ValueError:  # ``http://[::1``: no page of this list, and no reason to fail
            continue
        if not url.startswith(("http://", "https://")) or not _same_list(url, here, folder):
            continue
        if is_pager:
            pager_count += 1
            if (
                first is None
                and text.lower() in _FIRST_PAGE_TEXTS
                and same_page_key(url) != own_page
            ):
                first = url
        if same_page_key(url) != own_page and (is_pager or column_key(url) == own_key):
            pages.append(url)
    # A lone 首页 link in the folder is the site's home, not a pager's first page.
    return expand_numbered(dict.fromkeys(pages), max_pages), first if pager_count >= 2 else None


def pager_links(
    tree: lxml.html.HtmlElement, page_url: str, max_pages: int = DEFAULT_MAX_PAGES
) -> list[str]:
    """Absolute URLs of the other pages of this list that its visible pager links to."""
    return read_pager(tree, page_url, max_pages)[0]


def pager_first_page(tree: lxml.html.HtmlElement, page_url: str) -> str | None:
    """The pager's link to page 1, when this page is a later page of its list."""
    return read_pager(tree, page_url)[1]


def _base_href(tree: lxml.html.HtmlElement, page_url: str) -> str:
    base = tree.find(".//base[@href]")
    if base is not None:
        resolved = absolutize(page_url, base.get("href") or "")
        if resolved:
            return resolved
    return page_url


# Query parameters that only select a page of a list.
PAGE_PARAMS = frozenset(
    {
        "page", "pageno", "pageindex", "pagenum", "pagenumber", "pagenow", "p", "pn", "pg",
        "curpage", "currentpage", "cur_page", "current", "start", "offset", "startrecord",
        "endrecord", "perpage", "pagesize", "page_size", "pagecount", "_",
    }
)  # fmt: skip
_DEFAULT_DOC = re.compile(r"^(?:index|default)(?:[_-]\d+)*\.(?:s?html?|jsp|aspx?|php)$", re.I)
# PHPCMS list-{catid}-{page}.html
_LIST_ID_PAGE = re.compile(r"^((?:list|more)[_-]\d+)[_-]\d+(\.\w+)$", re.I)
_NUMBERED = re.compile(r"^(?P<base>[A-Za-z][\w-]*?[A-Za-z])[_-](?P<n>\d{1,4})(?P<ext>\.\w+)$")
# Last words of file names whose trailing number is an id, not a page: col_12 is column
# 12, not page 12 of "col".
_ID_WORDS = frozenset(
    {
        "category", "col", "column", "class", "classid", "lm", "node", "channel", "cat",
        "catid", "id", "art", "article", "content", "detail", "show", "item", "view", "doc", "list",
        "info", "news", "c", "n", "t",
    }
)  # fmt: skip


INDEX_FILE = re.compile(r"/(?:index|default)\.(?:s?html?|jsp|aspx?|php)$", re.I)


def same_page_key(url: str) -> str:
    """``…/zhxx/`` and ``…/zhxx/index.html`` are one page (a folder's default document)."""
    head = url.partition("#")[0]
    path, _, query = head.partition("?")
    path = INDEX_FILE.sub("/", path)
    return f"{path}?{query}" if query else path


def column_key(url: str) -> str:
    """One key for every page of one column list, itself a URL of its first page.

    ``index.html``, ``index_1.html``, ``Index_2.aspx``, ``index_958_3.html`` become the
    folder (``…/zhxx/``); ``list-5-2.html`` (PHPCMS), ``news-list-x-2.html``,
    ``tzgg_2.html`` lose the page number (``col_12.html`` keeps its id); ``?page=2``, ``?pageIndex=3``, ``?startrecord=46`` lose the page
    parameters. The fragment goes, the remaining query is sorted, the host lowercased.
    """
    parts = urlsplit(url.strip())
    folder, _, file = parts.path.rpartition("/")
    if _DEFAULT_DOC.match(file):
        file = ""
    elif _LIST_ID_PAGE.match(file):
        file = _LIST_ID_PAGE.sub(r"\1\2", file)
    else:
        numbered = _NUMBERED.match(file)
        if numbered and re.split(r"[_-]", numbered["base"])[-1].lower() not in _ID_WORDS:
            file = numbered["base"] + numbered["ext"]
    query = "&".join(
        sorted(
            pair
            for pair in parts.query.split("&")
            if pair and pair.split("=", 1)[0].lower() not in PAGE_PARAMS
        )
    )
    path = f"{folder}/{file}" if parts.path else "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))
