"""Recheck: a scan's broken and unverified targets verified again by request (that is how a
webmaster confirms a fix), and its findings brought in line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from checks.link_findings import BROKEN_FRAGMENT, BROKEN_LINK, BrokenTarget, findings_for_target
from checks.link_options import LinkOptions
from checks.link_settle import Before, settle
from checks.link_table import CHUNK
from checks.links import verify_config
from crawler.fragments import FragmentResult, check_fragments
from crawler.verify import run_sync
from crawler.verify_types import TargetResult, VerifyConfig
from govpatrol.core.models import Finding, LinkOutcome, Scan, Site
from govpatrol.core.site_settings import options_of, site_settings
from govpatrol.core.types import FindingData


class _Recheck:
    """Brings a scan's broken_link findings in line with fresh verdicts, target by target."""

    def __init__(self, session: Session, scan_id: int, site_url: str) -> None:
        self.session = session
        self.scan_id = scan_id
        self.site_url = site_url
        self.counts = {
            "fixed": 0,
            "still_broken": 0,
            "newly_broken": 0,
            "now_unverified": 0,
            "still_unverified": 0,
            "confirmed_ok": 0,
            "findings_deleted": 0,
            "findings_added": 0,
        }

    def __call__(self, result: TargetResult, before: Before) -> None:
        was_broken = before.outcome == LinkOutcome.broken.value
        now = result.outcome
        if was_broken:
            self.counts["findings_deleted"] += self._delete(result.url)
        if now == LinkOutcome.broken:
            self.counts["still_broken" if was_broken else "newly_broken"] += 1
            target = BrokenTarget.from_result(result, before.kind, before.internal)
            self._add(findings_for_target(self.session, self.scan_id, target))
        elif now == LinkOutcome.ok:
            self.counts["fixed" if was_broken else "confirmed_ok"] += 1
        else:
            self.counts["now_unverified" if was_broken else "still_unverified"] += 1

    def _delete(self, target_url: str) -> int:
        outcome = self.session.execute(
            delete(Finding).where(
                col(Finding.scan_id) == self.scan_id,
                col(Finding.check) == BROKEN_LINK.id,
                col(Finding.target) == target_url,
            )
        )
        return int(getattr(outcome, "rowcount", 0) or 0)

    def _add(self, findings: Iterable[FindingData]) -> None:
        info = {BROKEN_LINK.id: BROKEN_LINK, BROKEN_FRAGMENT.id: BROKEN_FRAGMENT}
        for data in findings:
            self.session.add(
                Finding(
                    scan_id=self.scan_id,
                    check=data.check,
                    severity=data.severity or info[data.check].severity,
                    page=data.page,
                    target=data.target,
                    message=data.message,
                    detail=data.detail,
                    fingerprint=data.fingerprint(self.site_url),
                )
            )
            self.counts["findings_added"] += 1


def _scan_site(session: Session, scan_id: int) -> tuple[Scan, Site]:
    scan = session.get(Scan, scan_id)
    if scan is None:
        raise LookupError(f"scan {scan_id} does not exist")
    site = session.get(Site, scan.site_id)
    if site is None:
        raise LookupError(f"site {scan.site_id} of scan {scan_id} does not exist")
    return scan, site


def _recheck_fragments(session: Session, scan_id: int, config: VerifyConfig) -> int:
    """Deletes broken_fragment findings whose anchor now exists; returns how many."""
    rows = session.exec(
        select(Finding.id, Finding.target, Finding.detail).where(
            Finding.scan_id == scan_id, Finding.check == BROKEN_FRAGMENT.id
        )
    ).all()
    wanted: dict[str, dict[str, list[int]]] = {}  # page URL → fragment → finding ids
    for finding_id, target, detail in rows:
        fragment = (detail or {}).get("fragment")
        if target and fragment:
            wanted.setdefault(target, {}).setdefault(fragment, []).append(finding_id)
    if not wanted:
        return 0
    items = [(url, set(fragments)) for url, fragments in wanted.items()]

    async def collect() -> list[FragmentResult]:
        return [r async for r in check_fragments(items, config)]

    fixed: list[int] = []
    for result in run_sync(collect):
        if result.error or not result.checked:
            continue  # the page did not load: nothing is confirmed either way
        for fragment, ids in wanted[result.url].items():
            if fragment not in result.missing:
                fixed.extend(ids)
    for start in range(0, len(fixed), CHUNK):
        session.execute(delete(Finding).where(col(Finding.id).in_(fixed[start : start + CHUNK])))
    return len(fixed)


def recheck_scan(
    session: Session, scan_id: int, config: VerifyConfig | None = None
) -> dict[str, Any]:
    """Verify a scan's broken and unverified targets again, all by request (that is how a
    webmaster confirms a fix), and update the scan's findings: a fixed target's findings are
    deleted, a newly broken one's added. Commits; returns what changed."""
    scan, site = _scan_site(session, scan_id)
    config = config or verify_config(
        options_of(site_settings(site, scan), LinkOptions),
        scan,
        site.config,
        site.url,
        site.address_zone,
    )
    hook = _Recheck(session, scan_id, site.url)
    counts = run_sync(
        lambda: settle(
            session,
            scan_id,
            config,
            (LinkOutcome.broken, LinkOutcome.unverified),
            reuse_pages=False,
            on_result=hook,
        )
    )
    fragments_fixed = _recheck_fragments(session, scan_id, config)
    summary: dict[str, Any] = {
        "scan_id": scan_id,
        "rechecked": counts["requested"],
        **hook.counts,
        "fragments_fixed": fragments_fixed,
        "checked_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    scan = session.get(Scan, scan_id)
    if scan is not None:
        links = {**((scan.stats or {}).get("links") or {}), "recheck": summary}
        scan.stats = {**(scan.stats or {}), "links": links}
        session.add(scan)
    session.commit()
    return summary
