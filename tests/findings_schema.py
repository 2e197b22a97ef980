"""The findings export's JSON Schema (docs/findings.schema.json), for every test that reads an
export: an export the suite produces that breaks the published contract fails the test that
produced it, not a consumer months later."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "docs" / "findings.schema.json"
# Enough to see what broke without drowning the assertion message.
MAX_ERRORS_SHOWN = 10


@cache
def findings_validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    # The format checker makes "date" a real calendar day, not just the pattern's digits.
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def export_errors(data: Any) -> list[str]:
    """Every way ``data`` breaks the schema, as "path: message" lines (none when it is valid)."""
    errors = sorted(findings_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    return [f"{e.json_path}: {e.message}" for e in errors]


def assert_valid_export(data: Any) -> Any:
    """Fail with the schema's complaints unless ``data`` is a valid govpatrol.findings/1
    export; returns ``data`` so a fixture can validate and hand it on in one line.

    ``data`` may be what ``export_json`` returns: it is judged as the JSON text it becomes
    (a value JSON cannot carry fails here too)."""
    errors = export_errors(json.loads(json.dumps(data, ensure_ascii=False)))
    shown = "\n".join(errors[:MAX_ERRORS_SHOWN])
    more = (
        f"\n… and {len(errors) - MAX_ERRORS_SHOWN} more" if len(errors) > MAX_ERRORS_SHOWN else ""
    )
    assert not errors, f"the export breaks docs/findings.schema.json:\n{shown}{more}"
    return data
