"""The Chromium features the audit's browser runs without.

``SpareRendererForSitePerProcess``: Chromium keeps a warmed-up renderer process ready for the
next navigation, made for one browser context. The pool runs one context per tab, so with two
tabs each navigation found the spare made for the other tab's context, threw it away and
started a new one: a renderer process launched per audit, never used (12 audits on two tabs
started 13 renderers; without the spare, 4: a tab's first and its site's). Each tab's site
process stays, so nothing else changes for a page.

Chromium reads one ``--disable-features`` switch: a second replaces the first, which
Playwright passes with features it needs off (routes that stay on HTTP, redirects under
interception, no held paint). So the switch repeats Playwright's list
(``PLAYWRIGHT_DISABLED``, as in playwright-core's chromiumSwitches.ts) and adds ours;
tests/test_browser_features.py holds the list to the installed driver's.
"""

from __future__ import annotations

# playwright-core 1.65's disabledFeatures (chromiumSwitches.ts), in its order.
PLAYWRIGHT_DISABLED = (
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
    "msForceBrowserSignIn",
    "msEdgeUpdateLaunchServicesPreferredVersion",
)
AUDIT_DISABLED = ("SpareRendererForSitePerProcess",)


def disable_features_switch() -> str:
    """The one ``--disable-features`` switch: Playwright's features, then the audit's."""
    return "--disable-features=" + ",".join((*PLAYWRIGHT_DISABLED, *AUDIT_DISABLED))
