"""Planted dark links and injected code (hidden_link, injected_code), and what legitimately hides.

- a link to another site pushed off-screen by an embedded ``<style>`` rule, on one news article;
- the link farms of the outbound plants (duties.py) are dark links too: one ``hidden_link`` per
  page and foreign host;
- a foreign ``<script src>`` on one news article while the column's other articles lack it;
- cloaking: the home page answers Baiduspider with a redirect to the casino (the server's
  ``cloak`` route), everyone else with the real page;
- negatives: a statistics script of another host on every page, an off-screen skip link, a
  drop-down of the site's own columns parked off-screen, and the 无障碍 toolbar panel kept
  behind ``display:none`` (one article carries all three).
"""

from __future__ import annotations

from sampleportal.columns import ColumnPlan
from sampleportal.duties import CASINO, EXT
from sampleportal.layout import STAT_SCRIPT
from sampleportal.portal import Portal

INJECTED_SCRIPT = EXT + "/ext/jquery-min.js"
HIDDEN_TARGET = EXT + "/ext/ok"
_JS = "/* statistics */ var _tj = 1;\n"


def plan_injection(portal: Portal, plans: dict[str, ColumnPlan]) -> None:
    """Before the list pages are rendered (the layout puts the statistics script on every
    page)."""
    truth = portal.truth
    for path in (STAT_SCRIPT, INJECTED_SCRIPT):
        portal.route(path=path.removeprefix(EXT), host="external", kind="status", status=200,
                     body=_JS, content_type="application/javascript")  # fmt: skip
    taken = {d.path for d in truth.documents}
    news = [it.path for it in plans["gzdt"].items if it.path not in taken]
    hidden, injected, negatives = news[12], news[13], news[14]
    portal.page(hidden).extras.append(
        "<style>.gg-bottom{position:absolute;top:-3000px;left:0}</style>\n"
        f'<div class="gg-bottom"><a href="{HIDDEN_TARGET}">某某信息网</a></div>\n'
    )
    truth.expect("hidden_link", hidden, HIDDEN_TARGET, detail={"technique": "offscreen"})
    truth.good(hidden, HIDDEN_TARGET, "a dark link, but its target answers 200")
    portal.page(injected).body_end.append(f'<script src="{INJECTED_SCRIPT}"></script>\n')
    truth.expect("injected_code", injected, INJECTED_SCRIPT,
                 detail={"technique": "foreign_script"})  # fmt: skip
    portal.route(path="/", kind="cloak", file="/index.html", location=CASINO)
    truth.expect("injected_code", "/", CASINO, detail={"technique": "cloaking"})
    portal.page(negatives).extras.append(
        '<a class="skip" href="#main" style="position:absolute;left:-9999px">跳到主要内容</a>\n'
        '<ul class="sub" style="position:absolute;left:-9999px">'
        f'<li><a href="{plans["gzdt"].spec.path}">工作动态</a></li></ul>\n'
        '<div id="wza-panel" style="display:none"><a href="/wza/index.html">无障碍浏览</a>'
        '<a href="/wza/care.html">关怀版</a></div>\n'
    )
    truth.notes["injection"] = (
        f"{hidden}: a link to {HIDDEN_TARGET} moved off-screen by a <style> rule (hidden_link); "
        f"the outbound link farms are hidden_link findings too. {injected}: a foreign script no "
        f"other article carries (injected_code). The home page redirects Baiduspider to {CASINO} "
        f"(cloaking). {negatives}: a skip link, an off-screen drop-down of own columns and the "
        f"无障碍 panel; {STAT_SCRIPT} is on every page: none of these is a finding."
    )
