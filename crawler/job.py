"""What one crawl needs to know, passed from the pipeline to the crawl process as JSON."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from govpatrol.core.settings import Thresholds
from govpatrol.core.types import ScanContext


@dataclass
class CrawlJob:
    scan_id: int
    db_url: str
    site_url: str
    site_id: int
    site_name: str
    as_of: dt.date
    extra_hosts: tuple[str, ...] = ()
    path_prefix: str = "/"
    thresholds: Thresholds = field(default_factory=Thresholds)
    site_config: dict[str, Any] = field(default_factory=dict)
    is_portal: bool = False
    is_government: bool = False
    browser: bool = True
    obey_robots: bool = True
    only_checks: list[str] | None = None  # None: every registered check
    address_zone: str = "public"  # the site's registered zone (crawler.netguard)
    allowed: dict[str, list[str]] = field(default_factory=dict)  # ScanContext.allowed

    def context(self) -> ScanContext:
        return ScanContext(
            scan_id=self.scan_id,
            site_id=self.site_id,
            site_url=self.site_url,
            site_name=self.site_name,
            as_of=self.as_of,
            thresholds=self.thresholds,
            site_config=self.site_config,
            is_portal=self.is_portal,
            is_government=self.is_government,
            browser=self.browser,
            address_zone=self.address_zone,
            extra_hosts=tuple(self.extra_hosts),
            allowed=self.allowed,
        )

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        data["as_of"] = self.as_of.isoformat()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CrawlJob:
        data = json.loads(text)
        data["as_of"] = dt.date.fromisoformat(data["as_of"])
        data["thresholds"] = Thresholds(**data["thresholds"])
        data["extra_hosts"] = tuple(data["extra_hosts"])
        return cls(**data)
