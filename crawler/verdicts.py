"""The verdict on a final (non-redirect) answer: ok, broken or unverified, and why. A 200
that is really an error page (the site's not-found page, 页面不存在, an attachment URL
answering an HTML page, an empty file) is broken.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from crawler.answers import Answer, challenge_of
from crawler.verify_types import TargetIn, TargetResult, VerifyConfig, new_result, set_verdict
from extract.soft404 import is_error_page, parse_html
from govpatrol.core.models import LinkOutcome
from govpatrol.core.urls import ATTACHMENT_EXTS, extension

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


class Verdicts:
    """The verifier's judgement (``crawler.verify.Verifier`` holds the settings it reads)."""

    cfg: VerifyConfig
    _profile_host: str

    def _judge(self, target: TargetIn, answer: Answer, redirects: list[str]) -> TargetResult:
        """The verdict on a final (non-redirect) answer."""
        result = new_result(target.url, LinkOutcome.ok, answer.status, "ok", None, redirects)
        result.content_type = answer.content_type or None
        result.bytes = answer.length if answer.length is not None else len(answer.body)
        status = answer.status
        challenge = challenge_of(answer)
        if challenge:
            return set_verdict(result, LinkOutcome.unverified, "challenge", challenge)
        if 200 <= status < 300:
            return self._judge_ok(target, answer, result)
        if status < 400:
            return result
        if status == 401:
            return set_verdict(result, LinkOutcome.ok, "auth_required", "需要登录（HTTP 401）")
        if status == 403 and not target.internal:
            # Many external sites refuse robots with a bare 403: that says nothing about
            # whether a visitor sees the page.
            return set_verdict(
                result, LinkOutcome.unverified, "forbidden", "拒绝自动访问（HTTP 403）"
            )
        if status == 429:
            return set_verdict(
                result, LinkOutcome.unverified, "rate_limited", "访问频率受限（HTTP 429）"
            )
        return set_verdict(result, LinkOutcome.broken, "http", f"HTTP {status}")

    def _judge_ok(self, target: TargetIn, answer: Answer, result: TargetResult) -> TargetResult:
        attachment = is_attachment(target)
        if answer.method == "GET" and attachment and answer.complete and not answer.body:
            return set_verdict(
                result, LinkOutcome.broken, "empty_attachment", "附件为空文件（0 字节）"
            )
        if answer.method != "GET" or not answer.body or not answer.looks_html():
            return result
        text = answer.text()
        found = _TITLE.search(text[:16384])
        title = html.unescape(found.group(1)).strip() if found else ""
        final_url = answer.url
        profile = self.cfg.profile if self._profile_applies(target, final_url) else None
        reason = is_error_page(
            answer.status,
            title,
            text,
            profile,
            url=target.url,
            final_url=final_url,
            tree=parse_html(text) if profile is not None else None,
        )
        if reason is None:
            return result
        if attachment:
            return set_verdict(
                result,
                LinkOutcome.broken,
                "attachment_is_html",
                f"附件地址返回网页而非文件：{reason}",
            )
        return set_verdict(result, LinkOutcome.broken, "soft_404", reason)

    def _profile_applies(self, target: TargetIn, final_url: str) -> bool:
        if self.cfg.profile is None:
            return False
        if self._profile_host:
            return urlsplit(final_url).netloc.lower() == self._profile_host.lower()
        return target.internal


def is_attachment(target: TargetIn) -> bool:
    return target.kind == "attachment" or extension(target.url) in ATTACHMENT_EXTS
