"""The classifier report: every document page of a folder of pages, with the normative
decision (规范性文件 / 非规范性文件 / 待人工确认) and its reason, as a Markdown table.

It is how a person checks extract/normative.py against pages nobody here wrote: run it over
the generated sample portal (``site/`` under the folder ``python -m sampleportal`` writes) and
over a folder of saved real pages described by an ``index.json`` (shared/real-pages)::

    python -m reports.normative_report --site PORTAL/site --real-pages REAL --out table.md

The tests write it as an artefact (tests/test_normative.py) and read it back.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from extract.documents import extract_document
from extract.normative import NEEDS_REVIEW, NORMATIVE, NOT_NORMATIVE
from extract.parse import build_parsed_page

DECISION_WORDS = {
    NORMATIVE: "规范性文件 (normative)",
    NOT_NORMATIVE: "非规范性文件 (not normative)",
    NEEDS_REVIEW: "待人工确认 (needs review)",
}
_HTML = {"content-type": "text/html"}  # no charset: the page's own <meta> decides, as crawled


@dataclass(frozen=True)
class ClassifiedPage:
    """One document page and what the classifier made of it."""

    source: str  # which folder: sample portal or real pages
    page: str  # its site path or file name
    title: str
    doc_number: str | None
    decision: str
    basis: str | None
    reason: str


def classify_file(source: str, page: str, url: str, body: bytes) -> ClassifiedPage | None:
    """The decision for one saved page, or None when the page is not a document at all."""
    meta = extract_document(build_parsed_page(url, url, 200, _HTML, body))
    if meta is None:
        return None
    return ClassifiedPage(
        source=source,
        page=page,
        title=meta.title or "",
        doc_number=meta.doc_number,
        decision=meta.normative_decision,
        basis=meta.normative_basis,
        reason=meta.normative_reason or "",
    )


def site_pages(site: Path, base_url: str = "http://127.0.0.1") -> Iterator[ClassifiedPage]:
    """Every document page of a site laid out at its URL paths (the sample portal's ``site/``)."""
    for path in sorted(site.rglob("*.html")):
        page = "/" + path.relative_to(site).as_posix()
        found = classify_file("sample portal", page, base_url + page, path.read_bytes())
        if found is not None:
            yield found


def real_pages(folder: Path) -> Iterator[ClassifiedPage]:
    """Every page of a real-pages folder that extraction takes for a document, in its
    ``index.json`` order, fetched as from its original address when known."""
    for entry in json.loads((folder / "index.json").read_text("utf-8")):
        url = (entry.get("source_url_if_known") or "http://www.example.gov.cn/page.html").split()[0]
        body = (folder / entry["file"]).read_bytes()
        found = classify_file("real pages", entry["file"], url, body)
        if found is not None:
            yield found


def _cell(text: str | None) -> str:
    """Page text in a table cell: no line breaks, no column separators, nothing as markup."""
    text = " ".join((text or "—").split())
    for char in "\\|`*_<>[]":
        text = text.replace(char, "\\" + char)
    return text


def markdown(rows: Iterable[ClassifiedPage]) -> str:
    """The table, grouped by source, with the count of each decision."""
    rows = list(rows)
    out = ["# 规范性文件判定 · Normative-document classification", ""]
    for source in dict.fromkeys(r.source for r in rows):
        mine = [r for r in rows if r.source == source]
        counts = Counter(r.decision for r in mine)
        summary = "，".join(f"{DECISION_WORDS[d]} {counts[d]}" for d in DECISION_WORDS)
        out += [f"## {source}", "", f"{len(mine)} 个文件页：{summary}", ""]
        out += ["| page | title | 文号 | decision | reason |", "|---|---|---|---|---|"]
        out += [
            f"| {_cell(r.page)} | {_cell(r.title)} | {_cell(r.doc_number)} | "
            f"{DECISION_WORDS[r.decision]} | {_cell(r.reason)} |"
            for r in mine
        ]
        out.append("")
    return "\n".join(out)


def write_report(out: Path, *, site: Path | None = None, real: Path | None = None) -> str:
    """Classify the folders given and write the table to ``out``; returns its text."""
    rows: list[ClassifiedPage] = []
    if site is not None:
        rows += site_pages(site)
    if real is not None and (real / "index.json").is_file():
        rows += real_pages(real)
    text = markdown(rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a site's pages at their URL paths")
    parser.add_argument("--real-pages", type=Path, help="a folder of saved pages with index.json")
    parser.add_argument("--out", type=Path, required=True, help="the Markdown file to write")
    args = parser.parse_args(argv)
    if args.site is None and args.real_pages is None:
        parser.error("give --site, --real-pages or both")
    write_report(args.out, site=args.site, real=args.real_pages)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
