"""Every label the reports, the exports and the dashboard show, in English.

reports/labels/zh.py holds the same keys in Chinese (tests/test_labels.py checks it). A key is
``section.name``; reports.i18n and dashboard.i18n look the labels up by section.
"""

LABELS: dict[str, str] = {
    # ── report: the site report, the overview and the exports
    # report frame
    "report.site_report": "Website inspection report",
    "report.org_overview": "Website inspection bulletin",
    "report.site": "Site",
    "report.scan": "Scan",
    "report.as_of": "Judged as of",
    "report.started": "Started",
    "report.finished": "Finished",
    "report.status": "Status",
    "report.trigger": "Trigger",
    "report.pages_crawled": "Pages crawled",
    "report.link_targets": "Link targets",
    "report.browser_audited": "Pages audited in a browser",
    "report.generated": "Generated",
    "report.partial_scan": (
        "This scan is incomplete ({status}): it is not the site's official result and counts in no "
        "overview, ranking or trend. Checks run to the end: {checks}. Findings not rechecked or on "
        "pages not crawled are not counted as fixed."
    ),
    "report.only_checks_scan": (
        "This scan ran only some checks ({checks}): it is not the site's official result and "
        "counts in no overview, ranking or trend."
    ),
    "report.no_checks": "none",
    "report.no_scan": "This site has no completed scan yet.",
    # verdict
    "report.verdict": "Verdict",
    "report.points": "Points",
    "report.vetoes": "Single vetoes",
    "report.no_veto": "No single veto",
    "report.points_not_official": (
        "A single veto fired: the points are for information only, not the official score."
    ),
    "report.pass_mark_rule": "below {mark:g} points fails",
    "report.bonus": "Bonus",
    # changes
    "report.changes": "Since the previous scan",
    "report.previous_scan": "Previous scan",
    "report.no_previous": "No previous scan to compare with.",
    "report.check": "Check",
    "report.total": "Total",
    "report.fixed_list": "Fixed findings",
    "report.not_seen_list": "Findings this scan did not recheck (not counted as fixed)",
    # trend
    "report.trend": "Points over the last 12 weeks",
    "report.trend_empty": "No earlier points yet.",
    # score table
    "report.score_table": "Score by indicator",
    "report.indicator": "Indicator",
    "report.kind": "Type",
    "report.kind_veto": "Single veto",
    "report.kind_deduction": "Deduction",
    "report.rule": "Rule",
    "report.count": "Count",
    "report.count_paren": " (count {n})",
    "report.breakdown": "Calculation",
    "report.deducted": "Deducted",
    "report.max": "Cap",
    "report.fired": "Fired",
    "report.not_fired": "Not fired",
    "report.estimate_note": (
        "Weights marked * are configurable estimates (the 2019 table's per-item deductions were "
        "not verified from the primary text) and can be adjusted."
    ),
    "report.cap_applied": "capped",
    "report.probes_summary": "{failures} of {probes} probes failed ({ratio})",
    "report.probes_insufficient": "{probes}/{required} probes: too few to decide",
    "report.stale_summary": "time-boxed {timeboxed}, long-term {longterm}",
    "report.points_formula": "100 − total deductions",
    # findings
    "report.findings": "Findings",
    "report.filter": "Filter: type words (page, target, message…)",
    "report.filter_state": "State",
    "report.all_states": "All states",
    "report.shown": "Showing",
    "report.where": "Where",
    "report.what": "What",
    "report.evidence": "Evidence",
    "report.how_to_fix": "How to fix",
    "report.severity": "Severity",
    "report.state": "State",
    "report.target": "Target",
    "report.page": "Page",
    "report.note": "Note",
    "report.none_found": "Nothing found.",
    "report.more_pages": "and {n} pages in all",
    "report.needs_review": "Needs review",
    "report.needs_review_note": (
        "Findings marked “needs review” are on pages that may or may not be normative "
        "documents: they are shown at low severity, deduct nothing and fire no veto until "
        "a person confirms them."
    ),
    # links
    "report.links_section": "Links",
    "report.by_page": "By page",
    "report.by_target": "By target",
    "report.unverified": "Links that could not be verified",
    "report.unverified_note": (
        "These links hit bot protection, rate limits or robots.txt: they are not counted as "
        "broken; check them by hand."
    ),
    "report.found_on": "Found on",
    "report.broken_targets": "broken links",
    "report.pages_count": "pages",
    # columns
    "report.columns_section": "Columns",
    "report.column": "Column",
    "report.category": "Category",
    "report.cadence": "Cadence",
    "report.days": "days",
    "report.newest": "Newest item",
    "report.items": "Items",
    "report.col_state": "State",
    "report.col_fresh": "Up to date",
    "report.col_stale": "{n} days overdue",
    "report.col_blank": "Blank",
    "report.col_unchanged": "Legitimately unchanged (marked)",
    "report.col_not_judged": "Not judged",
    "report.no_columns": "No columns were recognised in this scan.",
    # documents
    "report.documents_section": "Normative documents",
    "report.register": "Document register",
    "report.title": "Title",
    "report.doc_number": "Document number",
    "report.written": "Written",
    "report.published": "Published",
    "report.effective": "In force from",
    "report.validity": "Validity",
    "report.interpretation": "Interpretation",
    "report.yes": "yes",
    "report.no": "no",
    "report.no_documents": "No normative documents were recognised.",
    # accessibility
    "report.a11y_section": "Accessibility",
    "report.template": "Page template",
    "report.no_template": "Pages without a template group",
    "report.a11y_rule": "Rule",
    "report.impact": "Impact",
    "report.other_section": "Other checks",
    # overview
    "report.org": "Organisation",
    "report.overall": "1. Overall",
    "report.main_problems": "2. Main problems",
    "report.requirements": "3. Rectification requirements",
    "report.rank": "Rank",
    "report.change": "Change",
    "report.report_link": "Report",
    "report.open_report": "Open",
    "report.not_scanned": "Not scanned",
    "report.no_complete_scan": (
        "No complete scan yet, so no verdict (incomplete and partial-check scans do not count)"
    ),
    "report.overall_text": (
        "{total} sites inspected: {passed} passed, {failed} failed ({vetoed} by a single veto), "
        "{unscanned} not scanned; pass rate {rate}."
    ),
    "report.requirements_text": (
        "Each site's owner shall fix every item listed here and in its site report by {deadline} "
        "(within {n} working days) and report back; the next scan verifies the fixes."
    ),
    "report.deadline_fallback": "(holiday data unavailable: counted Monday to Friday)",
    "report.no_problems": "No problems found on any site.",
    "report.new_count": "new",
    "report.fixed_count": "fixed",
    "report.sites_in_org": "Sites",
    # exports
    "report.ledger_sheet": "Ledger",
    "report.score_sheet": "Score",
    "report.ledger_title": "{site} website rectification ledger (as of {day})",
    # ── state: a finding's state in a scan and its triage (scoring/states.py)
    "state.new": "New",
    "state.open": "Still open",
    "state.fixed": "Fixed",
    "state.not_rechecked": "Not rechecked",
    "state.not_crawled": "Page not crawled",
    "state.acknowledged": "Acknowledged",
    "state.false_positive": "False positive",
    "state.unchanged": "Legitimately unchanged",
    # ── check_name: the checks a scan ran (checks/table.py names), as a reader names them
    "check_name.availability": "availability",
    "check_name.links": "links",
    "check_name.freshness": "column freshness",
    "check_name.documents": "normative documents",
    "check_name.disclosure": "information disclosure",
    "check_name.interaction": "interaction",
    "check_name.required_pages": "required pages and site search",
    "check_name.accessibility": "accessibility",
    "check_name.personal_data": "personal data",
    "check_name.outbound": "outbound and hidden links",
    # ── severity: finding severities
    "severity.high": "High",
    "severity.medium": "Medium",
    "severity.low": "Low",
    # ── verdict: a site's verdict (scoring.scorer PASS, FAIL)
    "verdict.pass": "Pass",
    "verdict.fail": "Fail",
    # ── scan_status: a scan's status
    "scan_status.queued": "Queued",
    "scan_status.running": "Running",
    "scan_status.done": "Done",
    "scan_status.partial": "Partial",
    "scan_status.failed": "Failed",
    # ── category: column categories
    "category.dynamic": "News / dynamics",
    "category.notice": "Notices / policies",
    "category.personnel": "Personnel / plans",
    # ── validity: a document's validity (有效性); empty: not labelled
    "validity.effective": "Effective",
    "validity.partially_invalid": "Partially invalid",
    "validity.amended": "Amended",
    "validity.repealed": "Repealed",
    "validity.expired": "Expired",
    "validity.not_yet_effective": "Not yet effective",
    "validity.": "Not labelled",
    # ── normative_basis: why a page was (not) judged a normative document (extract/normative.py)
    "normative_basis.interpretation": "an interpretation page, not a document",
    "normative_basis.metadata_not_normative": "the page's metadata says it is not a normative document",
    "normative_basis.decree_number": "a decree number: a regulation or ministerial rule, not a normative document",
    "normative_basis.news_column": "it sits in a news column",
    "normative_basis.draft": "a draft for comment",
    "normative_basis.registration_no": "it carries a normative-document registration number",
    "normative_basis.rule_number": "its number is one reserved for normative documents",
    "normative_basis.declared_but_type": "its metadata says normative document, but its title names another document type",
    "normative_basis.metadata": "its metadata says normative document",
    "normative_basis.column_but_type": "it sits in a normative-documents column, but its title names another document type",
    "normative_basis.rule_column": "it sits in a normative-documents column",
    "normative_basis.non_normative_type": "its title names a document type that is never normative",
    "normative_basis.routine_title": "its title is routine business (awards, appointments, meetings, hiring, procurement)",
    "normative_basis.no_doc_number": "no document number and no sign of a normative document",
    "normative_basis.letter_number": "its number is that of a letter, telegram, appointment or reply",
    "normative_basis.transmits_rule": "a numbered notice transmitting a rule",
    "normative_basis.rule_type": "a document number and a title naming a rule",
    "normative_basis.work_arrangement": "numbered, but its title is a work arrangement",
    "normative_basis.ambiguous_type": "numbered, and its document type may or may not be a rule",
    "normative_basis.rule_like_notice": "a numbered notice whose title or final clause reads like a rule",
    "normative_basis.number_only": "only a document number, which alone never makes a normative document",
    # ── weight: deduction weights a score line names besides the check's own
    "weight.home_link_penalty": "home-page links",
    "weight.other_link_penalty": "other links",
    # ── cut_reason: what a scan's budgets cut (reports/cuts.py), by reason
    "cut_reason.robots_txt": (
        "robots.txt too large: only {rules_read} rules in its first {bytes_read} bytes were read "
        "(limits {max_bytes} bytes, {max_rules} rules); the rules after them were not obeyed"
    ),
    "cut_reason.robots_txt_unread": (
        "robots.txt was larger than the download limit and could not be read: none of its rules "
        "were obeyed"
    ),
    "cut_reason.page_links": (
        "{pages} page(s) carried more links than the per-page limit ({limit}): {count} links were "
        "not taken or verified"
    ),
    "cut_reason.link_targets": (
        "Link targets exceeded the per-scan limit ({limit}): {count} links were not verified; "
        "{listed} of their targets are listed under links that could not be verified"
    ),
    "cut_reason.max_pages": (
        "The page limit ({limit}) was reached; pages found after it were not crawled ({count} "
        "skipped)"
    ),
    "cut_reason.crawl_time": (
        "The crawl's time budget ({budget_s} s) ran out: {count} pages found were not crawled"
    ),
    "cut_reason.link_verify_time": (
        "The link verification time budget ({budget_s} s) ran out: {count} link targets were not "
        "verified"
    ),
    "cut_reason.scan_time": (
        "The whole-scan time budget ({budget_s} s) ran out and the scan ended early{skipped}"
    ),
    # ── dashboard: the dashboard's own words
    "dashboard.app": "govpatrol",
    "dashboard.sites": "Sites",
    "dashboard.orgs": "Organisations",
    "dashboard.users": "Users",
    "dashboard.account": "My account",
    "dashboard.api_docs": "API docs",
    "dashboard.logout": "Sign out",
    "dashboard.login": "Sign in",
    "dashboard.username": "Username",
    "dashboard.password": "Password",
    "dashboard.login_failed": "Wrong username or password",
    "dashboard.login_throttled": "Too many failed sign-ins; try again in {minutes} minutes",
    "dashboard.language": "Language",
    "dashboard.address_zone": "Address zone",
    "dashboard.address_zone_help": (
        "Fixed from what the name resolves to when the site is registered or saved; scans, probes "
        "and link checks reach public addresses and this zone only"
    ),
    "dashboard.zone_public": "public addresses only",
    "dashboard.zone_loopback": "this host (loopback)",
    "dashboard.zone_private": "private network",
    "dashboard.zone_shared": "shared address space (100.64/10)",
    "dashboard.name": "Name",
    "dashboard.url": "URL",
    "dashboard.org": "Organisation",
    "dashboard.parent_org": "Parent organisation",
    "dashboard.none": "none",
    "dashboard.last_scan": "Last scan",
    "dashboard.verdict": "Verdict",
    "dashboard.reference_verdict": "For reference only (not official)",
    "dashboard.not_official": "no verdict",
    "dashboard.points": "Points",
    "dashboard.vetoes": "Single vetoes",
    "dashboard.no_sites": "No sites to show.",
    "dashboard.add_site": "Add a site",
    "dashboard.edit_site": "Edit site",
    "dashboard.save": "Save",
    "dashboard.create": "Create",
    "dashboard.delete": "Delete",
    "dashboard.schedule": "Schedule",
    "dashboard.schedule_default": "default (staggered over Sunday night)",
    "dashboard.cron_help": (
        "cron: minute hour day month weekday (Beijing time); when filled it overrides the picker"
    ),
    "dashboard.schedule_days": "Every week on",
    "dashboard.schedule_time": "Time (Beijing time)",
    "dashboard.schedule_picker_help": (
        "No weekday and no cron line: the default slot (staggered over Sunday night)"
    ),
    "dashboard.schedule_advanced": "Advanced: cron line",
    "dashboard.schedule_time_invalid": "Give the picked weekdays a valid time (e.g. 21:37)",
    "dashboard.day_mon": "Mon",
    "dashboard.day_tue": "Tue",
    "dashboard.day_wed": "Wed",
    "dashboard.day_thu": "Thu",
    "dashboard.day_fri": "Fri",
    "dashboard.day_sat": "Sat",
    "dashboard.day_sun": "Sun",
    "dashboard.show_evidence": "Evidence ({n} items)",
    "dashboard.choose_triage": "— choose —",
    "dashboard.triage_not_chosen": "Choose a triage state first",
    "dashboard.next_run": "Next scan",
    "dashboard.inactive": "Inactive",
    "dashboard.active": "Active",
    "dashboard.portal": "Portal",
    "dashboard.government": "Government's own site",
    "dashboard.config": "Advanced config (JSON)",
    "dashboard.config_help": (
        'e.g. {"thresholds": {"max_pages": 5000}, "scan_options": {"browser": false}}'
    ),
    "dashboard.config_invalid_json": "Config is not a valid JSON object",
    "dashboard.scan_now": "Scan now",
    "dashboard.scan_started": "Scan #{id} started",
    "dashboard.scan_busy": "This site already has a scan going",
    "dashboard.progress": "Scan progress",
    "dashboard.stage": "Stage",
    "dashboard.pages": "Pages",
    "dashboard.queued": "Queue",
    "dashboard.errors": "Errors",
    "dashboard.findings": "Findings",
    "dashboard.rate": "pages/s",
    "dashboard.history": "Scan history",
    "dashboard.trigger": "Trigger",
    "dashboard.status": "Status",
    "dashboard.started": "Started",
    "dashboard.finished": "Finished",
    "dashboard.report": "Report",
    "dashboard.open_report": "Open report",
    "dashboard.latest_report": "Latest report",
    "dashboard.no_scans": "Not scanned yet.",
    "dashboard.availability": "Availability probes (24 h)",
    "dashboard.probes": "Probes",
    "dashboard.failures": "Failures",
    "dashboard.last_probe": "Latest",
    "dashboard.ok": "OK",
    "dashboard.failed": "Failed",
    "dashboard.scan": "Scan",
    "dashboard.site": "Site",
    "dashboard.export": "Export",
    "dashboard.filter": "Filter",
    "dashboard.all": "All",
    "dashboard.check": "Check",
    "dashboard.severity": "Severity",
    "dashboard.needs_review": "Needs review",
    "dashboard.state": "State",
    "dashboard.untriaged": "Not triaged",
    "dashboard.page": "Page",
    "dashboard.target": "Target",
    "dashboard.message": "Problem",
    "dashboard.evidence": "Evidence",
    "dashboard.triage": "Triage",
    "dashboard.note": "Note",
    "dashboard.clear_mark": "Clear mark",
    "dashboard.mark": "Mark",
    "dashboard.triage_saved": "Triage saved",
    "dashboard.no_findings": "No findings match.",
    "dashboard.prev_page": "Previous",
    "dashboard.next_page": "Next",
    "dashboard.shown": "{start}–{end} of {total}",
    "dashboard.indicators": "Indicators",
    "dashboard.overview": "Overview",
    "dashboard.sub_sites": "Sites",
    "dashboard.add_org": "Add an organisation",
    "dashboard.org_created": "Organisation created",
    "dashboard.role": "Role",
    "dashboard.role_admin": "Admin",
    "dashboard.role_supervisor": "Supervisor",
    "dashboard.role_webmaster": "Webmaster",
    "dashboard.user_sites": "Sites looked after (webmaster)",
    "dashboard.add_user": "Add a user",
    "dashboard.edit_user": "Edit user",
    "dashboard.new_password": "New password (empty: unchanged)",
    "dashboard.user_created": "User created",
    "dashboard.user_saved": "User saved",
    "dashboard.user_deleted": "User deleted",
    "dashboard.site_saved": "Site saved",
    "dashboard.cannot_delete_self": "You cannot delete your own account",
    "dashboard.api_token": "API token",
    "dashboard.api_token_help": (
        "Send Authorization: Bearer <token>. A new token replaces the old one."
    ),
    "dashboard.api_token_new": "Generate a new token",
    "dashboard.api_token_shown_once": "Copy it now; it is shown only once:",
    "dashboard.api_token_set": "A token is set",
    "dashboard.api_token_none": "No token yet",
    "dashboard.change_password": "Change password",
    "dashboard.current_password": "Current password",
    "dashboard.password_changed": "Password changed",
    "dashboard.wrong_password": "Current password is wrong",
    "dashboard.not_found": "Not found, or not yours to see.",
    "dashboard.forbidden": "Your role may not do this.",
    "dashboard.error": "Something went wrong",
    "dashboard.back": "Back",
    "dashboard.report_unavailable": "Report unavailable",
    "dashboard.endpoint": "Endpoint",
    "dashboard.parameters": "Parameters",
    "dashboard.body": "Body",
    "dashboard.openapi_json": "OpenAPI document",
    "dashboard.stage_crawl": "Crawling",
    "dashboard.stage_links": "Verifying links",
    "dashboard.stage_browser": "Browser audits",
    "dashboard.stage_site": "Site checks",
    "dashboard.stage_score": "Scoring",
    # ── trigger: what started a scan
    "trigger.manual": "Manual",
    "trigger.schedule": "Scheduled",
    "trigger.api": "API",
    "trigger.demo": "Demo",
    "trigger.test": "Test",
    # ── cut: the frame around the cut sentences (reports/cuts.py)
    "cut.title": "This scan hit its budgets; the following was not fully checked:",
    "cut.skipped": "; checks not run: {names}",
    "cut.unknown": "{reason}: {count}",
}
