"""A finding's message in the report's language, from its check id and evidence.

Checks store their message in Chinese (``Finding.message``), and the findings export keeps it
as the contract says. The Chinese report shows it as stored; the English report says the same
thing from the check id and ``detail``. A message is a list of segments ``(text, quoted)`` as
in reports.evidence: quoted text is copied from the crawled page and stays in its language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from checks.disclosure import republished
from reports import vocabulary as words
from reports.evidence import Line, humanise, reason_words, rule_text, wcag_text, word
from reports.fmt import show_date
from reports.i18n import VALIDITY, from_table
from scoring.scorer import needs_review

Detail = Mapping[str, Any]


def _seg(*parts: object) -> Line:
    """Plain strings stay plain; a 1-tuple ``(text,)`` is quoted page content."""
    line: Line = []
    for part in parts:
        if isinstance(part, tuple):
            line.append((str(part[0]), True))
        elif part not in (None, ""):
            line.append((str(part), False))
    return line


def _day(value: object) -> str:
    try:
        return show_date(dt.date.fromisoformat(str(value)[:10]), "en")
    except ValueError:
        return str(value)


def _broken_link(d: Detail) -> Line:
    kind = word(words.LINK_KINDS, d.get("kind") or "other", "en")
    kind = kind[:1].upper() + kind[1:]
    if d.get("error"):
        return _seg(f"{kind}: {word(words.FAILURES, d['error'], 'en')}")
    if d.get("status") is not None:
        return _seg(f"{kind} returns {d['status']}")
    return _seg(f"{kind} does not work")


def _broken_fragment(d: Detail) -> Line:
    return _seg(
        "In-page anchor #", (d.get("fragment") or "",), " does not exist on the target page"
    )


def _stale_column(d: Detail) -> Line:
    cadence = d.get("cadence_days")
    if not d.get("newest_date"):
        return _seg("No item of column ", (d.get("column") or "",),
                    f" shows a date: counted as not updated (due within {cadence} days)")  # fmt: skip
    return _seg("Column ", (d.get("column") or "",),
                f" not updated for {d.get('days_since')} days (newest item "
                f"{_day(d['newest_date'])}, due within {cadence} days)")  # fmt: skip


def _blank_column(d: Detail) -> Line:
    column = (d.get("column") or "",)
    reason = d.get("reason")
    if reason == "no_info" and d.get("placeholder"):
        return _seg("Column ", column, " only says ", (d["placeholder"],), " and has no items")
    if reason == "placeholder":
        return _seg("Every item of column ", column, " is an “under construction” placeholder")
    return _seg("Column ", column, " has no items")


def _home_not_updated(d: Detail) -> Line:
    nav = bool(d.get("navigation_only"))
    if not d.get("newest_date"):
        return _seg(
            "No dated item on the home page" + (" (nor on second-level pages)" if nav else "")
        )
    where = "Home and second-level pages" if nav else "Home page"
    return _seg(f"{where} not updated for {d.get('days_since')} days "
                f"(newest item {_day(d['newest_date'])})")  # fmt: skip


def _shown_validity(d: Detail) -> tuple[str] | str:
    raw = d.get("validity_raw") or d.get("title_marker")
    if raw:
        return (raw,)
    return from_table(VALIDITY, d.get("validity") or "", "en")


def _missing_validity_label(d: Detail) -> Line:
    if d.get("reason") == "empty":
        return _seg("The document's ", (d.get("validity_label") or "",), " field is empty")
    return _seg("Normative document without a validity label (no validity field and no "
                "validity marker in its title)")  # fmt: skip


def _validity_inconsistent(d: Detail) -> Line:
    shown = _shown_validity(d)
    reason = d.get("reason")
    if reason == "repeal_date_passed":
        return _seg(
            "Labelled ", shown, f", but its repeal date {_day(d.get('repeal_date'))} has passed"
        )
    if reason == "valid_until_passed":
        return _seg(
            "Labelled ", shown, f", but it was valid only until {_day(d.get('valid_until'))}"
        )
    if reason == "title_marker_disagrees":
        return _seg("The title marker ", (d.get("title_marker") or "",),
                    " disagrees with the validity field ", (d.get("validity_raw") or "",))  # fmt: skip
    if reason == "future_effective_date":
        return _seg(
            "Labelled ", shown, f", but it takes effect only on {_day(d.get('effective_date'))}"
        )
    if reason == "effective_date_reached":
        return _seg("Labelled ", shown, f", but it took effect on {_day(d.get('effective_date'))}")
    if reason == "period_expired":
        return _seg("Labelled ", shown, f", but the {d.get('period_years')}-year period its text "
                    f"sets (from {_day(d.get('basis_date'))}) ended on {_day(d.get('ends'))}")  # fmt: skip
    if reason == "default_period_expired":
        kind = "provisional documents" if d.get("provisional") else "documents stating no period"
        return _seg("Labelled ", shown, f", but the default period of {d.get('default_years')} "
                    f"years for {kind} (from {_day(d.get('basis_date'))}) ended on "
                    f"{_day(d.get('ends'))}: check whether it was extended")  # fmt: skip
    return _seg(f"Validity contradicts the document's dates ({reason_words(None, reason, 'en')})")


def _fields(codes: object) -> str:
    return ", ".join(word(words.FIELDS, c, "en") for c in codes or ())


def _missing_document_fields(d: Detail) -> Line:
    if d.get("missing"):
        return _seg(f"Normative document without: {_fields(d['missing'])}")
    return _seg(f"Normative document does not show: {_fields(d.get('recommended_missing'))} "
                "(recommended)")  # fmt: skip


def _missing_interpretation(d: Detail) -> Line:
    reason = d.get("reason")
    if reason == "interpretation_lacks_link":
        return _seg("One-way link: the original document links this interpretation, but the "
                    "interpretation does not link back to it")  # fmt: skip
    if reason == "original_lacks_link":
        return _seg("One-way link: an interpretation links this document, but the document "
                    "page does not link the interpretation")  # fmt: skip
    if reason == "no_backlink":
        return _seg("The interpretation page does not link the original document")
    if d.get("unrelated_links"):
        return _seg("Normative document without a linked policy interpretation (its "
                    "interpretation links lead to other documents' interpretations)")  # fmt: skip
    return _seg("Normative document without a linked policy interpretation")


def _unconfirmed(d: Detail) -> str:
    """What the Chinese message's 未经确认 note says, when the count rests on weekdays alone."""
    years = d.get("fallback_years")
    if not years:
        return ""
    if d.get("late_regardless"):
        return (f" (no official holiday arrangement for {', '.join(map(str, years))}: working days "
                "counted Monday to Friday; late even with the most holidays a year's notice "
                "can bring)")  # fmt: skip
    return (f" (no official holiday arrangement for {', '.join(map(str, years))}: working days "
            "counted Monday to Friday only, unconfirmed; needs review)")  # fmt: skip


def _late_interpretation(d: Detail) -> Line:
    line = (f"Interpretation published {d.get('working_days')} working days after the document "
            f"(limit {d.get('max_working_days')})")  # fmt: skip
    return _seg(line + _unconfirmed(d))


def _late_disclosure(d: Detail) -> Line:
    days = d.get("calendar_days")
    again = (" (more than a year apart: perhaps an old document published again; needs review)"
             if isinstance(days, int) and republished(days) else "")  # fmt: skip
    return _seg(f"Published {d.get('working_days')} working days after it was written "
                f"({_day(d.get('written_date'))} → {_day(d.get('published_date'))}); the limit is "
                f"{d.get('max_working_days')} working days{_unconfirmed(d)}{again}")  # fmt: skip


def _accessibility(d: Detail) -> Line:
    title = rule_text(str(d.get("rule") or ""), d.get("help"), "en")
    return _seg(f"{title} ({d.get('nodes')} elements; {wcag_text(str(d.get('wcag') or ''), 'en')})")


def _accessibility_template(d: Detail) -> Line:
    title = rule_text(str(d.get("rule") or ""), d.get("help"), "en")
    return _seg(f"Template problem: {title} ({d.get('failing_pages')} of "
                f"{d.get('template_pages')} checked pages of one template; "
                f"{wcag_text(str(d.get('wcag') or ''), 'en')})")  # fmt: skip


_ELDERLY: dict[str, Callable[[Detail], str]] = {
    "care_mode_entry": lambda d: "No entry to an accessible / elderly-care mode on the home page",
    "ad_script": lambda d: f"Ad scripts or ad slots on the page ({d.get('count')})",
    "popup_on_load": lambda d: (
        f"Pop-up or floating window on load ({len(d.get('popups') or ())}: "
        + ", ".join(sorted({word(words.ITEMS, p.get("kind"), "en") for p in d.get("popups") or ()}))
        + ")"
    ),
    "focus_not_visible": lambda d: (
        f"No visible focus indicator under the keyboard ({d.get('without_indicator')} of "
        f"{d.get('stops')} controls)"
    ),
    "keyboard_unreachable": lambda d: (
        f"{d.get('count')} clickable controls cannot be reached with the keyboard (Tab)"
    ),
}


def _elderly_friendly(d: Detail) -> Line:
    say = _ELDERLY.get(str(d.get("item")))
    return _seg(
        say(d) if say else f"Elderly-friendliness: {word(words.ITEMS, d.get('item'), 'en')}"
    )


def _site_unreachable(d: Detail) -> Line:
    ratio = d.get("ratio") or 0.0
    return _seg(f"Home page probed {d.get('probes')} times, {d.get('failures')} failed "
                f"({ratio:.1%}), reaching the {float(d.get('threshold') or 0):.0%} veto line")  # fmt: skip


def _interaction_unanswered(d: Detail) -> Line:
    reason = d.get("reason")
    if reason == "no_channel":
        return _seg("The site has no consultation channel (director's mailbox, enquiries, "
                    "messages …)")  # fmt: skip
    if reason == "replied_late":
        return _seg(f"Message of {_day(d.get('asked'))} answered after {d.get('days')} days "
                    f"({_day(d.get('answered'))}); the limit is {d.get('limit_days')} days")  # fmt: skip
    return _seg(f"Message of {_day(d.get('asked'))} still unanswered after {d.get('days')} "
                f"days; the limit is {d.get('limit_days')} days")  # fmt: skip


def _missing_required_page(d: Detail) -> Line:
    item, reason = d.get("item"), d.get("reason")
    if item == "guide" and reason == "incomplete":
        return _seg(f"The disclosure guide does not state: {_fields(d.get('missing'))}")
    if item == "annual_report" and reason == "previous_year_missing":
        return _seg(f"{_day(d.get('deadline'))} has passed and the {d.get('year')} annual "
                    "disclosure report is not published")  # fmt: skip
    if item == "search":
        if reason == "no_search":
            return _seg("No site search on the home page")
        if reason == "no_result":
            return _seg(
                "Site search does not find the site's own document ", (d.get("query") or "",)
            )
        if reason == "http_error":
            return _seg(f"Site search unavailable (HTTP {d.get('status')})")
        return _seg(f"Site search unreachable ({d.get('error') or 'error'})")
    what = word(words.ITEMS, item, "en")
    return _seg(f"No {what} found")


def _personal_data_exposed(d: Detail) -> Line:
    where = "Attachment" if d.get("source") == "attachment" else "Page"
    counts = d.get("counts") or {}
    found = ", ".join(f"{n} {word(words.PII_KINDS, k, 'en')}" for k, n in counts.items())
    return _seg(f"{where} publishes unmasked personal data: {found}")


def _expression_error(d: Detail) -> Line:
    kind = word(words.EXPRESSION_KINDS, d.get("rule_kind"), "en")
    return _seg(
        f"Needs review, {kind}: ",
        (d.get("wrong_text") or "",),
        " should read ",
        (d.get("right_text") or "",),
    )


def _content_tampered(d: Detail) -> Line:
    since = f" since the scan of {_day(d.get('previous_scan_date'))}, needs review"
    reason = next(iter(d.get("reasons") or ()), None)
    if reason == "text_replaced":
        similar = d.get("similarity") or 0.0
        return _seg(f"Most of the page's own text was replaced (similarity {similar:.0%})"
                    f"{since}: now ", (d.get("after_excerpt") or "",))  # fmt: skip
    if reason == "new_domain":
        hosts = ", ".join(str(h.get("host")) for h in d.get("new_domains") or ())
        return _seg("The page links to new outside hosts", since, ": ", (hosts,))
    return _seg("The title changed from ", (d.get("title_before") or "",), " to ",
                (d.get("title_after") or "",), since)  # fmt: skip


def _backdated_article(d: Detail) -> Line:
    return _seg(
        "Needs review: the article ",
        (d.get("title") or "",),
        f" is dated {_day(d.get('published_date'))}, before the scan of "
        f"{_day(d.get('previous_scan_date'))}, whose first page of the column ",
        (d.get("column") or "",),
        " did not list it",
    )


def _hidden_link(d: Detail) -> Line:
    how = word(words.TECHNIQUES, d.get("technique"), "en")
    return _seg(f"Needs review: hidden link to {d.get('target_host')} ({how})")


def _injected_code(d: Detail) -> Line:
    how = word(words.TECHNIQUES, d.get("technique"), "en")
    host = d.get("target_host")
    if d.get("technique") == "cloaking":
        who = word(words.VISITORS, d.get("visitor"), "en")
        return _seg(f"Needs review: the page differs when asked for as {who} ({how})")
    return _seg(f"Needs review, suspected injected code: {how}, leading to {host}")


def _suspicious_outbound_link(d: Detail) -> Line:
    reason = d.get("reason")
    if reason == "hidden_links":
        line = f"{d.get('count')} hidden external links (link farm) on the page"
        hijacked = d.get("hijacked") or ()
        if hijacked:
            kinds = ", ".join(reason_words(None, r, "en") for r in (d.get("reasons") or ())[1:])
            line += f"; {len(hijacked)} of them now lead to {kinds}"
        return _seg(line)
    text = d.get("text") or d.get("final_url") or ""
    return _seg("External link ", (text,), f" now leads to {reason_words(None, reason, 'en')}")


def _missing_site_identity(d: Detail) -> Line:
    item, reason = str(d.get("item")), d.get("reason")
    what = word(words.ITEMS, item, "en")
    pages = d.get("template_pages")
    if item == "gov_domain":
        return _seg(f"The site's host name {d.get('host')} is not a .gov.cn domain")
    if item in ("https", "certificate", "ipv6") and reason == "cannot_tell":
        return _seg(f"Cannot tell the site's {what} ({word(words.FAILURES, d.get('error'), 'en')}):"
                    " needs review")  # fmt: skip
    if item == "https":
        return _seg(f"The site does not offer HTTPS on {d.get('host')}:{d.get('port')}")
    if item == "certificate":
        if reason == "expiring":
            return _seg(f"The HTTPS certificate expires in {d.get('days_left')} days "
                        f"({_day(d.get('not_after'))})")  # fmt: skip
        return _seg(f"HTTPS certificate problem: {reason_words(None, reason, 'en')}")
    if item == "ipv6":
        return _seg(f"The site's host name {d.get('host')} has no IPv6 (AAAA) record")
    if item == "mixed_content":
        kinds = reason_words(None, reason, "en")
        return _seg(f"HTTPS pages load {kinds} over http:// ({d.get('count')} pages of one "
                    "template)")  # fmt: skip
    if reason == "invalid":
        return _seg(f"The footer's {what} is malformed: ", (d.get("shown") or "",),
                    f" ({pages} pages of one template)")  # fmt: skip
    return _seg(f"The page template's footer does not show the {what} ({pages} pages of one "
                "template)")  # fmt: skip


ENGLISH: dict[str, Callable[[Detail], Line]] = {
    "broken_link": _broken_link,
    "broken_fragment": _broken_fragment,
    "stale_column": _stale_column,
    "blank_column": _blank_column,
    "home_not_updated": _home_not_updated,
    "missing_validity_label": _missing_validity_label,
    "validity_inconsistent": _validity_inconsistent,
    "missing_document_fields": _missing_document_fields,
    "missing_interpretation": _missing_interpretation,
    "late_interpretation": _late_interpretation,
    "late_disclosure": _late_disclosure,
    "accessibility": _accessibility,
    "accessibility_template": _accessibility_template,
    "elderly_friendly": _elderly_friendly,
    "site_unreachable": _site_unreachable,
    "interaction_unanswered": _interaction_unanswered,
    "missing_required_page": _missing_required_page,
    "personal_data_exposed": _personal_data_exposed,
    "suspicious_outbound_link": _suspicious_outbound_link,
    "missing_site_identity": _missing_site_identity,
    "expression_error": _expression_error,
    "content_tampered": _content_tampered,
    "backdated_article": _backdated_article,
    "hidden_link": _hidden_link,
    "injected_code": _injected_code,
}


def finding_message(
    check: str, detail: Detail | None, stored: str, lang: str, title_en: str | None = None
) -> Line:
    """The message in ``lang``: Chinese as the check stored it; English from the evidence, or
    the check's English title when a check has no sentence here yet (never the Chinese)."""
    if lang != "en":
        return [(stored, False)]
    say = ENGLISH.get(check)
    if say is None:
        return _seg(title_en or humanise(check))
    try:
        line = say(detail or {})
    except (KeyError, TypeError, ValueError, AttributeError):  # evidence of an older shape
        return _seg(title_en or humanise(check))
    # The Chinese message says so too (checks/documents.py); a review the calendar asks for
    # is already in the sentence (_unconfirmed).
    normative_review = not (detail or {}).get("fallback_years") or "规范性文件待人工确认" in stored
    if needs_review(detail) and normative_review:
        line = [*line, (" (whether the page is a normative document needs review)", False)]
    return line
