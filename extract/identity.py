"""What a page's footer says about the site behind it: the identity items every government
site shows at the bottom of each page (《政府网站发展指引》, 国办发〔2017〕47号, 网页设计规范).

* 网站标识码 — the 10-character code the State Council's office issues: a 6-digit
  administrative division code and 4 digits (local governments), or ``bm`` and 8 digits
  (State Council departments). The division code's first two digits must name a province.
* ICP备案 — ``京ICP备05070218号-1`` (the 号 and the ``-1`` site suffix are optional).
* 公安机关备案 — ``京公网安备 11010202000001号``: 14 digits, also read from the
  ``beian.gov.cn`` link's ``recordcode``.
* the 党政机关网站 mark — the conac.cn badge, usually a script from ``dcs.conac.cn`` (often
  written with ``document.write(unescape("%3Cscript …"))``) that renders a link to
  ``bszs.conac.cn``; a copied badge image that only says 党政机关 in its alt text counts too.
* 主办单位 and a way to reach it: a phone number, an e-mail address, a postal address or a
  联系我们 link near the sponsor's name. ``版权所有：某单位`` names the sponsor when there is
  no 主办 label.

A false "missing" costs more than a missed one, so the reading is generous: the whole page
is searched (a footer is where these items live, but a header carrying one is no problem),
inline scripts that write markup count, and full-width digits, letters and spaces are folded
(NFKC) before any pattern runs. A page whose footer cannot be read is not judged at all: no
footer-like text anywhere (a fragment, a pop-up, a print view), or a footer written by an
external script or frame (``/include/footer.js``) whose text the crawl never sees.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import lxml.html
from lxml import etree

from extract.docmeta import visible_text

# Which province a code starts with (GB/T 2260): 11 北京 … 65 新疆, 71 台湾, 81 香港, 82 澳门.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
        "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
        "63", "64", "65", "71", "81", "82",
    }
)  # fmt: skip
SITE_CODE_LENGTH = 10
POLICE_RECORD_DIGITS = 14

# The footer items, in the order reports list them.
FOOTER_ITEMS = ("site_code", "icp", "police_record", "conac_mark", "sponsor", "sponsor_contact")

_SPACES = re.compile(r"\s+")
# A code starts with a digit or "bm": the label followed by other text (the next item's
# "ICP备…") shows no code at all. Many footers call it 网站识别码: the same code. A label
# may be spaced out to line up (网 站 标 识 码：).
_SITE_CODE = re.compile(
    r"(?:标\s?识\s?码|网\s?站\s?识\s?别\s?码)\s*:?\s*((?:[bB][mM]|\d)[A-Za-z0-9 ]{0,23})"
)
_ICP = re.compile(r"ICP\s*[备证]\s*:?\s*(\d(?: ?\d){4,11})")
_POLICE = re.compile(r"(?:公网安备|公安(?:机关)?备案(?:号|编号)?)\s*:?\s*(\d(?: ?\d){5,20})")
_RECORD_CODE = re.compile(r"recordcode=(\d{14})", re.I)
# The sponsor's name, in order of trust: a 主办 label, then the owner 版权所有 names.
_SPONSORS = (
    # the label may be spaced out to line up (主 办 单 位：)
    re.compile(
        r"(?:网\s?站\s?)?主\s?办\s?(?:单\s?位\s?)?(?:名\s?称)?\s*:\s*([^\s:|｜,，;；]{2,40})"
    ),
    re.compile(r"版权所有\s*:?\s*([\u4e00-\u9fff()]{3,40})"),
    re.compile(r"([\u4e00-\u9fff()]{3,40}?)\s*版权所有"),
)
_CONTACT: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("phone", re.compile(
        r"(?:电话|热线|tel|Tel|TEL|联系方式)\s*:?\s*\(?\d[\d\-() ]{5,}"
        r"|(?<!\d)\(?0\d{2,3}\)?\s?-?\s?\d{7,8}(?!\d)|(?<!\d)1[3-9]\d{9}(?!\d)"
        r"|(?<!\d)12345(?!\d)")),
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")),
    ("address", re.compile(
        r"地址\s*:\s*\S{4,}|[\u4e00-\u9fff]{2,}(?:路|街|大道|大街|巷)\s*\d+\s*号")),
    ("contact_page", re.compile(r"联系我们|联系方式")),
)  # fmt: skip
SPONSOR_WINDOW = 150  # characters either side of the sponsor searched for its contact

# Words only a footer says, looked for at the end of the page (a policy text may say 主办 or
# 技术支持 in its body): a page without them there, without any identity number and without a
# footer element with text shows no footer the check can read.
_FOOTER_WORDS = re.compile(r"版权|copyright|©|主办|承办|ICP|公网安备|标识码|技术支持", re.I)
FOOTER_TAIL_CHARS = 600
_FOOTER_NAME = re.compile(r"foot|bottom|copyright|banquan|\bbq\b|dibu", re.I)
_FOOTER_MIN_TEXT = 8
# Marks of the 党政机关 badge: its hosts (bszs/dzjg/dcs.conac.cn) and the ids its script uses.
_CONAC_HOST = "conac.cn"
_CONAC_IDS = ("_ideConac", "imgConac")
_CONAC_ALT = re.compile(r"党政机关|事业单位")

# compiled once, not on every page; read from the id attributes, not from every element's
# (five times faster than ``//*[@id=…]``)
_CONAC_ELEMENT = etree.XPath(f"boolean(//@id[{' or '.join(f'.={i!r}' for i in _CONAC_IDS)}])")
# The elements whose attributes carry a record link, the badge or a pictured code: one walk
# that libxml2 filters by tag (seven ``//`` paths, one per question, walked the page seven
# times and cost four times as much).
_MARKED_TAGS = ("a", "script", "img", "iframe", "frame")
_PICTURED_WORDS = ("标识码", "网站识别码")


@dataclass
class _Marks:
    """What the page's links, scripts, images and frames say, in document order."""

    record_hrefs: list[str] = field(default_factory=list)  # <a href> naming beian
    pictured: list[str] = field(default_factory=list)  # <img alt|title> naming a 标识码
    conac_link: bool = False  # an <a href>, <script|img|iframe src> on conac.cn
    conac_image: bool = False  # an <img> whose alt, title or aria-label says 党政机关
    sources: list[str] = field(default_factory=list)  # every <script|iframe|frame src>


def _marks(root: lxml.html.HtmlElement) -> _Marks:
    marks = _Marks()
    for el in root.iter(*_MARKED_TAGS):
        tag = el.tag
        if tag == "a":
            href = el.get("href")
            if href:
                if "beian" in href:
                    marks.record_hrefs.append(href)
                if _CONAC_HOST in href:
                    marks.conac_link = True
            continue
        src = el.get("src")
        if src is not None:
            if tag != "img":
                marks.sources.append(src)
            if tag != "frame" and _CONAC_HOST in src:
                marks.conac_link = True
        if tag == "img":
            # in the source's order, as the alt and title values were listed before
            for name, value in el.items():
                if name in ("alt", "title"):
                    if any(word in value for word in _PICTURED_WORDS):
                        marks.pictured.append(value)
                elif name != "aria-label":
                    continue
                if not marks.conac_image and _CONAC_ALT.search(value):
                    marks.conac_image = True
    return marks


@dataclass
class FooterFacts:
    """What one page shows. ``judged`` False: the page says nothing either way."""

    judged: bool = False
    site_code: str | None = None  # the code as shown (spaces removed), valid or not
    site_code_valid: bool = False
    icp: str | None = None  # the record number's digits
    police_record: str | None = None
    police_record_valid: bool = False
    conac_mark: str | None = None  # how the badge was found: link | script | element | image_alt
    sponsor: str | None = None
    sponsor_contact: str | None = None  # phone | email | address | contact_page
    why_not_judged: str | None = None  # no_footer | footer_by_script

    def to_dict(self) -> dict[str, Any]:
        # every field is a str, bool or None: asdict's deep copy (a third of this check's
        # cost per page) would copy nothing
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FooterFacts:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def status(self, item: str) -> str:
        """``shown``, ``invalid`` (shown with a malformed number) or ``missing``."""
        if item == "site_code":
            return _valid_or_not(self.site_code, self.site_code_valid)
        if item == "police_record":
            return _valid_or_not(self.police_record, self.police_record_valid)
        return "shown" if getattr(self, item) else "missing"


def _valid_or_not(value: str | None, valid: bool) -> str:
    if value is None:
        return "missing"
    return "shown" if valid else "invalid"


@dataclass
class _PageText:
    visible: str  # NFKC, whitespace collapsed
    scripts: str  # inline scripts, %-escapes undone, NFKC
    hrefs: list[str] = field(default_factory=list)
    pictured: str = ""  # the alt and title texts of images that name a 标识码


# The full-width forms (ＡＢ１２：) and the two wide spaces every Chinese page has, mapped to
# their compatibility decompositions before NFKC: a character and its full decomposition
# decompose alike, so NFKC's result is the same, and the text that is left usually passes
# NFKC's quick check and is returned as it is (the page's NFKC cost half as much).
_WIDE_FORMS = {
    ord(c): unicodedata.normalize("NFKD", c)
    for c in [*map(chr, range(0xFF01, 0xFF5F)), "\u3000", "\xa0"]
}


def fold(text: str) -> str:
    """Full-width digits, letters, colons and spaces to their ASCII forms; runs of spacing to
    one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text.translate(_WIDE_FORMS))).strip()


def _page_text(root: lxml.html.HtmlElement, marks: _Marks) -> _PageText:
    """The page's text as a reader sees it, and its inline scripts' text apart. libxml2 writes
    the text out in one pass (a walk in Python costs ten times more); the text of scripts and
    styles is then taken back out of it. Text hidden by CSS stays: it can only make an item
    count as shown."""
    body = root.find("body") if root.tag == "html" else None
    text = etree.tostring(body if body is not None else root, method="text", encoding=str)
    inline: list[str] = []
    for el in root.iter("script", "style", "noscript", "template"):
        content = el.text or ""
        if content.strip():
            text = text.replace(content, " ", 1)
            if el.tag == "script" and not el.get("src"):
                inline.append(unquote(content) if "%" in content else content)
    # a footer that shows its 网站标识码 as a picture often says it in the alt text
    pictured = fold(" ".join(marks.pictured))
    return _PageText(fold(text), fold(" ".join(inline)), marks.record_hrefs, pictured)


def valid_site_code(code: str) -> bool:
    if len(code) != SITE_CODE_LENGTH:
        return False
    if code[:2].lower() == "bm":
        return code[2:].isdigit()
    return code.isdigit() and code[:2] in PROVINCE_CODES


def _site_code(text: str) -> tuple[str | None, bool]:
    """The first code shown after a 标识码 label: spaces inside it are dropped, as many
    digits as a code has are taken (a number written right after it stays out)."""
    shown: str | None = None
    for match in _SITE_CODE.finditer(text):
        code = ""
        for token in match.group(1).split():
            if len(code) >= SITE_CODE_LENGTH:
                break
            code += token
        if valid_site_code(code):
            return code, True
        shown = shown or code
    return shown, False


def _police_record(page: _PageText) -> tuple[str | None, bool]:
    shown: str | None = None
    for text in (page.visible, page.scripts):
        for match in _POLICE.finditer(text):
            digits = match.group(1).replace(" ", "")
            if len(digits) == POLICE_RECORD_DIGITS and digits[:2] in PROVINCE_CODES:
                return digits, True
            shown = shown or digits
    for href in page.hrefs:
        found = _RECORD_CODE.search(href)
        if found:
            return found.group(1), True
    return shown, False


def _icp(page: _PageText) -> str | None:
    for text in (page.visible, page.scripts):
        match = _ICP.search(text)
        if match:
            return match.group(1).replace(" ", "")
    return None


def _conac_mark(root: lxml.html.HtmlElement, marks: _Marks, scripts: str) -> str | None:
    if marks.conac_link:
        return "link"
    if _CONAC_HOST in scripts:
        return "script"
    if _CONAC_ELEMENT(root):
        return "element"
    return "image_alt" if marks.conac_image else None


def _sponsor(text: str) -> tuple[str | None, str | None]:
    """The sponsor's name and the first kind of contact shown near it."""
    for pattern in _SPONSORS:
        match = pattern.search(text)
        if match is None:
            continue
        name = match.group(1)
        window = text[max(0, match.start() - SPONSOR_WINDOW) : match.end() + SPONSOR_WINDOW]
        for kind, contact in _CONTACT:
            if contact.search(window):
                return name, kind
        return name, None
    return None, None


def _footer_shown(tree: lxml.html.HtmlElement, visible: str) -> bool:
    """Is there any footer to read: a footer word at the end of the page, or a footer
    element with some text?"""
    if _FOOTER_WORDS.search(visible[-FOOTER_TAIL_CHARS:]):
        return True
    for el in tree.iter("footer", "div", "table", "td", "p", "section"):
        names = f"{el.get('id') or ''} {el.get('class') or ''}"
        if (el.tag == "footer" or _FOOTER_NAME.search(names)) and len(
            fold(visible_text(el))
        ) >= _FOOTER_MIN_TEXT:
            return True
    return False


def _footer_by_script(marks: _Marks) -> bool:
    """An external script or a frame whose name says it holds the footer."""
    return any(_FOOTER_NAME.search(source.rsplit("/", 1)[-1]) for source in marks.sources)


def footer_facts(tree: lxml.html.HtmlElement) -> FooterFacts:
    """The identity items one page shows."""
    # the whole document, as the XPath paths read it before (the tree is its root)
    root = tree.getroottree().getroot()
    marks = _marks(root)
    page = _page_text(root, marks)
    searched = f"{page.visible} {page.scripts} {page.pictured}"
    code, code_valid = _site_code(searched)
    police, police_valid = _police_record(page)
    sponsor, contact = _sponsor(page.visible)
    if sponsor is None:
        sponsor, contact = _sponsor(page.scripts)
    facts = FooterFacts(
        site_code=code,
        site_code_valid=code_valid,
        icp=_icp(page),
        police_record=police,
        police_record_valid=police_valid,
        conac_mark=_conac_mark(root, marks, page.scripts),
        sponsor=sponsor,
        sponsor_contact=contact,
    )
    everything_shown = all(facts.status(item) == "shown" for item in FOOTER_ITEMS)
    if not everything_shown and _footer_by_script(marks):
        facts.why_not_judged = "footer_by_script"
    elif not any((code, facts.icp, police, facts.conac_mark)) and not _footer_shown(
        tree, page.visible
    ):
        facts.why_not_judged = "no_footer"
    facts.judged = facts.why_not_judged is None
    return facts
