from govpatrol.core.urls import (
    PatternKey,
    absolutize,
    canonical,
    in_scope,
    is_reserved_host,
    is_skipped,
    link_kind,
    looks_like_html,
    scope_for,
)


def test_skipped_schemes():
    for href in (
        "javascript:void(0)",
        "JavaScript:;",
        "mailto:a@b.cn",
        "tel:12345",
        "data:image/png;base64,xx",
    ):
        assert is_skipped(href)
        assert absolutize("http://a.gov.cn/x/", href) is None
    assert not is_skipped("/x.html")


def test_absolutize_relative_and_parent_paths():
    assert absolutize("http://a.gov.cn/x/y/index.html", "../z.html") == "http://a.gov.cn/x/z.html"
    assert absolutize("http://a.gov.cn/x/", "../../../z.html") == "http://a.gov.cn/z.html"
    assert absolutize("http://a.gov.cn/x/", "  ./b.html ") == "http://a.gov.cn/x/b.html"
    assert absolutize("http://a.gov.cn/x/", "\\upload\\a.pdf") == "http://a.gov.cn/upload/a.pdf"
    assert absolutize("http://a.gov.cn/", "#top") is None
    assert absolutize("http://a.gov.cn/", "http://[bad") is None


def test_chinese_file_names_raw_and_encoded_are_one_url():
    raw = canonical(absolutize("http://a.gov.cn/", "/upload/附件1.pdf"))
    encoded = canonical(absolutize("http://a.gov.cn/", "/upload/%E9%99%84%E4%BB%B61.pdf"))
    assert raw == encoded == "http://a.gov.cn/upload/%E9%99%84%E4%BB%B61.pdf"


def test_canonical_drops_fragments_and_session_ids_and_sorts_query():
    assert (
        canonical("http://a.gov.cn/p.jsp;jsessionid=ABC123?b=2&a=1#x")
        == "http://a.gov.cn/p.jsp?a=1&b=2"
    )
    assert canonical("http://a.gov.cn/p?sid=9f&id=3") == "http://a.gov.cn/p?id=3"
    assert canonical("http://A.gov.cn/p") == "http://a.gov.cn/p"


def test_scope_host_extra_hosts_and_prefix():
    scope = scope_for("http://mzj.example.gov.cn/", ("www.mzj.example.gov.cn",))
    assert in_scope("http://mzj.example.gov.cn/a.html", scope)
    assert in_scope("http://www.mzj.example.gov.cn/b.html", scope)
    assert not in_scope("http://other.gov.cn/", scope)
    typed = scope_for("http://mzj.example.gov.cn/", ("WWW.Mzj.Example.gov.cn",))
    assert in_scope("http://www.mzj.example.gov.cn/b.html", typed)
    prefixed = scope_for("http://www.gov.cn/mzj/", (), "/mzj/")
    assert in_scope("http://www.gov.cn/mzj/x.html", prefixed)
    assert not in_scope("http://www.gov.cn/other/x.html", prefixed)
    ported = scope_for("http://127.0.0.1:8080/")
    assert in_scope("http://127.0.0.1:8080/x", ported)
    assert not in_scope("http://localhost:8080/x", ported)


def test_link_kinds():
    assert link_kind("http://a/u/附件.PDF", "a", True) == "attachment"
    assert link_kind("http://a/i.png", "img", True) == "image"
    assert link_kind("http://a/s.js", "script", True) == "script"
    assert link_kind("http://a/s.css", "link", True) == "style"
    assert link_kind("http://a/f.html", "iframe", True) == "frame"
    assert link_kind("http://a/p.html", "a", True) == "page"
    assert link_kind("http://b/p.html", "a", False) == "external"
    assert looks_like_html("http://a/x/") and looks_like_html("http://a/x.shtml")
    assert not looks_like_html("http://a/x.docx")


def test_pattern_keys_group_numbers_and_query_names():
    a = PatternKey.of("http://a/calendar/?date=2026-11-22")
    b = PatternKey.of("http://a/calendar/?date=2026-11-23")
    assert a == b and a.has_query()
    assert PatternKey.of("http://a/x/202405/t20240507_1.html") == PatternKey.of(
        "http://a/x/202311/t20231101_99.html"
    )
    assert not PatternKey.of("http://a/x/index.html").has_query()


def test_reserved_hosts():
    assert is_reserved_host("nosuchhost.invalid")
    assert is_reserved_host("x.test")
    assert not is_reserved_host("localhost")
    assert not is_reserved_host("www.gov.cn")
    # one list for the verifier, the probes, preflight and registration
    for host in ("a.localhost", "x.local", "h.localdomain", "abc.onion", "www.gov.example."):
        assert is_reserved_host(host), host
    assert not is_reserved_host("") and not is_reserved_host("localhost.")
