"""``govpatrol inspect URL|FILE``: what govpatrol reads from one page, and why.

The analysis is ``scan.inspect_page``; this module reads the page (``scan.inspect_fetch``),
then prints the result as a summary in the reader's language (``--lang``, Chinese by
default) or as the ``govpatrol.inspect/1`` JSON document (``--json``, docs/inspect.md).
Everything that came from the page is made safe for a terminal first: control and format
characters (escape sequences, bidirectional overrides) are dropped, so a hostile page cannot
drive the terminal it is shown in.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import unquote, urlsplit

import typer

from govpatrol.core.clock import office_today
from govpatrol.core.findings import SPECS
from reports import labels
from reports.evidence import reason_words
from reports.i18n import CATEGORIES, DOC_SOURCES, SEVERITIES, VALIDITY, from_table
from reports.messages import finding_message

if TYPE_CHECKING:
    from scan.inspect_fetch import FetchedPage

LANGS = ("zh", "en")
MAX_SHOWN_ITEMS = 30
MAX_SHOWN_LINKS = 10
_DOCUMENT_FIELDS = (
    "title", "doc_number", "index_no", "issuer", "registration_no", "written_date",
    "published_date", "effective_date", "repeal_date", "valid_until", "column_name",
)  # fmt: skip
# soft404's reasons, read back into codes the labels can say in either language
_SOFT_REASONS = (
    (re.compile(r"^标题提示错误页：(.+)$"), "soft_title"),
    (re.compile(r"^标题栏提示错误页：(.+)$"), "soft_heading"),
    (re.compile(r"^页面提示错误：(.+)$"), "soft_main"),
    (re.compile(r"^标题含 404$"), "soft_title_404"),
    (re.compile(r"^标题栏含 404$"), "soft_heading_404"),
    (re.compile(r"^页面提示 404$"), "soft_main_404"),
)


def safe(value: object) -> str:
    """Text fit for a terminal: control and format characters (Unicode Cc, Cf) become
    nothing or a space, so escape sequences and bidi overrides from a page are inert."""
    text = "" if value is None else str(value)
    cleaned = "".join(
        " " if ch in "\t\n\r\f\v" else ch
        for ch in text
        if ch in "\t\n\r\f\v" or unicodedata.category(ch) not in ("Cc", "Cf")
    )
    return re.sub(r" {2,}", " ", cleaned).strip()


def register(app: typer.Typer, *, fail: Callable[..., typer.Exit], parse_as_of) -> None:
    """Adds ``inspect`` to ``app``; ``fail`` and ``parse_as_of`` come from govpatrol.cli.main."""

    @app.command("inspect")
    def inspect_command(
        target: Annotated[str, typer.Argument(help="网址或本地 HTML 文件 (URL or FILE)")],
        url: Annotated[
            str | None,
            typer.Option("--url", help="本地文件在网站上的地址 (the file's address on its site)"),
        ] = None,
        as_of: Annotated[
            str | None,
            typer.Option("--as-of", help="按此日期判断 YYYY-MM-DD (judge as if today were DATE)"),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="输出 JSON (govpatrol.inspect/1, docs/inspect.md)")
        ] = False,
        lang: Annotated[str, typer.Option("--lang", help="zh 或 en")] = "zh",
    ) -> None:
        """显示 govpatrol 从一个页面读到的内容及判断依据 (what govpatrol reads from one page)"""
        if lang not in LANGS:
            raise fail(f"--lang 只能是 {' 或 '.join(LANGS)} (--lang is {' or '.join(LANGS)})")
        # imported here: the fetch and the analysis need Scrapy, which every other command's
        # process would otherwise load with the CLI (and a crawl's check worker, forked from
        # the scan process before the crawl imports Scrapy, carry: 27 MB of resident memory)
        from scan.inspect_fetch import InspectInputError
        from scan.inspect_page import inspect_page

        day = parse_as_of(as_of, lang) or office_today()
        try:
            fetched = _read(target, url)
        except InspectInputError as exc:
            raise fail(exc.text(lang), lang=lang) from None
        result = inspect_page(fetched, day)
        add_texts(result, lang)
        if as_json:
            sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
            return
        for line in summary(result, lang):
            typer.echo(line)


def _read(target: str, url: str | None) -> FetchedPage:
    from scan.inspect_fetch import InspectInputError, fetch_url, read_file

    scheme = urlsplit(target).scheme.lower() if "://" in target else ""
    if scheme == "file":
        return read_file(Path(unquote(urlsplit(target).path)), url)
    if scheme:
        if url is not None:
            raise InspectInputError(
                "--url 只用于本地文件（网址本身就是页面的地址）",
                "--url is for a local file only (a URL is the page's own address)",
            )
        if scheme not in ("http", "https"):
            raise InspectInputError(
                f"只支持 http/https 网址或本地文件：{target}",
                f"only an http/https URL or a local file: {target}",
            )
        return fetch_url(target)
    return read_file(Path(target), url)


# -- words -------------------------------------------------------------------------------------


def say(key: str, lang: str, **values: object) -> str:
    text = labels.label(f"inspect.{key}", lang)
    return text.format(**values) if values else text


def _joined(values: dict[str, Any], lang: str) -> dict[str, Any]:
    comma = ", " if lang == "en" else "、"
    return {
        k: comma.join(map(safe, v)) if isinstance(v, list) else safe(v) for k, v in values.items()
    }


def paren(text: str, lang: str) -> str:
    return f" ({text})" if lang == "en" else f"（{text}）"


def section(key: str, lang: str) -> str:
    return f"== {say(key, lang)} ==" if lang == "en" else f"【{say(key, lang)}】"


def reason_text(reason: dict[str, Any], prefix: str, lang: str) -> str:
    return say(f"{prefix}{reason['code']}", lang, **_joined(reason.get("values") or {}, lang))


def add_texts(result: dict[str, Any], lang: str) -> None:
    """The reasons' sentences in ``lang``, beside their codes (``text`` in docs/inspect.md)."""
    kind_reason = result["kind_reason"]
    if kind_reason["code"] == "error_page":  # soft404 words its reasons in Chinese
        shown = {
            **kind_reason["values"],
            "detail": soft_reason(kind_reason["values"]["detail"], lang),
        }
        kind_reason["text"] = reason_text({**kind_reason, "values": shown}, "reason_", lang)
    else:
        kind_reason["text"] = reason_text(kind_reason, "reason_", lang)
    listing = result.get("list")
    if listing is not None:
        stale = listing["stale"]["reason"]
        stale["text"] = reason_text(stale, "stale_", lang)


def soft_reason(reason: str | None, lang: str) -> str:
    """soft404's reason in ``lang`` (its wording is Chinese; the page's phrase stays as is)."""
    text = reason or ""
    if text.startswith("HTTP "):
        return text
    for pattern, key in _SOFT_REASONS:
        match = pattern.match(text)
        if match:
            return say(key, lang, **({"phrase": match.group(1)} if match.groups() else {}))
    return text


# -- the summary -------------------------------------------------------------------------------


def summary(result: dict[str, Any], lang: str) -> Iterator[str]:
    """The result as lines for a person, every value from the page made terminal-safe."""
    colon = ": " if lang == "en" else "："
    yield say("heading", lang, as_of=result["as_of"])
    yield f"{say('page', lang)}{colon}{safe(result['url'])}"
    if result["final_url"] != result["url"]:
        yield f"{say('final_url', lang)}{colon}{safe(result['final_url'])}"
    read = "read_file" if result["source"] == "file" else "read_http"
    yield f"{say('read', lang)}{colon}" + say(
        read, lang, status=result["status"], encoding=safe(result["encoding"])
    )
    if result["truncated"]:
        yield say("truncated", lang)
    yield f"{say('title', lang)}{colon}{safe(result['title'])}"
    yield f"{say('kind', lang)}{colon}{say('kind_' + result['kind'], lang)} ({result['kind']})"
    yield f"{say('why', lang)}{colon}{result['kind_reason']['text']}"
    error = result["error_page"]
    verdict = (
        say("yes_because", lang, reason=safe(soft_reason(error["reason"], lang)))
        if error["is_error_page"]
        else say("no", lang)
    )
    yield f"{say('error_page', lang)}{colon}{verdict}"
    if error["bot_challenge"]:
        yield f"{say('bot_challenge', lang)}{colon}{safe(error['bot_challenge'])}"
    yield f"  {say('error_note', lang)}"
    if result["list"] is not None:
        yield from _list_lines(result["list"], lang, colon)
    if result["channel"] is not None:
        channel = result["channel"]
        yield ""
        yield section("section_channel", lang)
        newest = channel["newest_date"] or say("none", lang)
        yield say("channel_items", lang, count=channel["dated_items"], newest=newest)
    if result["document"] is not None:
        yield from _document_lines(result["document"], lang, colon)


def _list_lines(listing: dict[str, Any], lang: str, colon: str) -> Iterator[str]:
    yield ""
    yield section("section_list", lang)
    yield f"{say('column', lang)}{colon}{safe(listing['column_name']) or say('none', lang)}"
    if listing["breadcrumb"]:
        yield f"{say('breadcrumb', lang)}{colon}" + " > ".join(map(safe, listing["breadcrumb"]))
    cadence = listing["cadence"]
    source = say(
        f"source_{cadence['source']}", lang, **_joined({"keyword": cadence["keyword"]}, lang)
    )
    category = from_table(CATEGORIES, cadence["category"], lang) or say("category_none", lang)
    if cadence["max_days"] is None:
        shown = say("cadence_none", lang, source=source)
    else:
        shown = say(
            "cadence_days", lang, category=category, days=cadence["max_days"], source=source
        )
    yield f"{say('cadence', lang)}{colon}{shown}"
    stale = listing["stale"]
    yield (
        f"{say('stale', lang)}{colon}{say('stale_' + stale['verdict'], lang)}"
        f" — {stale['reason']['text']}"
    )
    blank = listing["blank"]
    blank_text = (
        say("blank_yes", lang, reason=reason_words("blank_column", blank["reason"], lang))
        if blank["reason"]
        else say("no", lang)
    )
    yield f"{say('blank', lang)}{colon}{blank_text}"
    newest = listing["newest_date"] or say("none", lang)
    yield say(
        "items", lang, count=listing["item_count"], dated=listing["dated_count"], newest=newest
    )
    for item in listing["items"][:MAX_SHOWN_ITEMS]:
        date = item["date"] or say("no_date", lang)
        yield f"  {date}  {safe(item['title'])}  {safe(item['url'])}"
    if listing["item_count"] > MAX_SHOWN_ITEMS:
        yield "  " + say("more_items", lang, count=listing["item_count"] - MAX_SHOWN_ITEMS)
    if listing["pagination"]:
        yield say("pages", lang, count=len(listing["pagination"]))


def _document_lines(document: dict[str, Any], lang: str, colon: str) -> Iterator[str]:
    fields, sources = document["fields"], document["sources"]
    yield ""
    yield section("section_document", lang)
    for name in _DOCUMENT_FIELDS:
        value = fields.get(name)
        if value in (None, "", []):
            continue
        line = f"{say('field_' + name, lang)}{colon}{safe(value)}"
        if sources.get(name):
            line += paren(say("from_source", lang, source=_source_words(sources[name], lang)), lang)
        yield line
    shown = fields.get("fields") or {}
    if shown:
        yield f"{say('page_fields', lang)}{colon}".rstrip()
        for label, value in shown.items():
            yield f"  {safe(label)}{colon}{safe(value)}"
    yield from _validity_lines(document, lang, colon)
    normative = document["normative"]
    decision = say("decision_" + normative["decision"], lang)
    yield f"{say('normative', lang)}{colon}{decision}"
    if normative["reason"]:
        yield f"  {say('normative_reason', lang)}{colon}{safe(normative['reason'])}"
    for key, links in (
        ("interpretation_links", document["interpretation_links"]),
        ("original_links", document["original_links"]),
    ):
        if key == "original_links" and not document["is_interpretation"]:
            continue
        yield f"{say(key, lang)}{colon}{'' if links else say('none', lang)}".rstrip()
        for link in links[:MAX_SHOWN_LINKS]:
            yield f"  {safe(link)}"
    none = "" if document["findings"] else say("none", lang)
    yield f"{say('findings', lang)}{colon}{none}".rstrip()
    for finding in document["findings"]:
        yield "  " + _finding_line(finding, lang)


def _validity_lines(document: dict[str, Any], lang: str, colon: str) -> Iterator[str]:
    validity = document["validity"]
    value = from_table(VALIDITY, validity["value"], lang) if validity["value"] else ""
    line = f"{say('validity', lang)}{colon}{value or say('validity_none', lang)}"
    notes = []
    if validity["raw"]:
        notes.append(say("validity_raw", lang, raw=safe(validity["raw"])))
    if validity["source"]:
        notes.append(say("from_source", lang, source=_source_words(validity["source"], lang)))
    if notes:
        line += paren(("; " if lang == "en" else "；").join(notes), lang)
    yield line
    if validity["judged"]:
        yield f"  {say('verdict', lang)}{colon}{say('validity_' + validity['verdict'], lang)}"
    else:
        yield f"  {say('validity_not_judged', lang)}"


def _source_words(source: str, lang: str) -> str:
    """Where a field was read, in the reader's words (the reports' own table)."""
    return safe(from_table(DOC_SOURCES, source, lang))


def _finding_line(finding: dict[str, Any], lang: str) -> str:
    spec = SPECS.get(finding["check"])
    title = (spec.title_en if lang == "en" else spec.title_zh) if spec else finding["check"]
    severity = from_table(SEVERITIES, finding["severity"], lang)
    message = "".join(
        text for text, _quoted in finding_message(
            finding["check"], finding["detail"], finding["message"], lang,
            spec.title_en if spec else None,
        )
    )  # fmt: skip
    return f"[{severity}] {title} ({finding['check']}): {safe(message)}"
