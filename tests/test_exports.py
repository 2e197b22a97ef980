"""Exports of a stored scan: findings JSON (docs/findings-format.md), CSV and the XLSX 整改台账."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import Session, select
from test_reports import AS_OF, JS_URL, Store, build_store

from govpatrol.core.models import Finding, FindingState, Scan
from reports.export import (
    FORMAT,
    LEDGER_COLUMNS,
    dumps,
    export_csv,
    export_json,
    export_xlsx,
    neutralise,
    write_csv,
)
from scoring.scores import score_for_scan
from tests.findings_schema import assert_valid_export

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HYPERLINK = '=HYPERLINK("http://evil.invalid/","点击查看")'


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """The shared store plus cells made to run as formulas and to break XML."""
    store = build_store(tmp_path)
    with Session(store.engine) as s:
        link = s.exec(select(Finding).where(Finding.fingerprint == "link-5")).one()
        link.message = HYPERLINK
        s.add(link)
        s.add(
            Finding(
                scan_id=store.scan2,
                check="accessibility",
                page="-1+1",
                message="\tstarts with a tab\x01 and a control char\x0b",
                fingerprint="weird-1",
                detail={"rule": "label"},
            )
        )
        s.add(
            FindingState(
                site_id=store.site_id, fingerprint="new-1", state="acknowledged", note="+86 已核实"
            )
        )
        s.commit()
    return store


def _store_counts(store: Store) -> Counter[str]:
    with Session(store.engine) as s:
        return Counter(s.exec(select(Finding.check).where(Finding.scan_id == store.scan2)).all())


def test_json_export_matches_the_contract_and_round_trips(store: Store):
    with Session(store.engine) as s:
        data = export_json(s, store.scan2)
        live = score_for_scan(s, s.get(Scan, store.scan2)).to_dict()
    parsed = json.loads(dumps(data))
    assert parsed == data  # JSON-serialisable as is, nothing lost
    assert_valid_export(parsed)
    assert parsed["format"] == FORMAT
    assert parsed["site"] == {"name": "某市民政局", "url": "http://127.0.0.1:8765/"}
    scan = parsed["scan"]
    assert {"id", "trigger", "status", "started_at", "finished_at", "as_of", "stats"} <= set(scan)
    assert scan["as_of"] == AS_OF.isoformat()
    assert scan["status"] == "done"
    assert scan["started_at"] == "2026-11-22T09:00:00+08:00"  # 01:00 UTC in Beijing time
    assert scan["stats"]["pages"] == 120
    assert parsed["score"] == {**live, "official": True}  # a complete scan: the verdict
    assert {"verdict", "points", "vetoes", "indicators"} <= set(parsed["score"])
    findings = parsed["findings"]
    assert Counter(f["check"] for f in findings) == _store_counts(store)
    for f in findings:
        assert {"check", "severity", "page", "message", "detail", "fingerprint", "state"} <= set(f)
        assert ("target" in f) == (f["check"] == "broken_link")
    states = {f["fingerprint"]: f["state"] for f in findings}
    assert states["link-1"] == "acknowledged"
    assert states["link-3"] == "new"
    assert states["stale-1"] == "open"
    assert states["stale-2"] == "false_positive"
    note = next(f["note"] for f in findings if f["fingerprint"] == "stale-2")
    assert note == "栏目已撤销"
    assert [f["fingerprint"] for f in parsed["fixed"]] == ["link-2"]


def test_csv_ledger_round_trips_and_neutralises_formulas(store: Store):
    with Session(store.engine) as s:
        text = export_csv(s, store.scan2)
        n_current = len(s.exec(select(Finding).where(Finding.scan_id == store.scan2)).all())
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header == [zh for zh, _, _ in LEDGER_COLUMNS]
    assert len(body) == n_current + 1  # + the finding fixed since the previous scan
    assert [r[0] for r in body] == [str(i) for i in range(1, len(body) + 1)]
    for row in body:
        for cell in row:
            assert not cell.startswith(FORMULA_START), cell
    col = {name: i for i, name in enumerate(header)}
    by_fp = {r[col["指纹"]]: r for r in body}
    assert by_fp["link-5"][col["问题描述"]] == "'" + HYPERLINK
    assert by_fp["new-1"][col["问题描述"]] == "'@unknown check"
    assert by_fp["new-1"][col["整改情况"]] == "'+86 已核实"
    assert by_fp["weird-1"][col["页面"]] == "'-1+1"
    assert by_fp["weird-1"][col["问题描述"]].startswith("'\t")
    assert by_fp["link-6"][col["页面"]] == JS_URL  # printed as text, never a link
    # 10 working days after Sunday 22 November 2026; none for dismissed or fixed findings.
    assert by_fp["link-3"][col["整改时限"]] == "2026-12-04"
    assert by_fp["stale-2"][col["整改时限"]] == ""
    assert by_fp["link-2"][col["状态"]] == "已整改"
    assert by_fp["link-2"][col["整改时限"]] == ""
    assert by_fp["stale-1"][col["状态"]] == "仍存在"
    assert by_fp["link-3"][col["严重程度"]] == "中"
    # First seen: stale-1 was already in the previous week's scan.
    assert by_fp["stale-1"][col["发现时间"]] < by_fp["link-3"][col["发现时间"]]


def test_write_csv_has_a_bom_for_excel(store: Store, tmp_path: Path):
    with Session(store.engine) as s:
        path = write_csv(s, store.scan2, tmp_path / "ledger.csv", lang="en")
        text = export_csv(s, store.scan2, lang="en")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].decode("utf-8") == text
    assert text.splitlines()[0].startswith("No.,Problem type,Severity,Page")


def test_xlsx_ledger(store: Store, tmp_path: Path):
    with Session(store.engine) as s:
        path = export_xlsx(s, store.scan2, tmp_path / "ledger.xlsx")
        n_current = len(s.exec(select(Finding).where(Finding.scan_id == store.scan2)).all())
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["整改台账", "指标得分"]
    ws = wb["整改台账"]
    assert "某市民政局网站问题整改台账" in ws["A1"].value
    header = [c.value for c in ws[2]]
    assert header[:11] == [
        "序号",
        "问题类型",
        "严重程度",
        "页面",
        "目标",
        "问题描述",
        "证据",
        "发现时间",
        "状态",
        "整改情况",
        "整改时限",
    ]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == n_current + 1
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == f"A2:N{len(rows) + 2}"
    for row in ws.iter_rows(min_row=1):
        for cell in row:
            assert cell.data_type != "f", cell.coordinate  # no formula anywhere
            if isinstance(cell.value, str):
                assert not cell.value.startswith(FORMULA_START), cell.coordinate
    fp_col = header.index("指纹")
    by_fp = {r[fp_col]: r for r in rows}
    assert by_fp["link-5"][header.index("问题描述")] == "'" + HYPERLINK
    weird = by_fp["weird-1"][header.index("问题描述")]
    assert weird == "'\tstarts with a tab and a control char"  # \x01 and \x0b dropped
    assert isinstance(by_fp["link-3"][0], int)  # 序号 stays a number
    score = wb["指标得分"]
    assert score["A1"].value == "合格"
    assert [c.value for c in score[2]] == ["指标", "类型", "数量", "扣分", "触发", "规则"]


def test_xlsx_in_english(store: Store, tmp_path: Path):
    with Session(store.engine) as s:
        path = export_xlsx(s, store.scan2, tmp_path / "ledger-en.xlsx", lang="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Ledger", "Score"]
    assert wb["Ledger"]["A2"].value == "No."
    assert wb["Score"]["A1"].value == "Pass"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+86", "'+86"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("普通文字", "普通文字"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_unknown_scan_is_an_error(store: Store):
    with Session(store.engine) as s, pytest.raises(ValueError):
        export_json(s, 9999)
