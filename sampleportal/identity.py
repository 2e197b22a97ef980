"""The site's identity in the footer (missing_site_identity): every template shows the items
of ``layout.IDENTITY``, except the site map's, which leaves out the 公安机关备案号.

The site map has a template of its own (a tree of channel links), so its footer is judged
alone and it is the template's only page: the finding names it. The portal runs on
127.0.0.1 over http, so the site-wide items (.gov.cn, HTTPS, IPv6) cannot be told and are
never expected.
"""

from __future__ import annotations

from sampleportal import assets
from sampleportal.portal import Portal

SITEMAP = "/wzdt/index.html"
OMITTED = "police_record"


def plan_identity(portal: Portal) -> None:
    portal.asset("/images/dzjg.png", assets.png(55, 64, (200, 30, 30)))
    sitemap = portal.page(SITEMAP)
    sitemap.footer_omit = (OMITTED,)
    portal.truth.expect(
        "missing_site_identity", SITEMAP, key={"item": OMITTED}, detail={"reason": "missing"}
    )
    portal.truth.notes["site_identity"] = (
        f"Every footer shows 网站标识码, ICP and 公安备案 numbers, the 党政机关 mark (a local image "
        f"with alt text) and 主办单位 with phone and address, except {SITEMAP} (its own "
        f"template), which lacks the {OMITTED}. On 127.0.0.1 the domain, HTTPS and IPv6 "
        "items cannot be told: none is expected."
    )
