"""Error pages served as HTTP 200 (soft 404s) and bot-protection interstitials.

Government CMSs often answer a missing URL with ``200 OK`` and a page saying 页面不存在, or
redirect it to a /404.html that is itself served with 200. Two signals find those pages:

* the site's own not-found page, learned at scan start by requesting a surely-missing path
  (``NotFoundProfile``): a page whose visible text is that page's text, give or take a few
  characters, *is* that page;
* not-found phrases (页面不存在, 404, Not Found …) in the title or in the main text of a short
  page. Navigation and footers are left out, so a normal page whose footer phone number
  contains "404" is not an error page.

Bot-protection pages (安全验证, 滑动验证, Cloudflare, 加速乐, 瑞数 …) are a different thing:
they say nothing about the target, so they make a link *unverified*, never broken.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import lxml.etree
import lxml.html

# -- visible text --------------------------------------------------------------------------

_INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title"})
_CHROME_TAGS = frozenset({"header", "nav", "footer", "aside", "select", "menu"})
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "menu", "menubar"})
# class/id words of page chrome, including the pinyin abbreviations Chinese CMS templates use
# (dh 导航, db 底部, bq 版权, yqlj 友情链接, wzdh 网站导航, dqwz 当前位置, mbx 面包屑).
_CHROME_WORDS = frozenset(
    {
        "nav",
        "navbar",
        "navigation",
        "menu",
        "submenu",
        "mainmenu",
        "foot",
        "footer",
        "bottom",
        "header",
        "head",
        "top",
        "topbar",
        "banner",
        "copyright",
        "copy",
        "breadcrumb",
        "breadcrumbs",
        "crumb",
        "crumbs",
        "sidebar",
        "dh",
        "daohang",
        "db",
        "dibu",
        "bq",
        "banquan",
        "yqlj",
        "wzdh",
        "dqwz",
        "mbx",
        "friendlink",
        "links",
        "position",
        "location",
    }
)
_WORD_SPLIT = re.compile(r"[^a-z]+")
# Footer text that survives when the template's class names are unknown: the main text is cut
# at the first of these that sits near the end of the page.
_FOOTER_MARKERS = re.compile(
    r"版权所有|主办单位|主办：|承办单位|承办：|技术支持|ICP备|网站标识码|公网安备|网站地图|联系我们|Copyright|©",
    re.IGNORECASE,
)
_FOOTER_WINDOW = 600
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class PageText:
    """The visible text of a page: all of it, and the main part (chrome left out)."""

    full: str
    main: str
    # the main part without the text of its links when it links to several pages: the
    # titles of a list are the words of the pages they name (「关于404页面整改的通知」),
    # not what this page says of itself
    own: str = ""


def _is_chrome(el: Any) -> bool:
    if el.tag in _CHROME_TAGS:
        return True
    if (el.get("role") or "").lower() in _CHROME_ROLES:
        return True
    names = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    if names.isspace():
        return False
    return any(word in _CHROME_WORDS for word in _WORD_SPLIT.split(names))


# A main part with at least this many text links is a list of other pages, not a message.
MIN_LIST_LINKS = 3


def _is_link(el: Any) -> bool:
    href = (el.get("href") or "").strip().lower()
    return el.tag == "a" and bool(href) and not href.startswith(("#", "javascript:"))


def _walk(root: Any) -> tuple[list[str], list[str], list[str], int]:
    """Text pieces in document order, skipping invisible subtrees and marking chrome ones:
    all of them, the main (non-chrome) ones, the main ones outside links, and how many
    links with text the main part holds.

    An explicit stack instead of recursion: broken markup nests deeply. The tree is only
    read, never changed, because the crawler hands the same tree to every check.
    """
    full: list[str] = []
    main: list[str] = []
    unlinked: list[str] = []
    links = 0
    stack: list[tuple[Any, bool, bool]] = [(root, False, False)]
    while stack:
        node, chrome, linked = stack.pop()
        if isinstance(node, str):
            full.append(node)
            if not chrome:
                main.append(node)
                if not linked:
                    unlinked.append(node)
            continue
        if node is not root and node.tail:
            stack.append((node.tail, chrome, linked))
        tag = node.tag
        if not isinstance(tag, str) or tag in _INVISIBLE_TAGS:
            continue  # comments, processing instructions, scripts: only their tail shows
        inner = chrome or _is_chrome(node)
        inside_link = linked or _is_link(node)
        if inside_link and not linked and not inner and node.text_content().strip():
            links += 1
        if node.text:
            full.append(node.text)
            if not inner:
                main.append(node.text)
                if not inside_link:
                    unlinked.append(node.text)
        stack.extend((child, inner, inside_link) for child in reversed(node))
    return full, main, unlinked, links


def _cut_footer(text: str) -> str:
    start = max(len(text) - _FOOTER_WINDOW, 0)
    match = _FOOTER_MARKERS.search(text, start)
    return text[: match.start()] if match else text


def parse_html(text: str) -> Any | None:
    """An lxml tree of a decoded document, or None when there is nothing to parse."""
    if not text or not text.strip():
        return None
    try:
        # bytes, so documents that still carry an XML encoding declaration parse too
        return lxml.html.document_fromstring(
            text.encode("utf-8", "surrogatepass"),
            parser=lxml.html.HTMLParser(encoding="utf-8"),
        )
    except (lxml.etree.ParserError, ValueError):
        return None


def _looks_like_html(text: str) -> bool:
    return "<" in text[:4096] and ">" in text[:4096]


_VISIBLE_TEXT = lxml.etree.XPath(
    "//text()[not(parent::script or parent::style or parent::noscript or parent::template"
    " or parent::title)]",
    smart_strings=False,
)


def _tree_of(text: str, tree: Any | None) -> Any | None:
    return tree if tree is not None else parse_html(text)


def visible_text(text: str = "", tree: Any | None = None) -> str:
    """All visible text (no scripts, styles, title), in document order; XPath, so fast."""
    if tree is None and not _looks_like_html(text):
        return _SPACES.sub(" ", text).strip()
    root = _tree_of(text, tree)
    if root is None:
        return ""
    return _SPACES.sub(" ", "".join(_VISIBLE_TEXT(root))).strip()


def page_text(text: str = "", tree: Any | None = None) -> PageText:
    """Visible text of an HTML document (or of plain text) with the main part separated."""
    if tree is None:
        if not _looks_like_html(text):
            plain = _SPACES.sub(" ", text).strip()
            return PageText(plain, plain, plain)
        tree = parse_html(text)
        if tree is None:
            return PageText("", "")
    body = tree.find("body") if tree.tag == "html" else None
    full, main, unlinked, links = _walk(body if body is not None else tree)
    full_text = _SPACES.sub(" ", "".join(full)).strip()
    main_text = _cut_footer(_SPACES.sub(" ", "".join(main)).strip())
    own_text = main_text
    if links >= MIN_LIST_LINKS:
        own_text = _cut_footer(_SPACES.sub(" ", "".join(unlinked)).strip())
    return PageText(full_text, main_text, own_text)


# -- not-found phrases -----------------------------------------------------------------------

_NOT_FOUND_PHRASES = re.compile(
    "|".join(
        [
            # "政府信息不存在告知书" is a real document type of 依申请公开, not an error page
            r"(?:页面|网页|文章|稿件|栏目)(?:已经?)?(?:不存在|未找到|找不到)(?!告知|的|答复|证明|说明|情)",
            r"(?:该|此|您(?:所)?(?:要)?(?:访问|请求|查看|浏览|下载)的)(?:页面|网页|文章|稿件|信息|内容"
            r"|文件|附件|资源|新闻|地址)(?:已经?)?(?:不存在|未找到|找不到|已被?删除|已失效|已撤销)"
            r"(?!告知|的|答复|证明|说明|情)",
            r"找不到(?:该|此|您要的|您要访问的|您所访问的|请求的)?(?:页面|网页|文件)",
            r"无法找到(?:该|此|您要的|请求的)?(?:页面|网页|文件)",
            r"(?:页面|网页|文章|稿件)(?:已被?|被)(?:删除|撤销|撤下|移除)",
            r"(?:页面|网页|文章|稿件|内容)(?:已经?被?|被)(?:移动|迁移|移走|转移)",
            r"(?:页面|网页|链接|网址|地址)(?:已经?)?(?:失效|过期)",
            # the mistyped address of IIS-style and CMS error pages
            r"(?:网址|地址|链接|url)中?(?:可能)?(?:存在|有)(?:键入|输入|拼写)错误",
            r"(?:输入|访问|请求|打开)的(?:网址|地址|链接|url)(?:有误|错误|不正确|无效)",
            r"请(?:检查|确认|核对)(?:您)?(?:输入|访问)的(?:网址|地址|链接|url)(?:是否正确|是否有误)",
            # 「抱歉，您访问的页面暂时无法打开」, but not 「…页面需要登录」
            r"(?:抱歉|对不起)[，,！!、\s]*您(?:所)?(?:要)?(?:访问|请求|查找|打开)的(?:页面|网页|网址|链接)"
            r"[^。！!]{0,8}?(?:不存在|无法|找不到|已被|已经|出错|错误|丢失|失效|过期|删除|移除|不见)",
            r"页面(?:走丢|飞走|丢失|迷路)了?",
            r"出错了",
            r"\bnot\s+found\b",
            r"\bpage\s+(?:not|cannot\s+be)\s+found\b",
            r"\bno\s+such\s+file\b",
            r"\binternal\s+server\s+error\b",
            r"\bbad\s+gateway\b",
            r"\bservice\s+(?:temporarily\s+)?unavailable\b",
            r"\bserver\s+error\s+in\b",
            r"服务器(?:内部)?错误",
        ]
    ),
    re.IGNORECASE,
)
# A phrase said of a case, not of this page: 「如链接已失效请联系我们」, 「出现页面不存在等问题」.
_CONDITIONAL_BEFORE = re.compile(
    r"(?:如|若|如果|假如|倘若|一旦|如遇|如发现|若发现|如有|防止|避免|以免|出现|杜绝|清理|整改)\W{0,2}$"
)
_CONDITIONAL_WINDOW = 4
# "404" as its own number: not part of a longer number (phone numbers, 〔2019〕404号, 0404).
_CODE_404 = re.compile(
    r"(?<![A-Za-z0-9.\-/〔\[])(?:HTTP\s*)?404(?![A-Za-z0-9\-/号期室路])", re.IGNORECASE
)
# In a title, 404 also stands joined to an error word ("error-404", "Error_404", "HTTP404")
# or to the rest of the title by a hyphen or underscore ("404-您访问的页面不存在",
# "404_页面不存在"); never followed by more digits ("404-1", a room or a part number).
_TITLE_ERROR_404 = re.compile(r"(?<![A-Za-z0-9])(?:error|err|http)[\s\-_:：]*404(?!\d)", re.I)
_TITLE_JOINED_404 = re.compile(r"(?<![A-Za-z0-9.\-/〔\[［(（])404(?=[\-_](?!\d))")
_ERROR_WORDS = re.compile(r"错误|error|not\s*found|页面|网页|找不到|不存在|抱歉|对不起|sorry", re.I)
# Error pages are short: a phrase deep inside a long article is news, not an error page.
MAX_ERROR_MAIN_CHARS = 300
# A heading saying so counts on a page up to this long (a big template round a short message);
# an article is longer, and its heading is news about error pages, not one.
MAX_ERROR_HEADING_PAGE_CHARS = 1500
MAX_ERROR_HEADING_CHARS = 40
_TITLE_SEPARATORS = " -_|:：·—()（）"
# "404 - 某市人民政府": the code first, then the site name after a separator
_TITLE_LEADING_404 = re.compile(r"^\W*(?:HTTP\s*)?404\s*(?:$|[-_|:：·—])", re.IGNORECASE)


# A phrase inside quotation marks is quoted, not said: 「仍返回“页面不存在”的提示」.
_OPENING_QUOTES = "“「『"
_CLOSING_QUOTES = "”」』"
_QUOTE_WINDOW = 40


def _is_quoted(text: str, start: int) -> bool:
    before = text[max(start - _QUOTE_WINDOW, 0) : start]
    opened = max(before.rfind(mark) for mark in _OPENING_QUOTES)
    closed = max(before.rfind(mark) for mark in _CLOSING_QUOTES)
    return opened > closed


def _said_phrase(text: str) -> str | None:
    """The first not-found phrase ``text`` states of itself (not one under 如/若 …, nor one
    in quotation marks)."""
    for match in _NOT_FOUND_PHRASES.finditer(text):
        before = text[max(match.start() - _CONDITIONAL_WINDOW, 0) : match.start()]
        if not _CONDITIONAL_BEFORE.search(before) and not _is_quoted(text, match.start()):
            return match.group(0)
    return None


# Parts of a title ("页面不存在 - 某市人民政府"); a phrase must fill much of one part, or the
# title is a headline about error pages (「关于部分网站页面不存在问题的整改通报」).
_TITLE_PARTS = re.compile(r"\s[-_|·—:：]+\s|[|_·—:：]+|\s-|-\s")
MIN_PHRASE_SHARE = 0.4


def _dominant_phrase(text: str) -> str | None:
    """A not-found phrase that fills at least ``MIN_PHRASE_SHARE`` of its part of ``text``."""
    for part in _TITLE_PARTS.split(text):
        part = part.strip(_TITLE_SEPARATORS + "！!。，, ")
        phrase = _said_phrase(part)
        if phrase and len(phrase) >= MIN_PHRASE_SHARE * len(part):
            return phrase
    return None


def _title_reason(title: str) -> str | None:
    phrase = _dominant_phrase(title)
    if phrase:
        return f"标题提示错误页：{phrase}"
    if _TITLE_ERROR_404.search(title):
        return "标题含 404"
    if _TITLE_LEADING_404.match(title):
        return "标题含 404"
    for part in _TITLE_PARTS.split(title):
        for code in (_CODE_404, _TITLE_JOINED_404):
            if code.search(part) and len(_title_rest(code.sub("", part))) <= MAX_TITLE_REST_CHARS:
                return "标题含 404"
    return None


# What a 404 title part may hold besides the code and error words (「404 页面没有找到」,
# 「404-您访问的页面不存在」); a headline that names 404 says more (「我区开展网站404页面检查」).
MAX_TITLE_REST_CHARS = 6


def _title_rest(part: str) -> str:
    return _ERROR_WORDS.sub("", part).strip(_TITLE_SEPARATORS + "！!。，,. ")


# The dateline of an article (发布时间：2026-11-12): error pages carry none.
_ARTICLE_DATELINE = re.compile(
    r"(?:发布|发表|成文|更新|印发)(?:时间|日期)\s*[:：]\s*\d{4}\s*[-年./]\s*\d{1,2}"
)


def _main_reason(visible: PageText) -> str | None:
    """What a short page says of itself: its own words, not the titles of a list it shows."""
    if len(visible.main) > MAX_ERROR_MAIN_CHARS:
        return None
    own = visible.own
    if _ARTICLE_DATELINE.search(own):
        return None  # an article (a short one about error pages), never an error message
    phrase = _said_phrase(own)
    if phrase:
        return f"页面提示错误：{phrase}"
    if _CODE_404.search(own) and _ERROR_WORDS.search(own):
        return "页面提示 404"
    return None


_HEADINGS = lxml.etree.XPath("//h1 | //h2 | //h3")


def _heading_reason(tree: Any, main: str) -> str | None:
    """A short heading that says so, on a page whose main text is no article's length."""
    if len(main) > MAX_ERROR_HEADING_PAGE_CHARS:
        return None
    for heading in _HEADINGS(tree)[:6]:
        if any(_is_chrome(el) for el in heading.iterancestors()) or _is_chrome(heading):
            continue
        text = _SPACES.sub(" ", heading.text_content()).strip()
        if not text or len(text) > MAX_ERROR_HEADING_CHARS:
            continue
        phrase = _dominant_phrase(text)
        if phrase:
            return f"标题栏提示错误页：{phrase}"
        if _TITLE_ERROR_404.search(text) or _TITLE_LEADING_404.match(text):
            return "标题栏含 404"
    return None


# Literal fragments every phrase above contains: one scan of the raw page with these is far
# cheaper than the phrase patterns themselves, and rules out nearly every page. Every branch
# starts with one literal character (址有误 … l无效 spelled out, not as [址接Ll](?:…)): then re
# skips to the positions holding one of those first characters; a single branch starting
# with a class turns that off and the scan tried every branch at every position (a 3 KB page
# 0.40 ms instead of 0.06 ms, measured in the crawl process, where each page is gated).
_NOT_FOUND_GATE_ZH = re.compile(
    "不存在|未找到|找不到|删除|失效|过期|撤销|撤下|移除|被移动|已移动|被迁移|已迁移|移走|被转移"
    "|已转移|键入错误|输入错误|拼写错误|"
    + "|".join(f"{first}(?:有误|错误|不正确|无效)" for first in "址接Ll")
    + "|是否正确|抱歉|对不起|走丢|飞走|丢失|迷路|出错|服务器|404"
)
_NOT_FOUND_GATE_EN = re.compile(
    "not found|cannot be found|no such file|server error|bad gateway|unavailable"
)


def _may_say_not_found(text: str) -> bool:
    return bool(_NOT_FOUND_GATE_ZH.search(text) or _NOT_FOUND_GATE_EN.search(text.lower()))


def not_found_reason(title: str, text: str = "", tree: Any | None = None) -> str | None:
    """Why a page reads as an error page from its own words, or None: the words in its
    title, in a short heading, or as the main text of a short page — never somewhere in an
    article, which may well be news about error pages."""
    reason = _title_reason((title or "").strip())
    if reason:
        return reason
    if text and not _may_say_not_found(text):
        return None  # the common case, decided without walking the page
    if tree is None and _looks_like_html(text):
        tree = parse_html(text)
    visible = page_text(text, tree)
    main = visible.main
    reason = _main_reason(visible)
    if reason is None and tree is not None:
        reason = _heading_reason(tree, main)
    return reason


# -- the site's own not-found page ---------------------------------------------------------

# URL-like tokens: a not-found page often echoes the requested path, which differs per URL.
_URLISH = re.compile(
    r"(?:[a-z][a-z0-9+.\-]*://)?[A-Za-z0-9.\-]*(?:/[A-Za-z0-9._\-%~?=&;+:]*)+", re.IGNORECASE
)
_DIGIT_RUNS = re.compile(r"\d+")
_SHINGLE = 3
# A page is the not-found page when it has at most this many 3-grams the not-found page lacks
# (or 0.5 % of its size) and lacks at most LOST_TOLERANCE of the not-found page's 3-grams.
NEW_TOLERANCE = 6
LOST_TOLERANCE = 6
# Below this many 3-grams the not-found page says too little to recognise it by its text
# (empty JavaScript shells look the same for every URL of the site).
MIN_PROFILE_SHINGLES = 8


def _normalise(text: str, url: str | None = None) -> str:
    if url:
        parts = urlsplit(url)
        for form in {url, parts.path, unquote(parts.path), unquote(url)}:
            if len(form) > 1:
                text = text.replace(form, " ")
    text = _URLISH.sub(" ", text)
    text = _DIGIT_RUNS.sub("0", text.lower())
    return _SPACES.sub("", text)


def _shingles(text: str) -> frozenset[str]:
    if len(text) < _SHINGLE:
        return frozenset([text]) if text else frozenset()
    return frozenset(text[i : i + _SHINGLE] for i in range(len(text) - _SHINGLE + 1))


_INDEX_FILE = re.compile(r"(?:index|default|home)\.(?:s?html?|jsp|aspx?|php)$", re.IGNORECASE)
PROFILE_MAX_CHARS = 20000


def _same_page_path(url: str, other: str) -> bool:
    """``/dir/`` and ``/dir/index.html`` (or default.htm …) are the same page."""
    a, b = urlsplit(url), urlsplit(other)
    if (a.scheme, a.netloc) != (b.scheme, b.netloc):
        return False
    return _INDEX_FILE.sub("", a.path) == _INDEX_FILE.sub("", b.path) and a.query == b.query


def _is_directory_index(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.query and (
        parts.path in ("", "/") or parts.path.endswith("/") or bool(_INDEX_FILE.search(parts.path))
    )


@dataclass
class NotFoundProfile:
    """What this site answers for a missing URL; JSON-serialisable via ``to_dict``."""

    status: int
    content_type: str = ""
    title: str = ""
    text: str = ""  # normalised visible text
    requested_url: str | None = None
    final_url: str | None = None
    says_not_found: bool = False  # its own words say so (页面不存在 …), not only its status
    _shingles: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    def __post_init__(self) -> None:
        self._shingles = _shingles(self.text)

    @classmethod
    def from_response(
        cls,
        status: int,
        content_type: str,
        body_text: str,
        title: str,
        *,
        requested_url: str | None = None,
        final_url: str | None = None,
        tree: Any | None = None,
    ) -> NotFoundProfile:
        """Learn the profile from the answer to a surely-missing URL (HTML or plain text)."""
        tree = _tree_of(body_text, tree) if _looks_like_html(body_text) else None
        visible = page_text(body_text, tree)
        return cls(
            status=status,
            content_type=(content_type or "").split(";")[0].strip().lower(),
            title=(title or "").strip(),
            text=_normalise(visible_text(body_text, tree), final_url or requested_url)[
                :PROFILE_MAX_CHARS
            ],
            requested_url=requested_url,
            final_url=final_url,
            says_not_found=bool(_title_reason((title or "").strip()) or _main_reason(visible)),
        )

    @property
    def redirects_elsewhere(self) -> bool:
        """The site sends missing URLs to one fixed page (/404.html, the home page …)."""
        return bool(self.final_url and self.requested_url and self.final_url != self.requested_url)

    def _redirect_reason(self, url: str | None, final_url: str | None) -> str | None:
        if not (self.redirects_elsewhere and final_url and url) or final_url == url:
            return None
        assert self.final_url is not None
        if final_url != self.final_url or _same_page_path(url, self.final_url):
            return None
        return f"跳转到网站的“页面不存在”页面（{self.final_url}）"

    def _comparable(self, url: str | None) -> bool:
        if len(self._shingles) < MIN_PROFILE_SHINGLES:
            return False
        if self.says_not_found:
            return True
        # A site answering missing URLs with an ordinary page (often its home page): only
        # URLs that cannot be that page itself are compared, so a link home is never broken.
        return url is not None and not _is_directory_index(url)

    def matches(
        self,
        status: int,
        title: str,
        text: str,
        *,
        url: str | None = None,
        final_url: str | None = None,
        tree: Any | None = None,
    ) -> str | None:
        """Why this response is the site's not-found page, or None.

        ``text`` is the decoded body (HTML or plain); pass ``tree`` when it is parsed
        already, and ``url``/``final_url`` so an echoed path and a redirect can be seen.
        """
        reason = self._redirect_reason(url, final_url)
        if reason or not self._comparable(url):
            return reason
        if self.title and (title or "").strip() != self.title and self.status < 400:
            # A site that answers 200 for missing pages gives them one fixed title.
            return None
        norm = _normalise(visible_text(text, tree), final_url or url)[:PROFILE_MAX_CHARS]
        if abs(len(norm) - len(self.text)) > max(64, len(self.text) // 5):
            return None  # cheap length gate before the 3-gram sets
        other = _shingles(norm)
        new = len(other - self._shingles)
        lost = len(self._shingles - other)
        if new <= max(NEW_TOLERANCE, len(self._shingles) // 200) and lost <= LOST_TOLERANCE:
            return "与网站的“页面不存在”页面内容相同"
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "content_type": self.content_type,
            "title": self.title,
            "text": self.text,
            "requested_url": self.requested_url,
            "final_url": self.final_url,
            "says_not_found": self.says_not_found,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> NotFoundProfile | None:
        if not data or "status" not in data:
            return None
        return cls(
            status=int(data["status"]),
            content_type=data.get("content_type") or "",
            title=data.get("title") or "",
            text=data.get("text") or "",
            requested_url=data.get("requested_url"),
            final_url=data.get("final_url"),
            says_not_found=bool(data.get("says_not_found")),
        )


def is_error_page(
    status: int,
    title: str,
    text: str,
    profile: NotFoundProfile | None = None,
    *,
    url: str | None = None,
    final_url: str | None = None,
    tree: Any | None = None,
) -> str | None:
    """Why a response is an error page (an HTTP error, or a 200 that is one), or None."""
    if status >= 400:
        return f"HTTP {status}"
    reason = not_found_reason(title, text, tree)
    if reason is None and profile is not None:
        reason = profile.matches(status, title, text, url=url, final_url=final_url, tree=tree)
    return reason


# -- bot protection ---------------------------------------------------------------------------

# Markers in the raw body of vendor challenges (the visible text of those pages is empty).
_CHALLENGE_MARKERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"__jsl_clearance|__jsluid"), "加速乐/知道创宇 JS 验证"),
    (re.compile(r"yunsuo_session_verify|security_verify_"), "云锁验证"),
    (re.compile(r"cf-browser-verification|cf_chl_|challenge-platform"), "Cloudflare 验证"),
    (re.compile(r"captchaType=|/verify/home|slider-?captcha|nc_token|geetest", re.I), "验证码"),
    (re.compile(r"_guard/auto\.js|waf_sc|aliyun_waf|acw_sc__v2", re.I), "云WAF 验证"),
)
_CHALLENGE_WORDS = re.compile(
    "|".join(
        [
            r"安全验证",
            r"访问验证",
            r"滑动验证",
            r"人机验证",
            r"拖动滑块",
            r"请(?:先)?完成(?:安全)?验证",
            r"请(?:开启|启用|打开|允许)\s*javascript",
            r"(?:enable|turn\s+on)\s+javascript",
            r"checking\s+your\s+browser",
            r"just\s+a\s+moment",
            r"attention\s+required",
            r"ddos\s+protection",
            r"知道创宇",
            r"创宇盾",
            r"云防护",
            r"网站防火墙",
            r"web\s*应用防火墙",
            r"安全狗",
            r"云锁",
            r"访问(?:被|已被)(?:拦截|阻断|拒绝|禁止)",
            r"请求(?:被|已被)(?:拦截|阻断)",
            r"疑似(?:黑客)?攻击",
            r"access\s+denied",
        ]
    ),
    re.IGNORECASE,
)
# statuses WAFs answer with; 412/202 carry 瑞数 (Ruishu) challenges, 521 加速乐 ones
# Literal fragments of the words and markers above (see _NOT_FOUND_GATE_ZH for why).
_CHALLENGE_GATE_ZH = re.compile(
    "验证|请开启|请启用|请打开|请允许|拖动滑块|知道创宇|创宇盾|云防护|防火墙|安全狗|云锁|被拦截|被阻断|被拒绝|被禁止|疑似"
)
_CHALLENGE_GATE_EN = re.compile(
    "enable javascript|turn on javascript|checking your browser|just a moment"
    "|attention required|ddos|access denied|__jsl|yunsuo|security_verify|cf-browser"
    "|cf_chl|challenge-platform|captchatype|/verify/|captcha|geetest|nc_token|_guard/"
    "|acw_sc|aliyun_waf|waf_sc"
)
_BLOCK_STATUSES = frozenset({202, 400, 403, 405, 412, 429, 503, 521})
MAX_CHALLENGE_TEXT = 800


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return str(value or "").lower()


def _cookies(headers: Any) -> str:
    multi = getattr(headers, "get_list", None)
    if multi is not None:  # httpx.Headers keeps every Set-Cookie
        return " ".join(multi("set-cookie")).lower()
    return _header(headers, "set-cookie")


def _header_reason(status: int, headers: Mapping[str, str]) -> str | None:
    if status == 999:
        return "HTTP 999（拒绝自动访问）"
    if _header(headers, "cf-mitigated") == "challenge":
        return "Cloudflare 验证（cf-mitigated: challenge）"
    server = _header(headers, "server")
    if "cloudflare" in server and status in (403, 429, 503):
        return f"Cloudflare 拦截（HTTP {status}）"
    if status == 521 and "__jsluid" in _cookies(headers):
        return "加速乐/知道创宇 JS 验证（HTTP 521）"
    if "safedog" in server and status in (403, 405):
        return "安全狗拦截"
    return None


def challenge_reason(
    status: int,
    headers: Mapping[str, str],
    text: str,
    *,
    title: str | None = None,
    tree: Any | None = None,
) -> str | None:
    """Why a response is a bot-protection page rather than the target itself, or None."""
    reason = _header_reason(status, headers)
    if reason:
        return reason
    head = text[:65536]
    if status in (202, 412) and "$_ts" in head:
        return f"瑞数动态验证（HTTP {status}）"
    lowered = head.lower()
    if not (_CHALLENGE_GATE_ZH.search(head) or _CHALLENGE_GATE_EN.search(lowered)):
        return None  # the common case: a normal page, decided with two literal scans
    if status >= 400 and status not in _BLOCK_STATUSES:
        return None  # a 404 or 500 page mentioning JavaScript is still a 404 or 500
    markers = next((name for pattern, name in _CHALLENGE_MARKERS if pattern.search(head)), None)
    if title is None:
        found = re.search(r"<title[^>]*>(.*?)</title>", head, re.IGNORECASE | re.DOTALL)
        title = found.group(1) if found else ""
    visible = visible_text(head, tree)
    if len(visible) > MAX_CHALLENGE_TEXT:
        return None  # an interstitial is short; a long page is an article about the subject
    title_words = _CHALLENGE_WORDS.search(title)
    if title_words:
        return f"反爬虫验证页：{title_words.group(0)}"
    if markers:
        return markers
    visible_words = _CHALLENGE_WORDS.search(visible)  # not a word hidden in a script or comment
    return f"反爬虫验证页：{visible_words.group(0)}" if visible_words else None
