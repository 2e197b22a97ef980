"""The findings export's JSON Schema (docs/findings.schema.json) holds the contract: it accepts
what ``export_json`` writes and refuses each way of breaking govpatrol.findings/1."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from sqlmodel import Session
from test_reports import build_store

from reports.export import FORMAT, export_json
from tests.findings_schema import SCHEMA_PATH, assert_valid_export, export_errors


@pytest.fixture
def exported(tmp_path: Path) -> dict[str, Any]:
    """The export of a scan with every kind of entry: new, open, triaged (with a note),
    fixed since the previous scan, links with a target and findings without."""
    store = build_store(tmp_path)
    with Session(store.engine) as session:
        data = json.loads(json.dumps(export_json(session, store.scan2), ensure_ascii=False))
    states = {f["state"] for f in data["findings"]}
    assert {"new", "open", "acknowledged", "false_positive"} <= states
    assert data["fixed"] and any("note" in f for f in data["findings"])
    assert any("target" in f for f in data["findings"])
    return data


def test_the_schema_is_a_valid_2020_12_schema_and_the_package_ships_the_same_file() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["format"] == {"const": FORMAT}
    packaged = resources.files("reports").joinpath("findings.schema.json").read_bytes()
    assert packaged == SCHEMA_PATH.read_bytes(), "reports/findings.schema.json differs from docs/"


def test_an_export_with_every_kind_of_entry_is_valid(exported: dict[str, Any]) -> None:
    assert export_errors(exported) == []
    assert assert_valid_export(exported) is exported


def _first_finding(data: dict[str, Any]) -> dict[str, Any]:
    return data["findings"][0]


def _veto(data: dict[str, Any]) -> dict[str, Any]:
    return next(i for i in data["score"]["indicators"] if i["kind"] == "veto")


def _deduction(data: dict[str, Any]) -> dict[str, Any]:
    return next(i for i in data["score"]["indicators"] if i["kind"] == "deduction")


# (what breaks the contract, the change, the path the schema complains at)
BREAKS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("another format", lambda d: d.update(format="govpatrol.findings/2"), "$.format"),
    ("a top-level key removed", lambda d: d.pop("not_seen"), "$"),
    ("an unknown top-level key", lambda d: d.update(extra=[]), "$"),
    ("a site without its url", lambda d: d["site"].pop("url"), "$.site"),
    ("a scan status nobody knows", lambda d: d["scan"].update(status="finished"), "$.scan.status"),
    ("a time without its offset", lambda d: d["scan"].update(started_at="2026-11-22T09:00:00"), "$.scan.started_at"),
    ("a day that does not exist", lambda d: d["scan"].update(as_of="2026-02-30"), "$.scan.as_of"),
    ("complete as text", lambda d: d["scan"].update(complete="yes"), "$.scan.complete"),
    ("a verdict in English", lambda d: d["score"].update(verdict="pass"), "$.score.verdict"),
    ("the official flag removed", lambda d: d["score"].pop("official"), "$.score"),
    ("a veto that is no indicator", lambda d: d["score"].update(vetoes=["broken_link"]), "$.score.vetoes[0]"),
    ("a veto with deduction fields", lambda d: _veto(d).update(deducted=1.0), "$.score.indicators[0]"),
    ("a deduction without its lines", lambda d: _deduction(d).pop("lines"), "$.score.indicators"),
    ("a finding field renamed", lambda d: _first_finding(d).update(url=_first_finding(d).pop("page")), "$.findings[0]"),
    ("a severity nobody knows", lambda d: _first_finding(d).update(severity="critical"), "$.findings[0].severity"),
    ("a state nobody knows", lambda d: _first_finding(d).update(state="closed"), "$.findings[0].state"),
    ("a fixed finding among the current", lambda d: _first_finding(d).update(lifecycle="fixed"), "$.findings[0].lifecycle"),
    ("a current finding among the fixed", lambda d: d["fixed"][0].update(lifecycle="open"), "$.fixed[0].lifecycle"),
    ("detail that is not an object", lambda d: _first_finding(d).update(detail=[]), "$.findings[0].detail"),
    ("an empty note", lambda d: _first_finding(d).update(note=""), "$.findings[0].note"),
]  # fmt: skip


@pytest.mark.parametrize(("why", "change", "path"), BREAKS, ids=[b[0] for b in BREAKS])
def test_the_schema_refuses_a_broken_contract(
    exported: dict[str, Any], why: str, change: Callable[[dict[str, Any]], None], path: str
) -> None:
    broken = copy.deepcopy(exported)
    change(broken)
    errors = export_errors(broken)
    assert errors, why
    assert any(e.startswith(path) for e in errors), errors
    with pytest.raises(AssertionError, match=r"docs/findings\.schema\.json"):
        assert_valid_export(broken)
