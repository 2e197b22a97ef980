"""The ways a request fails: one name per kind, shared by the crawler (crawler/errors.py) and
link verification (crawler/verify.py).

The values are what the store and the exports hold (a page's ``error`` starts with one, a
link finding's ``detail["error"]`` is one) and what reports/vocabulary.py words, so a value is
never renamed. A member is a str, so it is stored, compared and printed as its value.
"""

from __future__ import annotations

from enum import StrEnum


class FailureKind(StrEnum):
    dns = "dns"  # the name does not resolve (also a reserved name such as .invalid)
    connection_refused = "connection_refused"
    connection_reset = "connection_reset"  # dropped mid-answer, or an incomplete body
    connection_error = "connection_error"  # no route, or a connection that never opened
    timeout = "timeout"
    tls = "tls"  # handshake or certificate
    too_large = "too_large"  # past the download limit (also a decompression bomb)
    too_many_redirects = "too_many_redirects"
    bad_url = "bad_url"  # no request could be made of the address
    ssrf_refused = "ssrf_refused"  # the guard refused an internal address
    ignored = "ignored"  # Scrapy dropped the request for another reason
    error = "error"  # anything else; the message carries the exception
