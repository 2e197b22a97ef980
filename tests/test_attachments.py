"""Attachment text: real xlsx/docx/pdf files made here, read back; bounded downloads on 127.0.0.1."""

from __future__ import annotations

import io
import ipaddress
import threading
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import docx
import openpyxl
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from crawler.attachments import FetchLimits, extract_text, fetch_each, sniff
from crawler.netguard import REFUSED_TEXT, FetchGuard
from tests import loopback as lb

ID_NO = "11010519491231002X"  # the GB 11643 standard's own example number
ROWS = [
    ["序号", "姓名", "身份证号码", "手机号码", "银行卡号"],
    ["1", "王某某", ID_NO, "13912345678", "6222021234567890128"],
    ["2", "李某某", "110101********1234", "138****5678", "6222***********0128"],
]


def make_xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.create_sheet("第二页").append(["备注", "第二个工作表的内容"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def make_docx(rows: list[list[str]]) -> bytes:
    document = docx.Document()
    document.add_paragraph("关于2026年第三季度临时救助对象的公示")
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("联系电话：0000-12345678")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def make_pdf(lines: list[str], pages: int = 1) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, invariant=1)
    for page in range(pages):
        pdf.setFont("STSong-Light", 11)
        for n, line in enumerate(lines):
            pdf.drawString(40, 800 - 18 * n, f"{line}" if page == 0 else f"第{page + 1}页 {line}")
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def test_xlsx_every_sheet_and_numbers_as_shown() -> None:
    data = make_xlsx([*ROWS, ["3", "张某某", "未填写", 13687654321, 12.5]])
    result = extract_text(data, "http://127.0.0.1/x.xlsx")
    assert result.format == "xlsx" and result.error is None
    assert ID_NO in result.text and "6222021234567890128" in result.text
    assert "13687654321" in result.text and "13687654321.0" not in result.text  # int, not float
    assert "12.5" in result.text and "第二个工作表的内容" in result.text
    assert "王某某\t" + ID_NO in result.text  # cells of a row stay on one line


def test_docx_paragraphs_and_table_cells() -> None:
    result = extract_text(make_docx(ROWS), "http://127.0.0.1/名单.docx")
    assert result.format == "docx" and result.error is None
    lines = result.text.splitlines()
    assert lines[0] == "关于2026年第三季度临时救助对象的公示"
    assert ID_NO in lines and "身份证号码" in lines and "联系电话：0000-12345678" in lines


def test_pdf_cjk_text_and_page_limit() -> None:
    data = make_pdf([f"姓名：王某某　身份证号：{ID_NO}", "银行卡号：6222021234567890128"], pages=3)
    result = extract_text(data, "http://127.0.0.1/a.pdf")
    assert result.format == "pdf" and result.error is None
    assert ID_NO in result.text and "银行卡号" in result.text and "第3页" in result.text
    first_only = extract_text(data, max_pdf_pages=1)
    assert ID_NO in first_only.text and "第2页" not in first_only.text


def test_format_comes_from_the_bytes_not_the_name() -> None:
    docx_bytes = make_docx(ROWS)
    assert sniff(docx_bytes, "http://127.0.0.1/old-name.doc") == "docx"
    assert extract_text(docx_bytes, "http://127.0.0.1/old-name.doc").format == "docx"
    assert sniff(make_xlsx(ROWS), "http://127.0.0.1/report.xls") == "xlsx"
    assert sniff(b"  \n%PDF-1.7 ...", "http://127.0.0.1/x.bin") == "pdf"
    assert sniff("姓名,电话\n".encode("gb18030"), "http://127.0.0.1/a.csv") == "text"
    assert sniff(b"PK\x03\x04 not really a zip", "http://127.0.0.1/a.zip") is None


def test_gbk_csv_is_decoded() -> None:
    data = f"姓名,身份证号\n王某某,{ID_NO}\n".encode("gb18030")
    result = extract_text(data, "http://127.0.0.1/名单.csv")
    assert result.format == "text" and "王某某" in result.text and ID_NO in result.text


@pytest.mark.parametrize(
    ("data", "url"),
    [
        (
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
            "a.pdf",
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "a.doc"),
        (b"", "a.xlsx"),
        (b"\x89PNG\r\n\x1a\n", "a.png"),
    ],
)
def test_broken_or_unknown_files_give_no_text_and_a_reason(data: bytes, url: str) -> None:
    result = extract_text(data, "http://127.0.0.1/" + url)
    assert result.text == "" and result.error


def test_truncated_xlsx_is_an_error_not_a_crash() -> None:
    data = make_xlsx(ROWS)
    result = extract_text(data[: len(data) // 2], "http://127.0.0.1/a.xlsx")
    assert result.text == "" and result.error


def test_zip_bomb_part_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import crawler.attachments as attachments

    monkeypatch.setattr(attachments, "MAX_XML_BYTES", 1000)
    big = io.BytesIO()
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", "<w:document>" + " " * 5000 + "</w:document>")
    result = extract_text(big.getvalue(), "http://127.0.0.1/a.docx")
    assert result.format == "docx" and "too large" in (result.error or "")


def test_large_workbook_is_streamed_row_by_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 公示 workbook of thousands of rows is read in read-only mode, which parses rows from
    the zip as they are asked for instead of building every cell first, and the reader asks
    for no more rows than the text it keeps needs (bench/checks.py times the full read)."""
    opened: list[openpyxl.Workbook] = []
    rows_read: Counter[str] = Counter()
    closed: list[bool] = []
    real_load = openpyxl.load_workbook

    def load(*args: object, **kwargs: object) -> openpyxl.Workbook:
        book = real_load(*args, **kwargs)
        opened.append(book)
        for sheet in book.worksheets:
            sheet.iter_rows = _counting_rows(rows_read, sheet.title, sheet.iter_rows)
        real_close = book.close

        def close() -> None:
            closed.append(True)
            real_close()

        book.close = close
        return book

    monkeypatch.setattr(openpyxl, "load_workbook", load)
    rows = [[str(n), "某某", f"1101051949123{n % 10000:04d}", "13912345678"] for n in range(5000)]
    data = make_xlsx(rows)
    result = extract_text(data, "http://127.0.0.1/big.xlsx")
    assert result.text.count("\n") >= 4999
    assert len(opened) == 1 and opened[0].read_only and opened[0].data_only
    assert rows_read == {"Sheet": 5000, "第二页": 1} and closed == [True]
    # A text limit stops the reading: the first sheet is left half read, the second unopened.
    rows_read.clear()
    cut = extract_text(data, "http://127.0.0.1/big.xlsx", max_chars=2000)
    assert 0 < len(cut.text) <= 2000
    assert rows_read["Sheet"] < 100 and rows_read["第二页"] == 0 and closed == [True, True]


def _counting_rows(
    counter: Counter[str], title: str, iter_rows: Callable[..., Iterator[tuple[object, ...]]]
) -> Callable[..., Iterator[tuple[object, ...]]]:
    """``iter_rows`` of one sheet, counting the rows the caller actually pulls."""

    def counted(*args: object, **kwargs: object) -> Iterator[tuple[object, ...]]:
        for row in iter_rows(*args, **kwargs):
            counter[title] += 1
            yield row

    return counted


# -- bounded downloads -----------------------------------------------------------------------------


@pytest.fixture
def files() -> Iterator[tuple[str, dict[str, bytes]]]:
    served: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "/a.xlsx")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = served.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", served
    finally:
        server.shutdown()
        server.server_close()


def test_fetch_each_downloads_bounded_and_reports_failures(files) -> None:
    base, served = files
    served["/a.xlsx"] = make_xlsx(ROWS)
    served["/big.bin"] = b"x" * 50_000
    urls = [f"{base}/a.xlsx", f"{base}/big.bin", f"{base}/missing.pdf", f"{base}/redirect",
            "http://files.invalid/a.pdf", f"{base}/a.xlsx"]  # fmt: skip
    limits = FetchLimits(max_bytes=20_000, timeout_s=5.0, concurrency=3)
    got = dict(fetch_each(urls, limits, lambda f: f, guard=FetchGuard(base)))
    assert len(got) == 5  # each URL once
    assert got[f"{base}/a.xlsx"].status == 200 and not got[f"{base}/a.xlsx"].truncated
    assert extract_text(got[f"{base}/a.xlsx"].body).format == "xlsx"
    big = got[f"{base}/big.bin"]
    assert big.truncated and len(big.body) == 20_000
    assert got[f"{base}/missing.pdf"].status == 404
    assert got[f"{base}/redirect"].final_url.endswith("/a.xlsx")
    assert (
        got["http://files.invalid/a.pdf"].error and got["http://files.invalid/a.pdf"].status is None
    )


def test_fetch_each_stops_starting_requests_after_its_budget(files) -> None:
    base, served = files
    served["/x"] = b"data"
    limits = FetchLimits(concurrency=1, budget_s=0.0)
    assert list(fetch_each([f"{base}/x"] * 3 + [f"{base}/y"], limits, lambda f: f.status)) == []


def test_word_97_text_through_its_piece_table() -> None:
    """A WordDocument/table stream pair laid out as [MS-DOC] says: one UTF-16 piece, one
    "compressed" cp1252 piece, a property entry to skip before the piece table."""
    import struct

    from crawler.attachments import _text_runs, _word_pieces

    first, second = "姓名：王某某\r身份证号：", f"{ID_NO}\r"
    word = bytearray(0xA00)
    struct.pack_into("<II", word, 0x01A2, 0, 0)  # fcClx / lcbClx, filled below
    word[0x800 : 0x800 + 2 * len(first)] = first.encode("utf-16-le")
    word[0x900 : 0x900 + len(second)] = second.encode("cp1252")
    cps = (0, len(first), len(first) + len(second))
    pcds = struct.pack("<HIH", 0, 0x800, 0) + struct.pack("<HIH", 0, (0x900 * 2) | 0x40000000, 0)
    plc = struct.pack("<3I", *cps) + pcds
    table = bytes([0x01]) + struct.pack("<h", 2) + b"\x00\x00" + bytes([0x02])
    table += struct.pack("<I", len(plc)) + plc
    struct.pack_into("<II", word, 0x01A2, 0, len(table))
    assert _word_pieces(bytes(word), table) == first + second
    assert ID_NO in _text_runs(bytes(word))  # the fallback finds the number too


def test_downloads_pass_the_sites_guard_at_every_hop() -> None:
    """A public site's attachment that redirects to 127.0.0.2, and one linked there
    directly, are errors of the download; the server on 127.0.0.2 is never asked."""
    xlsx = make_xlsx(ROWS)
    inside = lb.serve({}, fallback=lb.raw(200, xlsx), address="127.0.0.2")
    with lb.servers(inside):
        leak = f"http://127.0.0.2:{inside.port}/list.xlsx"
        routes = {"/a.xlsx": lb.redirect(leak), "/b.xlsx": lb.raw(200, xlsx)}
        with lb.servers(lb.serve(routes)) as (site,):
            guard = FetchGuard(site.base_url, allow=[ipaddress.ip_network("127.0.0.1/32")])
            urls = [site.base_url + "a.xlsx", leak, site.base_url + "b.xlsx"]
            got = dict(fetch_each(urls, FetchLimits(timeout_s=5.0), lambda f: f, guard=guard))
    assert inside.hits == []
    for url in urls[:2]:
        assert got[url].status is None and REFUSED_TEXT in (got[url].error or ""), got[url]
    assert got[urls[2]].status == 200 and extract_text(got[urls[2]].body).format == "xlsx"
