"""Whose is a host: the site's own, a government site's, a well-known widget's, or a stranger's.

The dark-link and injected-code checks care only about strangers: a hidden menu of the site's
own pages, a 相关链接 list of other government sites, the 党政机关 mark, the statistics and share
buttons every government CMS ships, and the site's 无障碍 toolbar are all legitimate.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_IP = re.compile(r"^[\d.]+$|^\[?[0-9a-f:]+\]?$", re.I)
_GOV = re.compile(r"(?:^|\.)gov(?:\.cn)?$|\.gov\.[a-z]{2}$", re.I)
# Two-label public suffixes whose registrable domain has three labels (xx.gov.cn, xx.com.cn).
_SECOND_LEVEL = frozenset({"gov.cn", "com.cn", "org.cn", "net.cn", "edu.cn", "ac.cn"})

# Statistics, share buttons, the 党政机关网站 mark and accessibility toolbars that government
# CMS templates carry on every page; matched against the host (and the path, for 无障碍 tools
# served from a vendor's shared host).
KNOWN_WIDGET_HOSTS = (
    "hm.baidu.com",
    "share.baidu.com",
    "bdimg.com",
    "bdstatic.com",
    "cnzz.com",
    "51.la",
    "webtrends.com",
    "conac.cn",
    "jiathis.com",
    "bshare.cn",
    "cniil.com",
    "ucap.com.cn",
    "kaipuyun.cn",  # 开普云: the 政府网站普查 纠错 (error report) widget
    "gridsumdissector.com",  # 国双 statistics
)
_WIDGET_PATH = re.compile(r"(?:^|[/_.-])(?:wza|assist|cniil|bdshare|jiathis|webtrends)", re.I)


def hostname(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def registrable(host: str) -> str:
    """``www.bj.gov.cn`` → ``bj.gov.cn``; ``a.b.example.com`` → ``example.com``; IPs as they are."""
    host = host.lower().rstrip(".")
    if not host or _IP.match(host) or "." not in host:
        return host
    labels = host.split(".")
    keep = 3 if ".".join(labels[-2:]) in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def own_domains(*urls: str, extra_hosts: tuple[str, ...] = ()) -> frozenset[str]:
    """The registrable domains of the site (its URL, the page's URLs and its extra hosts)."""
    hosts = [hostname(u) for u in urls] + [h.split(":")[0].lower() for h in extra_hosts]
    return frozenset(registrable(h) for h in hosts if h)


def is_government(host: str) -> bool:
    return bool(_GOV.search(host))


def is_known_widget(url: str) -> bool:
    host = hostname(url)
    if any(host == known or host.endswith("." + known) for known in KNOWN_WIDGET_HOSTS):
        return True
    return bool(_WIDGET_PATH.search(urlsplit(url).path or ""))


def is_stranger(url: str, own: frozenset[str]) -> bool:
    """A host that is neither the site's, nor a government site's, nor a known widget's."""
    host = hostname(url)
    if not host or registrable(host) in own or is_government(host):
        return False
    return not is_known_widget(url)
