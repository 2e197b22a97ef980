"""The text of published attachments (xlsx/xls, docx/doc/wps, pdf, txt/csv), fetched bounded.

公示 lists — 低保, 救助, 补贴发放 — are most often published as spreadsheets or Word files,
so personal data leaks hide there rather than in pages. The format is decided by the file's
own bytes (zip parts, ``%PDF``, OLE streams), never by the URL's extension alone: sites name
files ``.doc`` that are really ``.docx``, and serve WPS files under Office names.

Every reader is bounded (bytes read, decompressed sizes, PDF pages, characters kept) and
never raises for a broken file: a damaged attachment is an attachment without text, and
the evidence says why. ``fetch_each`` downloads many files with a few threads, a byte cap
per file, a per-request deadline and a budget for the whole run, every request and redirect
hop through the site's SSRF guard (``crawler.netguard``).
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import struct
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

import httpx
from lxml import etree

from crawler.netguard import FetchGuard, guarded_client
from govpatrol.core.settings import USER_AGENT
from govpatrol.core.urls import is_reserved_url

T = TypeVar("T")

MAX_CHARS = 2_000_000  # text kept per file: a 公示 list of ~20,000 rows
MAX_PDF_PAGES = 60
MAX_XML_BYTES = 64 * 1024 * 1024  # one decompressed part of a docx/xlsx (zip-bomb guard)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_WORD_CONTROLS = str.maketrans({"\r": "\n", "\x07": "\t", "\x0b": "\n", "\x0c": "\n"})
_TEXT_RUN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef0-9A-Za-z:;,.()\- \t]{4,}")

# pdfminer reports every odd font or broken xref at WARNING: noise for a crawler.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


@dataclass(frozen=True)
class AttachmentText:
    """What could be read from one file: its real format, its text, and why not if not."""

    format: str | None  # xlsx | xls | docx | doc | pdf | text | None (unknown or unreadable)
    text: str = ""
    error: str | None = None


# -- format -----------------------------------------------------------------------------------


def sniff(data: bytes, url: str = "") -> str | None:
    """The file's real format from its first bytes (and the URL only for plain text)."""
    if data.startswith(b"%PDF") or data[:1024].lstrip().startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return None
    if data.startswith(_OLE_MAGIC):
        return "ole"
    path = urlsplit(url).path.lower()
    if path.endswith((".txt", ".csv")):
        return "text"
    return None


# -- readers ----------------------------------------------------------------------------------


def _cell(value: object) -> str:
    """A spreadsheet cell as a person reads it: 13912345678, not 13912345678.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _xlsx_text(data: bytes, max_chars: int) -> str:
    import openpyxl

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if any(info.file_size > MAX_XML_BYTES for info in zf.infolist()):
            raise ValueError("a part of the workbook is too large when decompressed")
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines: list[str] = []
    size = 0
    try:
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                line = "\t".join(_cell(v) for v in row).rstrip("\t")
                if line:
                    lines.append(line)
                    size += len(line) + 1
                if size >= max_chars:
                    return "\n".join(lines)[:max_chars]
    finally:
        workbook.close()
    return "\n".join(lines)


def _xls_text(data: bytes, max_chars: int) -> str:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    lines: list[str] = []
    size = 0
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            for r in range(sheet.nrows):
                line = "\t".join(_cell(v) for v in sheet.row_values(r)).rstrip("\t")
                if line:
                    lines.append(line)
                    size += len(line) + 1
                if size >= max_chars:
                    return "\n".join(lines)[:max_chars]
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return "\n".join(lines)


def _docx_text(data: bytes, max_chars: int) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("word/document.xml")
        if info.file_size > MAX_XML_BYTES:
            raise ValueError("word/document.xml is too large when decompressed")
        root = etree.fromstring(zf.read(info), parser=_XML_PARSER)
    lines: list[str] = []
    size = 0
    # Paragraphs in body order; a table cell's paragraphs come out one per line.
    for para in root.iter(f"{_W_NS}p"):
        parts = []
        for node in para.iter(f"{_W_NS}t", f"{_W_NS}tab", f"{_W_NS}br"):
            parts.append(node.text or "" if node.tag == f"{_W_NS}t" else "\t")
        line = "".join(parts).strip()
        if line:
            lines.append(line)
            size += len(line) + 1
            if size >= max_chars:
                break
    return "\n".join(lines)[:max_chars]


def _pdf_text(data: bytes, max_chars: int, max_pages: int) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data), maxpages=max_pages)[:max_chars]


def _word_pieces(word: bytes, table: bytes) -> str:
    """Word 97–2003 text through its piece table (the CLX in the table stream, [MS-DOC] 2.9.38)."""
    fc_clx, lcb_clx = struct.unpack_from("<II", word, 0x01A2)
    clx = table[fc_clx : fc_clx + lcb_clx]
    i = 0
    while i < len(clx) and clx[i] == 0x01:  # Prc entries: property modifiers, skipped
        i += 3 + struct.unpack_from("<h", clx, i + 1)[0]
    if i + 5 > len(clx) or clx[i] != 0x02:
        raise ValueError("no piece table")
    lcb = struct.unpack_from("<I", clx, i + 1)[0]
    plc = clx[i + 5 : i + 5 + lcb]
    pieces = (lcb - 4) // 12
    cps = struct.unpack_from(f"<{pieces + 1}I", plc, 0)
    parts = []
    for k in range(pieces):
        fc = struct.unpack_from("<I", plc, 4 * (pieces + 1) + 8 * k + 2)[0]
        count = cps[k + 1] - cps[k]
        if fc & 0x40000000:  # "compressed": one byte per character, cp1252
            start = (fc & 0x3FFFFFFF) // 2
            parts.append(word[start : start + count].decode("cp1252", "replace"))
        else:
            parts.append(word[fc : fc + 2 * count].decode("utf-16-le", "replace"))
    return "".join(parts)


def _text_runs(raw: bytes) -> str:
    """Readable runs of a binary stream, as UTF-16 at both alignments and as bytes: enough
    to find labelled numbers in a Word/WPS file whose piece table could not be read."""
    decoded = [raw.decode("utf-16-le", "ignore"), raw[1:].decode("utf-16-le", "ignore")]
    decoded.append(raw.decode("latin-1"))
    return "\n".join(m.group(0) for text in decoded for m in _TEXT_RUN.finditer(text))


def _ole_text(data: bytes, max_chars: int) -> tuple[str, str]:
    """(format, text) of an OLE compound file: Word/WPS documents or Excel/ET workbooks."""
    import olefile

    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        if ole.exists("Workbook") or ole.exists("Book"):
            return "xls", _xls_text(data, max_chars)
        if not ole.exists("WordDocument"):
            raise ValueError("an OLE file that is neither a document nor a workbook")
        word = ole.openstream("WordDocument").read()
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        table_name = "1Table" if flags & 0x0200 else "0Table"
        try:
            table = ole.openstream(table_name).read()
            text = _word_pieces(word, table)
        except (OSError, ValueError, struct.error):
            text = _text_runs(word)
    return "doc", text.translate(_WORD_CONTROLS)[:max_chars]


def _plain_text(data: bytes, max_chars: int) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode(encoding)[:max_chars]
    return data.decode("utf-8", "replace")[:max_chars]


def extract_text(
    data: bytes, url: str = "", *, max_chars: int = MAX_CHARS, max_pdf_pages: int = MAX_PDF_PAGES
) -> AttachmentText:
    """The text of one attachment; unknown or damaged files give no text and a reason."""
    kind = sniff(data, url)
    if kind is None:
        return AttachmentText(None, error="unsupported")
    try:
        if kind == "xlsx":
            text = _xlsx_text(data, max_chars)
        elif kind == "docx":
            text = _docx_text(data, max_chars)
        elif kind == "pdf":
            text = _pdf_text(data, max_chars, max_pdf_pages)
        elif kind == "ole":
            kind, text = _ole_text(data, max_chars)
        else:
            text = _plain_text(data, max_chars)
    except Exception as exc:  # every reader fails its own way on broken files
        return AttachmentText(kind, error=f"{type(exc).__name__}: {exc}"[:200])
    if not text.strip():
        return AttachmentText(kind, error="no text (an empty file or a scanned image)")
    return AttachmentText(kind, text)


# -- bounded fetching ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchLimits:
    """Bounds of one batch of downloads."""

    max_bytes: int = 10 * 1024 * 1024  # a larger body is cut and marked truncated
    timeout_s: float = 15.0  # per request, first byte to last
    concurrency: int = 4
    budget_s: float = 300.0  # no new request starts after this
    max_redirects: int = 5
    user_agent: str = USER_AGENT


@dataclass
class Fetched:
    url: str
    final_url: str
    status: int | None
    content_type: str
    body: bytes
    truncated: bool = False
    error: str | None = None


def fetch(client: httpx.Client, url: str, limits: FetchLimits) -> Fetched:
    """One GET, redirects followed, at most ``max_bytes`` read; never raises for the network."""
    if is_reserved_url(url):
        return Fetched(url, url, None, "", b"", error="reserved host (RFC 6761)")
    deadline = time.monotonic() + limits.timeout_s
    try:
        with client.stream("GET", url) as response:
            chunks: list[bytes] = []
            size = 0
            truncated = False
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > limits.max_bytes:
                    truncated = True
                    break
                if time.monotonic() > deadline:
                    return Fetched(url, str(response.url), response.status_code, "", b"",
                                   error=f"timeout ({limits.timeout_s:g} s)")  # fmt: skip
            return Fetched(
                url,
                str(response.url),
                response.status_code,
                response.headers.get("content-type", "").split(";")[0].strip().lower(),
                b"".join(chunks)[: limits.max_bytes],
                truncated,
            )
    except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
        return Fetched(url, url, None, "", b"", error=f"{type(exc).__name__}: {exc}"[:200])


def fetch_each(
    urls: Iterable[str],
    limits: FetchLimits,
    work: Callable[[Fetched], T],
    *,
    guard: FetchGuard | None = None,
) -> Iterator[tuple[str, T]]:
    """Download each URL once with ``limits.concurrency`` threads and run ``work`` on it there.

    ``guard`` is the site's (None: public addresses only); a refused URL is fetched as an
    error, never requested. Results come in completion order. Only ``concurrency`` bodies
    are held at a time: the worker turns each body into ``work``'s (small) result before the
    next download starts.
    """

    def job(client: httpx.Client, url: str) -> T:
        return work(fetch(client, url, limits))

    started = time.monotonic()
    pending: dict[Future[T], str] = {}
    source = iter(dict.fromkeys(urls))
    with (
        guarded_client(
            guard or FetchGuard(None),
            follow_redirects=True,
            max_redirects=limits.max_redirects,
            timeout=httpx.Timeout(limits.timeout_s),
            headers={"User-Agent": limits.user_agent, "Accept": "*/*"},
        ) as client,
        ThreadPoolExecutor(max_workers=max(1, limits.concurrency)) as pool,
    ):
        while True:
            while (
                len(pending) < limits.concurrency and time.monotonic() - started < limits.budget_s
            ):
                url = next(source, None)
                if url is None:
                    break
                pending[pool.submit(job, client, url)] = url
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield pending.pop(future), future.result()
