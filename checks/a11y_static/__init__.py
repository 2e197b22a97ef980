"""Accessibility rules decidable from the HTML alone, with axe-core's rule ids and semantics.

These run on every crawled page (the browser audit only sees a sample), so each rule is
what axe-core 4.x would decide without layout: the same selectors and the same "any"
checks (``alt`` / ``aria-label`` / ``aria-labelledby`` / ``title`` / ``<label>`` …), with
elements hidden from screen readers (``hidden``, ``aria-hidden="true"``, ``inert``, inline
``display:none`` / ``visibility:hidden``) inapplicable. Findings from here and from axe
merge by rule id. What needs layout (on-screen, CSS-hidden) is left to axe: when in doubt
a rule passes, because precision matters more than count. Colour contrast is computed from
the page's CSS and the site's linked sheets (:mod:`~checks.a11y_static.cascade`, :mod:`~checks.a11y_static.colours`,
:mod:`~checks.a11y_static.contrast`) only where that CSS settles the colours; on a page the
browser audits, axe's verdict replaces it (``checks.a11y_site_run``).


The entry points are :func:`checks.a11y_static.rules.audit` (violations, one
:class:`~checks.a11y_static.report.RuleResult` per rule) and
:func:`checks.a11y_static.rules.outcomes` (passed / failed / inapplicable per rule, as ACT
test cases state them). The rules live in one module per family (text alternatives,
language, names, ARIA, visitor control, structure, contrast) over one parsed
:class:`~checks.a11y_static.document.Doc` per page.
"""
