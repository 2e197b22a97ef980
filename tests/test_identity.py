"""``missing_site_identity``: the footer items read from real and made-up pages, judged per
template through a real SQLite store, and the site-wide probes against real servers on
127.0.0.1 — HTTPS servers with certificates made here (trustme) and a DNS server answering
AAAA queries — so nothing leaves the machine."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import dns.message
import dns.rcode
import dns.resolver
import dns.rrset
import pytest
import trustme
from sqlmodel import Session

from checks.identity import IdentityCheck
from checks.identity_site import probe_site
from crawler import ipv6_probe, tls_probe
from crawler.ipv6_probe import probe_ipv6
from crawler.netguard import FetchGuard
from crawler.tls_probe import probe_tls
from extract.identity import FOOTER_ITEMS, footer_facts
from extract.mixed_content import mixed_content
from extract.parse import build_parsed_page, parse_html
from govpatrol.core.db import get_engine
from govpatrol.core.models import Scan, Site
from govpatrol.core.types import FindingData, SiteContext
from scan.page_checks import page_shape
from scan.pipeline import create_scan
from tests.loopback import page, serve, servers

REAL_PAGES = Path("/work/shared/real-pages")
AS_OF = dt.date(2026, 11, 22)

# What each real page's footer lacks, read from its markup by hand (the whole footer, the
# links around it and the scripts that write the 党政机关 badge). None: the file holds no
# footer (gov.cn fragments, Hanweb pages saved without theirs, the bot challenge): not judged.
REAL_FOOTERS: dict[str, set[str] | None] = {
    "doc-founder-kepu-szxw-2023.html": {"police_record"},
    "doc-jxjyh-wanzai-tjgb2015.html": set(),
    "doc-jxjyh-wanzai-tjgb2022.html": set(),
    "doc-jxjyh-yichun-tjgb2022.html": set(),
    "doc-trs-hd-jyj-2020.html": set(),
    "home-trs-hdzfxxgk-2020.html": set(),
    "list-trs-table-ordos-xxgknb-2020.html": set(),
    # captured in 2017, before most sites showed a 网站标识码 or a 公安备案 number
    "home-trs-cnta-zdgz-2017.html": {"site_code", "police_record"},
    "list-trs-ul-cnta-lyrc-2017.html": {"site_code", "police_record"},
    "list-trs-ul-cnta-sctg-2017.html": {"site_code", "police_record"},
    "list-dyncms-jxta-dsdt-2017.html": {"site_code", "police_record"},
    "list-enorth-gaxww-rdxw-2017.html": {"site_code", "police_record"},
    "list-phpcms-wanzai-wzyw-2017.html": {"site_code", "police_record"},
    "list-powereasy-jxjaxzf-zwyw-2017.html": {"site_code"},
    "list-trs-table-yichun-zwyw-2017.html": {"site_code"},
    "list-trs-table-yzq-zwyw-2017.html": {"site_code", "police_record", "conac_mark"},
    "list-trs-table-zhangshu-zhxx-2017.html": {"site_code", "police_record"},
    # 主办：丰城市人民政府 with no phone, e-mail, address or 联系我们 anywhere near it
    "list-turbocms-jxfc-xw-2017.html": {"site_code", "police_record", "sponsor_contact"},
    "doc-govcn-frag-gbf2018-115.html": None,
    "doc-govcn-frag-gbf2019-3.html": None,
    "doc-govcn-frag-gbf2019-6.html": None,
    "doc-govcn-frag-gf1981-88.html": None,
    "doc-govcn-frag-gf2004-18.html": None,
    "doc-govcn-frag-gf2018-43.html": None,
    "doc-govcn-frag-gf2019-5.html": None,
    "doc-govcn-frag-gh2018-159.html": None,
    "doc-govcn-frag-gl707.html": None,
    "doc-hanweb-sdnyj-dtyw-2026.html": None,
    "list-hanweb-sdnyj-tzgg-2026.html": None,
    "soft-challenge-energyrag-anquanyanzheng.html": None,
}


# -- footers ------------------------------------------------------------------------------------


def test_every_real_page_is_annotated() -> None:
    assert {p.name for p in REAL_PAGES.glob("*.html")} == set(REAL_FOOTERS)


@pytest.mark.parametrize("name", sorted(REAL_FOOTERS))
def test_real_footers_report_what_they_lack_and_nothing_else(name: str) -> None:
    facts = footer_facts(parse_html((REAL_PAGES / name).read_text("utf-8")))
    expected = REAL_FOOTERS[name]
    if expected is None:
        assert not facts.judged, facts
        return
    assert facts.judged, facts.why_not_judged
    assert {item for item in FOOTER_ITEMS if facts.status(item) != "shown"} == expected


def test_real_footer_numbers_are_read_as_shown() -> None:
    wanzai = footer_facts(parse_html((REAL_PAGES / "doc-jxjyh-wanzai-tjgb2022.html").read_text()))
    assert (wanzai.site_code, wanzai.icp, wanzai.police_record) == (
        "3609220011",
        "11002306",
        "36092202000105",
    )
    assert wanzai.sponsor == "万载县人民政府"
    kepu = footer_facts(parse_html((REAL_PAGES / "doc-founder-kepu-szxw-2023.html").read_text()))
    assert kepu.site_code == "bm06000004" and kepu.site_code_valid  # a State Council department
    assert kepu.conac_mark == "script"  # document.write(unescape("%3Cscript src=…conac.cn…"))


def _footer(inner: str, *, body: str = "<p>正文</p>") -> str:
    return (
        '<html><head><meta charset="utf-8"><title>t</title></head><body>'
        f'<div class="main">{body}</div><div class="footer">{inner}</div></body></html>'
    )


COMPLETE = (
    "主办单位：示例市民政局　联系电话：0791-86123456<br>网站标识码：3601000023　"
    "赣ICP备05004321号-1　赣公网安备 36010202000123号"
    '<a href="https://bszs.conac.cn/sitename?method=show&amp;id=1"><img src="/red.png"></a>'
)


def test_full_width_characters_and_spaces_are_folded() -> None:
    facts = footer_facts(
        parse_html(
            _footer(
                "主办：示例市民政局　电子邮箱：ｍｚｊ＠ｅｘａｍｐｌｅ．ｇｏｖ．ｃｎ<br>"
                "网站标识码：３６０１　０００ ０２３　京ＩＣＰ备０５０７０２１８号－１　"
                "京公网安备 １１０１ ０２０２ ０００００１号　"
                '<img src="/dzjg.png" alt="党政机关网站标识">'
            )
        )
    )
    assert facts.judged
    assert (facts.site_code, facts.site_code_valid) == ("3601000023", True)
    assert facts.icp == "05070218"
    assert (facts.police_record, facts.police_record_valid) == ("11010202000001", True)
    assert facts.conac_mark == "image_alt"  # a copied badge with only its alt text
    assert facts.sponsor_contact == "email"


@pytest.mark.parametrize(
    ("shown", "status"),
    [
        ("3601000023", "shown"),
        ("bm06000004", "shown"),
        ("0000000000", "invalid"),  # no province starts with 00
        ("360100002", "invalid"),  # nine digits
        ("36010000231", "invalid"),  # eleven
        ("bm0600000", "invalid"),  # bm and seven digits
    ],
)
def test_the_site_code_format_is_checked(shown: str, status: str) -> None:
    facts = footer_facts(parse_html(_footer(COMPLETE.replace("3601000023", shown))))
    assert facts.status("site_code") == status


def test_a_site_code_label_followed_by_another_item_shows_no_code() -> None:
    facts = footer_facts(parse_html(_footer(COMPLETE.replace("3601000023", "ICP备05004321号"))))
    assert facts.status("site_code") == "missing"


def test_a_malformed_police_record_number_is_invalid_not_missing() -> None:
    facts = footer_facts(parse_html(_footer(COMPLETE.replace("36010202000123", "3601020200012"))))
    assert facts.status("police_record") == "invalid"
    assert facts.police_record == "3601020200012"


def test_a_site_code_shown_as_a_picture_is_read_from_its_alt_text() -> None:
    pictured = COMPLETE.replace(
        "网站标识码：3601000023", '<img src="/bsm.png" alt="网站标识码：3601000023">'
    )
    facts = footer_facts(parse_html(_footer(pictured)))
    assert (facts.site_code, facts.status("site_code")) == ("3601000023", "shown")
    # 网站识别码 is the same code under another name
    renamed = COMPLETE.replace("网站标识码", "网站识别码")
    assert footer_facts(parse_html(_footer(renamed))).status("site_code") == "shown"
    spaced = COMPLETE.replace("网站标识码", "网 站 标 识 码")
    assert footer_facts(parse_html(_footer(spaced))).status("site_code") == "shown"
    # a picture without the code in its words shows none
    bare = COMPLETE.replace("网站标识码：3601000023", '<img src="/bsm.png" alt="网站标识">')
    assert footer_facts(parse_html(_footer(bare))).status("site_code") == "missing"


def test_a_complete_footer_lacks_nothing() -> None:
    facts = footer_facts(parse_html(_footer(COMPLETE)))
    assert [item for item in FOOTER_ITEMS if facts.status(item) != "shown"] == []


def test_a_spaced_out_sponsor_label() -> None:
    facts = footer_facts(parse_html(_footer("主 办 单 位：示例市民政局　电话：0791-86123456")))
    assert (facts.sponsor, facts.sponsor_contact) == ("示例市民政局", "phone")
    facts = footer_facts(parse_html(_footer("主　办：示例市民政局　电话：0791-86123456")))
    assert facts.sponsor == "示例市民政局"


def test_a_sponsor_without_a_contact() -> None:
    facts = footer_facts(parse_html(_footer("主办：示例市民政局　赣ICP备05004321号")))
    assert facts.sponsor == "示例市民政局" and facts.status("sponsor_contact") == "missing"


def test_a_footer_written_by_an_external_script_is_not_judged() -> None:
    html = (
        '<html><body><div class="main"><p>正文 版权所有</p></div>'
        '<div id="footer"><script src="/include/footer.js"></script></div></body></html>'
    )
    facts = footer_facts(parse_html(html))
    assert not facts.judged and facts.why_not_judged == "footer_by_script"


def test_a_page_without_any_footer_is_not_judged() -> None:
    facts = footer_facts(parse_html("<html><body><div><p>国务院办公厅 2019年1月9日</p></div>"))
    assert not facts.judged and facts.why_not_judged == "no_footer"


# -- mixed content ------------------------------------------------------------------------------

MIXED = (
    '<html><head><link rel="stylesheet" href="http://cdn.example.gov.cn/a.css">'
    '<script src="https://www.example.gov.cn/ok.js"></script></head><body>'
    '<img src="http://img.example.gov.cn/1.png"><img src="/2.png">'
    '<noscript><img src="http://stat.example.gov.cn/px.gif"></noscript>'
    '<iframe src="http://map.example.gov.cn/"></iframe></body></html>'
)


def test_mixed_content_on_an_https_page() -> None:
    found = mixed_content(parse_html(MIXED), "https://www.example.gov.cn/", {})
    assert {(r.tag, r.url, r.active) for r in found} == {
        ("link", "http://cdn.example.gov.cn/a.css", True),
        ("img", "http://img.example.gov.cn/1.png", False),
        ("iframe", "http://map.example.gov.cn/", True),
    }


def test_no_mixed_content_on_http_pages_or_when_requests_are_upgraded() -> None:
    assert mixed_content(parse_html(MIXED), "http://www.example.gov.cn/", {}) == []
    upgrade = {"Content-Security-Policy": "upgrade-insecure-requests"}
    assert mixed_content(parse_html(MIXED), "https://www.example.gov.cn/", upgrade) == []
    meta = MIXED.replace(
        "<head>",
        '<head><meta http-equiv="Content-Security-Policy" content="upgrade-insecure-requests">',
    )
    assert mixed_content(parse_html(meta), "https://www.example.gov.cn/", {}) == []


# -- per template, through the store -------------------------------------------------------------


def _judge(db_url: str, site_url: str, pages: dict[str, str]) -> tuple[list[FindingData], Scan]:
    """``pages`` (path → html) through the check's page hook into a real store, then its site
    hook; the findings and the stored scan."""
    check = IdentityCheck()
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        site = Site(name="示例市民政局", url=site_url)
        session.add(site)
        session.commit()
        scan = create_scan(session, site, as_of=AS_OF, options={"browser": False})
        ctx = SiteContext(scan_id=scan.id, site_id=site.id, site_url=site.url,
                          site_name=site.name, as_of=AS_OF, browser=False, session=session,
                          scan=scan, site=site, address_zone="loopback")  # fmt: skip
        for path, html in pages.items():
            url = site_url.rstrip("/") + path
            parsed = build_parsed_page(url, url, 200, {"content-type": "text/html"}, html.encode())
            page_shape(parsed)
            session.add_all(check.on_page(parsed, ctx))
        session.commit()
        found = [f for f in check.on_site(ctx) if isinstance(f, FindingData)]
        session.commit()
        stored = session.get(Scan, scan.id)
        assert stored is not None
        return found, stored


def _article(footer: str, n: int) -> str:
    return (
        '<html><body><div class="article"><h1>标题</h1><div class="body">'
        f"<p>第{n}篇</p><p>正文</p></div></div>"
        f'<table class="foot"><tr><td>{footer}</td></tr></table></body></html>'
    )


def test_each_template_is_judged_once_with_its_shortest_page(db_url: str) -> None:
    no_police = COMPLETE.replace("赣公网安备 36010202000123号", "")
    pages = {
        "/": _footer(COMPLETE, body="<ul><li>首页</li></ul>"),
        "/xwzx/202611/t20261101_1.html": _article(no_police, 1),
        "/xwzx/202611/t20261102_22.html": _article(no_police, 2),
        "/xwzx/202611/t20261103_3.html": _article(no_police.replace("赣ICP备05004321号-1", ""), 3),
    }
    found, scan = _judge(db_url, "http://127.0.0.1:8080/", pages)
    assert sorted((f.page, f.detail["item"]) for f in found) == [
        ("http://127.0.0.1:8080/xwzx/202611/t20261101_1.html", "police_record"),
    ]  # the ICP number one article lacks is shown by the template's others
    (finding,) = found
    assert finding.detail["template_pages"] == 3
    assert finding.key == (finding.detail["template"], "police_record")
    # an address: the site-wide items cannot be told, and the scan says so
    assert set(scan.stats["identity"]["cannot_tell"]) == {"gov_domain", "https", "ipv6"}


def test_a_template_whose_footer_is_written_by_script_is_not_judged(db_url: str) -> None:
    pages = {
        "/": _footer(COMPLETE),
        "/print/1.html": '<html><body><div class="print"><p>正文</p></div>'
        '<script src="/js/bottom.js"></script></body></html>',
    }
    found, scan = _judge(db_url, "http://localhost:8080/", pages)
    assert found == []
    assert scan.stats["identity"]["pages_not_judged"] == {"footer_by_script": 1}


# -- a DNS server for AAAA queries ---------------------------------------------------------------


class DnsServer:
    """Answers A and AAAA queries on 127.0.0.1 over UDP from a table; names it does not know
    get SERVFAIL, names in ``silent`` no answer at all."""

    def __init__(self, records: dict[str, dict[str, list[str]]], silent: set[str]) -> None:
        self.records = records
        self.silent = silent
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                data, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            query = dns.message.from_wire(data)
            question = query.question[0]
            name = question.name.to_text().rstrip(".")
            if name in self.silent:
                continue
            response = dns.message.make_response(query)
            kinds = self.records.get(name)
            if kinds is None:
                response.set_rcode(dns.rcode.SERVFAIL)
            else:
                kind = dns.rdatatype.to_text(question.rdtype)
                if kinds.get(kind):
                    response.answer.append(
                        dns.rrset.from_text_list(question.name, 300, "IN", kind, kinds[kind])
                    )
            self.sock.sendto(response.to_wire(), peer)

    def resolver(self, timeout: float) -> dns.resolver.Resolver:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = ["127.0.0.1"]
        resolver.port = self.port
        resolver.lifetime = min(timeout, 1.0)
        return resolver

    def __enter__(self) -> DnsServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def dns_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[DnsServer]:
    records = {
        "www.example.gov.cn": {"A": ["127.0.0.1"], "AAAA": ["2001:db8::1"]},
        "wrong.example.gov.cn": {"A": ["127.0.0.1"], "AAAA": ["2001:db8::2"]},
        "old.example.gov.cn": {"A": ["127.0.0.1"], "AAAA": ["2001:db8::3"]},
        "v4only.example.gov.cn": {"A": ["127.0.0.1"]},
        "www.example.com": {"A": ["127.0.0.1"], "AAAA": ["2001:db8::4"]},
    }
    with DnsServer(records, silent={"slow.example.gov.cn"}) as server:
        # the seam: the probe asks this server instead of /etc/resolv.conf's
        monkeypatch.setattr(ipv6_probe, "make_resolver", server.resolver)
        yield server


def test_ipv6_answers_from_a_real_dns_server(dns_server: DnsServer) -> None:
    yes = probe_ipv6("www.example.gov.cn", timeout=1.0)
    assert (yes.has_aaaa, yes.addresses) == (True, ["2001:db8::1"])
    no = probe_ipv6("v4only.example.gov.cn", timeout=1.0)
    assert (no.has_aaaa, no.error) == (False, None)  # NOERROR without AAAA: no IPv6
    failing = probe_ipv6("unknown.example.gov.cn", timeout=1.0)
    assert (failing.has_aaaa, failing.error) == (None, "servfail")
    silent = probe_ipv6("slow.example.gov.cn", timeout=1.0)
    assert (silent.has_aaaa, silent.error) == (None, "timeout")


# -- HTTPS servers with certificates made here ---------------------------------------------------


def _loopback_guard(site_url: str) -> FetchGuard:
    """Every name resolves to 127.0.0.1, and the site's zone allows it."""
    return FetchGuard(
        site_url, zones="loopback", resolver=lambda host: [ipaddress.ip_address("127.0.0.1")]
    )


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _server_context(ca: trustme.CA, name: str, not_after: dt.datetime | None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert(name, not_after=not_after).configure_cert(context)
    return context


@pytest.fixture
def trusted(ca: trustme.CA, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    monkeypatch.setattr(tls_probe, "default_trust", lambda: context)
    return context


HOME = "<html><body><p>首页</p></body></html>"


def test_tls_valid_wrong_name_and_expiring(ca: trustme.CA, trusted: ssl.SSLContext) -> None:
    now = dt.datetime.now(dt.UTC)
    valid = serve({"/": page(HOME)}, tls=_server_context(ca, "www.example.gov.cn", None))
    wrong = serve({"/": page(HOME)}, tls=_server_context(ca, "other.example.gov.cn", None))
    soon = serve(
        {"/": page(HOME)},
        tls=_server_context(ca, "www.example.gov.cn", now + dt.timedelta(days=10)),
    )
    plain = serve({"/": page(HOME)})
    with servers(valid, wrong, soon, plain):
        host = "www.example.gov.cn"
        guard = _loopback_guard(f"https://{host}/")
        good = probe_tls(host, valid.port, "/", guard, timeout=5, trust=trusted)
        assert (good.offered, good.certificate, good.status) == (True, "valid", 200)
        assert good.not_after is not None and good.not_after > now + dt.timedelta(days=300)
        bad = probe_tls(host, wrong.port, "/", guard, timeout=5, trust=trusted)
        # HTTPS is there (the page answers over an unchecked connection); its name is wrong
        assert (bad.offered, bad.certificate, bad.status) == (True, "name_mismatch", 200)
        expiring = probe_tls(host, soon.port, "/", guard, timeout=5, trust=trusted)
        assert expiring.certificate == "valid" and expiring.not_after is not None
        assert 8 <= (expiring.not_after - now).days <= 10
        not_tls = probe_tls(host, plain.port, "/", guard, timeout=5, trust=trusted)
        assert (not_tls.offered, not_tls.error) == (False, "tls")
    refused = probe_tls(host, plain.port, "/", guard, timeout=5, trust=trusted)
    assert (refused.offered, refused.error) == (False, "connection_refused")


def test_an_untrusted_certificate_is_told_apart(ca: trustme.CA) -> None:
    other_ca = trustme.CA()  # the server's issuer is in no store the probe trusts
    server = serve({"/": page(HOME)}, tls=_server_context(other_ca, "www.example.gov.cn", None))
    trust = ssl.create_default_context()
    ca.configure_trust(trust)
    with servers(server):
        answer = probe_tls(
            "www.example.gov.cn", server.port, "/", _loopback_guard(None), trust=trust
        )
    assert (answer.offered, answer.certificate) == (True, "unknown_issuer")


def _items(findings: list[FindingData]) -> dict[str, tuple[str | None, str]]:
    return {f.detail["item"]: (f.severity, f.detail.get("reason", "")) for f in findings}


def test_site_probes_on_names(
    ca: trustme.CA, trusted: ssl.SSLContext, dns_server: DnsServer
) -> None:
    now = dt.datetime.now(dt.UTC)
    good = serve({"/": page(HOME)}, tls=_server_context(ca, "www.example.gov.cn", None))
    wrong = serve({"/": page(HOME)}, tls=_server_context(ca, "www.example.com", None))
    soon = serve(
        {"/": page(HOME)}, tls=_server_context(ca, "old.example.gov.cn", now + dt.timedelta(days=5))
    )
    v4only = serve({"/": page(HOME)}, tls=_server_context(ca, "v4only.example.gov.cn", None))

    def probe(url: str) -> dict[str, tuple[str | None, str]]:
        return _items(probe_site(url, _loopback_guard(url), timeout=2.0, warn_days=30).findings)

    with servers(good, wrong, soon, v4only):
        assert probe(f"https://www.example.gov.cn:{good.port}/") == {}
        assert probe(f"https://wrong.example.gov.cn:{wrong.port}/") == {
            "certificate": ("high", "name_mismatch")
        }
        assert probe(f"https://old.example.gov.cn:{soon.port}/") == {
            "certificate": ("low", "expiring")
        }
        assert probe(f"https://v4only.example.gov.cn:{v4only.port}/") == {
            "ipv6": ("medium", "no_aaaa")
        }
        assert probe(f"https://www.example.com:{wrong.port}/") == {"gov_domain": ("medium", "")}
        assert probe(f"https://slow.example.gov.cn:{good.port}/") == {
            "certificate": ("high", "name_mismatch"),
            "ipv6": ("low", "cannot_tell"),  # the resolver never answered: needs review
        }


def test_http_site_without_https(dns_server: DnsServer) -> None:
    plain = serve({"/": page(HOME)})
    with servers(plain):
        # a site on a port of its own: where its HTTPS would be cannot be guessed
        probes = probe_site(f"http://www.example.gov.cn:{plain.port}/",
                            _loopback_guard(None), timeout=2.0, warn_days=30)  # fmt: skip
    assert probes.findings == [] and "https" in probes.cannot_tell


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/", "https://localhost/", "http://[::1]/"])
def test_addresses_and_local_names_cannot_tell(url: str) -> None:
    probes = probe_site(url, _loopback_guard(url), timeout=1.0, warn_days=30)
    assert probes.findings == []
    assert set(probes.cannot_tell) == {"gov_domain", "https", "ipv6"}


_WITHOUT = {
    "site_code": ("网站标识码：3601000023", {"site_code"}),
    "icp": ("赣ICP备05004321号-1", {"icp"}),
    "police_record": ("赣公网安备 36010202000123号", {"police_record"}),
    "conac_mark": (
        '<a href="https://bszs.conac.cn/sitename?method=show&amp;id=1"><img src="/red.png"></a>',
        {"conac_mark"},
    ),
    "sponsor": ("主办单位：示例市民政局", {"sponsor", "sponsor_contact"}),
    "sponsor_contact": ("联系电话：0791-86123456", {"sponsor_contact"}),
}


@pytest.mark.parametrize("item", sorted(_WITHOUT))
def test_a_footer_without_each_item(item: str) -> None:
    removed, missing = _WITHOUT[item]
    assert removed in COMPLETE
    facts = footer_facts(parse_html(_footer(COMPLETE.replace(removed, ""))))
    assert facts.judged
    assert {i for i in FOOTER_ITEMS if facts.status(i) != "shown"} == missing


def test_the_site_hook_on_an_https_site(
    ca: trustme.CA,
    trusted: ssl.SSLContext,
    dns_server: DnsServer,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check as a scan runs it: its guard resolves the site's name (here to 127.0.0.1),
    its probes reach the site's HTTPS server, and the pages' mixed content is judged per
    template."""
    monkeypatch.setattr(
        "crawler.netguard.system_resolve", lambda host: [ipaddress.ip_address("127.0.0.1")]
    )
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=12)
    server = serve({"/": page(HOME)}, tls=_server_context(ca, "www.example.gov.cn", soon))
    with servers(server):
        site_url = f"https://www.example.gov.cn:{server.port}/"
        pages = {
            "/": _footer(COMPLETE, body='<img src="http://img.example.gov.cn/banner.png">'),
            "/a/1.html": _article(COMPLETE, 1).replace(
                "<h1>", '<script src="http://tongji.example.com/t.js"></script><h1>'
            ),
            "/a/2.html": _article(COMPLETE, 2),
        }
        found, _ = _judge(db_url, site_url, pages)
    assert sorted((f.detail["item"], f.detail.get("reason"), f.severity) for f in found) == [
        ("certificate", "expiring", "low"),
        ("mixed_content", "active", "medium"),
        ("mixed_content", "passive", "low"),
    ]
    expiring = next(f for f in found if f.detail["item"] == "certificate")
    assert expiring.page == site_url and 10 <= expiring.detail["days_left"] <= 12
    active = next(f for f in found if f.detail.get("reason") == "active")
    assert active.page.endswith("/a/1.html") and active.detail["count"] == 1
