"""personal_data_exposed: the number rules, pages, attachments on 127.0.0.1, the sample portal."""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote

import docx
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session, select

import checks.personal_data as personal_data
from checks.personal_data import PersonalDataCheck, exposure
from extract.parse import build_parsed_page
from extract.pii import _QUICK as QUICK_PATTERN
from extract.pii import (
    BANK_CARD,
    ID_CARD,
    MOBILE,
    find_pii,
    id_check_char,
    is_valid_id,
    luhn_ok,
    mask,
    may_contain,
    normalize,
)
from govpatrol.core.db import init_db, make_engine
from govpatrol.core.models import Finding, LinkOutcome, LinkSource, LinkTarget, Scan, Site
from govpatrol.core.types import ParsedPage, ScanContext, SiteContext
from govpatrol.core.writer import BatchWriter
from sampleportal.duties import PEOPLE
from sampleportal.truth import site_path
from tests.conftest import AS_OF
from tests.spies import count_calls
from tests.test_interaction import PortalScan, scan_sample_portal

ID_NO = "11010519491231002X"  # GB 11643's own example
CARD = "6222021234567890128"  # Luhn-valid UnionPay number


# -- the numbers -----------------------------------------------------------------------------------


def test_id_numbers_need_province_birth_date_and_check_character() -> None:
    assert is_valid_id(ID_NO) and is_valid_id(ID_NO.lower())
    assert not is_valid_id(ID_NO[:17] + "1")  # wrong check character
    assert not is_valid_id("99" + ID_NO[2:])  # no such province
    bad_day = "110105" + "19490231" + "002"
    assert not is_valid_id(bad_day + id_check_char(bad_day))  # 31 February
    future = "110105" + "20990101" + "002"
    assert not is_valid_id(future + id_check_char(future), today=AS_OF)


_PIECES = ["1", "138", "0", "5678", "1234", "99", " ", "-", "a", "中", "１"]


@given(st.lists(st.sampled_from(_PIECES), max_size=24).map("".join))
def test_the_pre_filter_passes_exactly_the_texts_the_quick_pattern_matches(text: str) -> None:
    """may_contain looks for _QUICK only inside runs of digits, spaces and hyphens: it must
    pass the same texts as _QUICK over the whole text, as written or with full-width digits
    read as digits."""
    expected = (
        QUICK_PATTERN.search(text) is not None or QUICK_PATTERN.search(normalize(text)) is not None
    )
    assert may_contain(text) == expected


@given(
    st.sampled_from(["11", "31", "44", "51", "65", "82"]),
    st.from_regex(r"[0-9]{4}", fullmatch=True),
    st.dates(dt.date(1900, 1, 1), AS_OF),
    st.from_regex(r"[0-9]{3}", fullmatch=True),
)
def test_any_id_with_its_check_character_is_found_and_any_other_is_not(
    province: str, area: str, born: dt.date, seq: str
) -> None:
    body = f"{province}{area}{born:%Y%m%d}{seq}"
    good = body + id_check_char(body)
    wrong = body + next(c for c in "0123456789X" if c != good[-1])
    assert [m.kind for m in find_pii(f"身份证号：{good}。", today=AS_OF)] == [ID_CARD]
    assert find_pii(f"身份证号：{wrong}。", today=AS_OF) == []


def test_masked_and_embedded_numbers_are_not_personal_data() -> None:
    text = (
        "身份证号：110101********1234，手机：138****5678，卡号：6222 **** **** 0128。"
        "索引号：11000000MB0000000X/2026-00001，网址 t20261122_13912345678.html，"
        "订单 1391234567890123，电话 0000-12345678，时间戳 1763788800000。"
    )
    assert find_pii(text) == []


def test_mobile_spellings_and_full_width_digits() -> None:
    found = find_pii("手机 139 1234 5678、139-1234-5679、１３９１２３４５６８０ 和 12912345678")
    assert [m.masked for m in found] == ["139******78", "139******79", "139******80"]


def test_bank_cards_need_luhn_a_scheme_prefix_and_bank_context() -> None:
    assert luhn_ok(CARD) and not luhn_ok(CARD[:-1] + "9")
    assert [m.kind for m in find_pii(f"银行卡号：{CARD}")] == [BANK_CARD]
    assert [m.kind for m in find_pii("账号：6222 0212 3456 7890 128")] == [BANK_CARD]
    assert find_pii(f"项目编号：{CARD}") == []  # no bank words anywhere: a serial number
    assert find_pii(f"银行卡号：{CARD[:-1]}9") == []  # fails Luhn
    assert find_pii("银行流水：1234567890123452") == []  # Luhn-valid, no card scheme


def test_an_id_number_passing_luhn_is_still_only_an_id() -> None:
    body = next(
        b
        for n in range(1000)
        if id_check_char(b := f"11010519800101{n:03d}") != "X" and luhn_ok(b + id_check_char(b))
    )
    found = find_pii(f"银行账户信息表 身份证号：{body + id_check_char(body)}")
    assert [m.kind for m in found] == [ID_CARD]


def test_masks_keep_five_or_six_characters_at_most() -> None:
    assert mask(ID_CARD, ID_NO) == "110*************2X"
    assert mask(MOBILE, "13912345678") == "139******78"
    assert mask(BANK_CARD, CARD) == "6222*************28"


def test_what_is_reported() -> None:
    one_contact = find_pii("联系人：张老师，手机：13912345678")
    assert exposure(one_contact) is None  # a contact number published on purpose
    roster = exposure(find_pii("13912345678 13687654321 15011112222"))
    assert roster is not None and not roster.severe and roster.counts == {MOBILE: 3}
    with_id = exposure(find_pii(f"{ID_NO} 13912345678"))
    assert with_id is not None and with_id.severe and with_id.counts == {ID_CARD: 1, MOBILE: 1}


# -- the page hook --------------------------------------------------------------------------------


def page(html: str, url: str = "http://127.0.0.1:9/gs/a.html") -> ParsedPage:
    body = f"<html><head><meta charset='utf-8'><title>公示</title></head><body>{html}</body></html>"
    return build_parsed_page(url, url, 200, {"content-type": "text/html"}, body.encode())


def context(scan_id: int = 1, site_id: int = 1, url: str = "http://127.0.0.1:9/") -> ScanContext:
    return ScanContext(scan_id=scan_id, site_id=site_id, site_url=url, site_name="某市民政局",
                       as_of=AS_OF)  # fmt: skip


def test_page_hook_reports_visible_numbers_only() -> None:
    check = PersonalDataCheck()
    table = "".join(f"<tr><td>{p[0]}</td><td>{p[1]}</td><td>{p[2]}</td></tr>" for p in PEOPLE)
    leak = list(check.on_page(page(f"<table>{table}</table>"), context()))
    assert len(leak) == 1 and leak[0].severity is None  # the spec's default: high
    assert leak[0].detail["counts"] == {ID_CARD: 4, MOBILE: 4}
    hidden = (
        f"<script>var ids = ['{ID_NO}'];</script><!-- {ID_NO} -->"
        f"<a href='/u?id={ID_NO}'>详情</a><input value='{ID_NO}'>"
    )
    assert list(check.on_page(page(hidden), context())) == []
    masked = "".join(f"<p>{p[0]} {p[1][:6]}********{p[1][-4:]}</p>" for p in PEOPLE)
    assert list(check.on_page(page(masked), context())) == []


def test_page_hook_skips_ordinary_pages_before_reading_their_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The digit pre-filter on the raw HTML spares nearly every page the text extraction and
    the matchers (bench/checks.py times the hook): a page without a long digit run is never
    turned into visible text nor given to the matcher; one with an ID number is."""
    calls = count_calls(monkeypatch, personal_data, "may_contain", "visible_text", "find_pii")
    check = PersonalDataCheck()
    ordinary = page(
        "<div>" + "<p>各级民政部门要压实工作责任，细化工作措施。2026-11-20</p>" * 400 + "</div>"
    )
    assert list(check.on_page(ordinary, context())) == []
    assert calls == {"may_contain": 1}  # a date is no digit run: stopped at the pre-filter
    listed = page(f"<p>{PEOPLE[0][0]} {ID_NO}</p>" + "<p>各级民政部门要压实工作责任。</p>" * 400)
    assert len(list(check.on_page(listed, context()))) == 1
    assert calls == {"may_contain": 2, "visible_text": 1, "find_pii": 1}


# -- the site hook: attachments served on 127.0.0.1 -------------------------------------------------


def xlsx(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def word(lines: list[str]) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def pdf(lines: list[str]) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    doc = canvas.Canvas(buf, invariant=1)
    doc.setFont("STSong-Light", 11)
    for n, line in enumerate(lines):
        doc.drawString(40, 800 - 18 * n, line)
    doc.save()
    return buf.getvalue()


HEAD = ["姓名", "身份证号码", "手机号码", "银行卡号"]
FILES = {
    "/f/低保名册.xlsx": xlsx([HEAD, *[[p[0], p[1], p[2], p[3]] for p in PEOPLE]]),
    "/f/脱敏名册.xlsx": xlsx([HEAD, *[[p[0], p[1][:6] + "********" + p[1][-4:], "139****5678", ""] for p in PEOPLE]]),
    "/f/救助名单.docx": word(["临时救助对象名单", *[f"{p[0]}　{p[1]}" for p in PEOPLE]]),
    "/f/联系方式.docx": word(["联系人：张老师", "手机：13912345678"]),
    "/f/发放明细.pdf": pdf([f"{p[0]} 银行卡号：{p[3]}" for p in PEOPLE]),
    "/f/空白.pdf": b"%PDF-1.4\n%%EOF\n",
}  # fmt: skip
LEAKING = {"/f/低保名册.xlsx": [ID_CARD, BANK_CARD, MOBILE], "/f/救助名单.docx": [ID_CARD],
           "/f/发放明细.pdf": [BANK_CARD]}  # fmt: skip


@pytest.fixture
def file_server() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = FILES.get(unquote(self.path))
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    ).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _site_and_scan(session: Session, file_server: str) -> tuple[Site, Scan]:
    site = Site(name="某市民政局", url=file_server + "/")
    session.add(site)
    session.commit()
    scan = Scan(site_id=site.id, as_of=AS_OF)
    session.add(scan)
    session.commit()
    return site, scan


def test_site_hook_reads_the_attachments_and_keeps_nothing_raw(
    file_server: str, tmp_path: Path
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    init_db(engine)
    with Session(engine, expire_on_commit=False) as session:
        site, scan = _site_and_scan(session, file_server)
        for n, path in enumerate([*FILES, "/f/报名表.xls"]):
            url = file_server + quote(path)
            outcome = LinkOutcome.broken if path.endswith(".xls") else LinkOutcome.ok
            session.add(LinkTarget(scan_id=scan.id, url=url, kind="attachment", outcome=outcome))
            for page_path in ("/gs/a.html", "/gs/b.html")[: 1 + n % 2]:
                session.add(
                    LinkSource(scan_id=scan.id, page_url=file_server + page_path, target_url=url)
                )
        session.commit()
        ctx = SiteContext(**vars(context(scan.id, site.id, site.url)), session=session)
        findings = list(PersonalDataCheck().on_site(ctx))
        session.commit()
        stats = session.get(Scan, scan.id).stats["personal_data"]["attachments"]
    got = {
        (unquote(f.target.removeprefix(file_server)), f.page.removeprefix(file_server)): f
        for f in findings
    }
    want = {(path, page) for n, path in enumerate(FILES) if path in LEAKING
            for page in ("/gs/a.html", "/gs/b.html")[: 1 + n % 2]}  # fmt: skip
    assert set(got) == want
    for (path, _), finding in got.items():
        assert finding.detail["kinds"] == LEAKING[path]
    text = repr([f.detail for f in findings]) + repr([f.message for f in findings])
    for person in PEOPLE:
        assert person[1] not in text and person[2] not in text and person[3] not in text
    assert stats == {"checked": 6, "read": 5, "unreadable": 1, "not_reached": 0, "exposed": 3}


def test_site_hook_lets_the_pipeline_writer_store_findings_while_it_runs(
    file_server: str, tmp_path: Path
) -> None:
    """The pipeline stores a hook's findings through a BatchWriter on its own connection while
    the hook is still running. The hook's recorded stats must be committed by then, or the
    writer waits on SQLite's lock until its busy timeout and the check fails."""
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    init_db(engine)
    with Session(engine, expire_on_commit=False) as session:
        site, scan = _site_and_scan(session, file_server)
        for path in LEAKING:
            url = file_server + quote(path)
            session.add(LinkTarget(scan_id=scan.id, url=url, kind="attachment", outcome="ok"))
            session.add(LinkSource(scan_id=scan.id, page_url=file_server + "/gs/a.html",
                                   target_url=url))  # fmt: skip
        session.commit()
        ctx = SiteContext(**vars(context(scan.id, site.id, site.url)), session=session)
        # max_wait_s=0: every finding is written at once, as a slow hook's would be
        writer = BatchWriter(make_engine(f"sqlite:///{tmp_path / 'store.db'}"), scan.id,
                             site.url, max_wait_s=0.0)  # fmt: skip
        for record in PersonalDataCheck().on_site(ctx):
            writer.add(record)
        session.commit()
        writer.flush()
    with Session(engine) as session:
        stored = session.exec(select(Finding).where(Finding.scan_id == scan.id)).all()
        stats = session.get(Scan, scan.id).stats["personal_data"]["attachments"]
    assert len(stored) == len(LEAKING)
    assert stats["exposed"] == len(LEAKING)


# -- the sample portal ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def portal_scan(tmp_path_factory: pytest.TempPathFactory) -> PortalScan:
    return scan_sample_portal(tmp_path_factory.getbasetemp())


def test_sample_portal_precision_and_recall(portal_scan: PortalScan) -> None:
    check = "personal_data_exposed"
    assert portal_scan.produced(check) == portal_scan.expected(check)
    assert len(portal_scan.expected(check)) == 2
    kinds = {site_path(f.page): f.detail["kinds"] for f in portal_scan.findings if f.check == check}
    for expected in portal_scan.truth.expected(check):
        assert kinds[expected.page] == expected.detail["kinds"]


def test_no_raw_number_reaches_the_store(portal_scan: PortalScan) -> None:
    store = Path(portal_scan.db_url.removeprefix("sqlite:///"))
    # the whole store: the database file and the write-ahead log not yet copied into it
    wal = store.with_name(store.name + "-wal")
    raw = store.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert (
        "低保金发放名册".encode() in raw
    )  # the store is plain text: the search below means something
    for person in PEOPLE:
        for number in person[1:]:
            assert number.encode() not in raw


def test_masked_and_hostile_cases_are_silent(portal_scan: PortalScan) -> None:
    """The 临时救助 公示 masks its table and shows a bad-checksum number, a landline and one
    official mobile: it is reported for its leaking attachment only, never for itself."""
    check = "personal_data_exposed"
    masked_page = next(f.page for f in portal_scan.truth.expected(check) if f.target)
    on_page = [target for page, target in portal_scan.produced(check) if page == masked_page]
    assert on_page == ["/upload/2026/低保金发放名册.xlsx"]
