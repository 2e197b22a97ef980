"""Planted accessibility and 适老化 defects, one (page, rule) each, with exact truth.

Rules use axe-core ids so static and browser results merge. All are decidable without a
browser: color-contrast from the page's CSS together with the site's own /css/main.css, which
the static rule fetches. It is planted through a class of main.css (.tip-light) on the 通知公告
list page (the browser audits it too) and on an article the browser sample does not reach, and
through the page's own CSS (an inline style, an embedded ``!important`` rule) on two more such
articles. Two article pages hold contrast that must not be reported statically: large text
that passes at 3:1, and pale text over a background image. 适老化 (elderly-friendly) cases: a modal opened on load (browser only) and an
advertisement script under /ads/ (its URL is visible statically). Their check id is not fixed
by docs/findings-format.md: the truth uses ``elderly_friendly`` with ``key.item`` ∈ {popup_on_load,
ad_script} (the names checks/accessibility.py reports in ``detail.item``).
"""

from __future__ import annotations

from collections.abc import Callable

from sampleportal.assets import POPUP_HTML, POPUP_JS
from sampleportal.columns import ColumnPlan
from sampleportal.model import PageSpec
from sampleportal.portal import Portal

STATIC_RULES = (
    "image-alt",
    "html-has-lang",
    "html-lang-valid",
    "document-title",
    "link-name",
    "button-name",
    "label",
    "frame-title",
    "input-image-alt",
    "duplicate-id-aria",
    "color-contrast",
)
BROWSER_ONLY_RULES: tuple[str, ...] = ()  # every rule planted is found without a browser
ELDERLY_RULES = ("popup_on_load", "ad_script")
ELDERLY_CHECK = "elderly_friendly"


def _append(html: str) -> Callable[[PageSpec], None]:
    return lambda spec: spec.extras.append(html)


def _set(**attrs: object) -> Callable[[PageSpec], None]:
    def apply(spec: PageSpec) -> None:
        for name, value in attrs.items():
            setattr(spec, name, value)

    return apply


def _popup(spec: PageSpec) -> None:
    spec.extras.append(POPUP_HTML)
    spec.body_end.append(POPUP_JS)


def _ads(spec: PageSpec) -> None:
    spec.body_end.append('<script src="/ads/guanggao.js"></script>\n')


_ICON_LINK = (
    '<p class="icons"><a href="/"><img src="/images/icon_home.png" alt="" width="16" height="16"></a> '
    '<button type="button" class="btn-share"><span class="icon-share"></span></button></p>\n'
)
_LETTER_FORM = (
    '<form class="letter" action="/zmhd/jzxx/submit" method="post">\n'
    '<p>信件标题 <input type="text" name="title"></p>\n'
    '<p><label for="letter-body">信件内容</label><textarea id="letter-body" name="body"></textarea></p>\n'
    '<p><input type="image" src="/images/submit.gif" width="60" height="24"></p>\n</form>\n'
)
# main.css's pale class, on a page of its own: the same sheet decides on every page.
_TIP_LIGHT = '<p class="tip-light">温馨提示：通知公告内容以正式印发的文件为准。</p>\n'
# Pale source line, colours and background inline: settled whatever main.css says.
_PALE_SOURCE = (
    '<p style="color:#a6a6a6;background:#ffffff">（来源：市民政局办公室　责任编辑：综合科）</p>\n'
)
# The article editor's embedded rule; !important, so no sheet can outrank it.
_PALE_TOOLS = (
    "<style>.article-tools{color:#b5b5b5 !important;background-color:#ffffff !important;"
    "background-image:none !important}</style>\n"
    '<p class="article-tools">【打印本页】【关闭窗口】【字号：大 中 小】</p>\n'
)
# 24px text at #8a8a8a on white is 3.45:1: enough for large text (needs 3:1).
_LARGE_GREY = (
    '<p style="color:#8a8a8a;background:#ffffff;font-size:24px">'
    "图片新闻：社区养老服务中心正式启用</p>\n"
)
# Pale text over a picture: what shows behind the letters is layout's question.
_ON_PICTURE = (
    '<p style="color:#d0d0d0;background:#ffffff url(/images/logo.png) no-repeat">'
    "专题图片上的说明文字</p>\n"
)
_DUP_ARIA = (
    '<p><span id="lxdh">值班电话</span> <input type="text" aria-labelledby="lxdh" '
    'value="0000-12345670" readonly></p>\n'
    '<p><span id="lxdh">传真号码</span> <input type="text" aria-labelledby="lxdh" '
    'value="0000-12345679" readonly></p>\n'
)


def plant_a11y(portal: Portal, plans: dict[str, ColumnPlan]) -> None:
    def article(column: str, n: int) -> str:
        return plans[column].items[n].path

    a11y, elderly = "accessibility", ELDERLY_CHECK
    planted: list[tuple[str, tuple[str, ...], str, Callable[[PageSpec], None]]] = [
        # (check, rules, page, edit)
        (
            a11y,
            ("image-alt",),
            article("tpxw", 1),
            _append('<p><img src="/images/news/tp1.png" width="400" height="260"></p>\n'),
        ),
        (a11y, ("html-has-lang",), plans["zxft"].spec.path, _set(lang=None)),
        (a11y, ("html-lang-valid",), plans["jgzn"].spec.path, _set(lang="cn")),
        (a11y, ("document-title",), article("mtgz", 2), _set(html_title="")),
        (a11y, ("link-name", "button-name"), plans["bszn"].spec.path, _append(_ICON_LINK)),
        (a11y, ("label", "input-image-alt"), plans["jzxx"].spec.path, _append(_LETTER_FORM)),
        (
            a11y,
            ("frame-title",),
            article("zxft", 0),
            _append(
                '<p><iframe src="/zmhd/zxft/player.html" width="640" height="360"></iframe></p>\n'
            ),
        ),
        (a11y, ("duplicate-id-aria",), "/lxwm/index.html", _append(_DUP_ARIA)),
        (
            a11y,
            ("color-contrast",),
            plans["tzgg"].spec.path,
            _append(_TIP_LIGHT),
        ),
        # static contrast, on articles deep in long columns (past the browser's sample)
        (a11y, ("color-contrast",), article("gzdt", 36), _append(_TIP_LIGHT)),
        (a11y, ("color-contrast",), article("gzdt", 40), _append(_PALE_SOURCE)),
        (a11y, ("color-contrast",), article("mzyw", 12), _append(_PALE_TOOLS)),
        (elderly, ("popup_on_load",), plans["dczj"].spec.path, _popup),
        (elderly, ("ad_script",), plans["bmfw"].spec.path, _ads),
    ]
    # A titled iframe elsewhere: the same player page is fine when the frame has a name.
    portal.page(article("zxft", 1)).extras.append(
        '<p><iframe src="/zmhd/zxft/player.html" title="访谈视频" width="640" height="360"></iframe></p>\n'
    )
    # contrast the static rule must leave alone (not in the truth)
    portal.page(article("qxdt", 20)).extras.append(_LARGE_GREY)
    portal.page(article("tzgg", 20)).extras.append(_ON_PICTURE)
    truth = portal.truth
    for check, rules, path, edit in planted:
        edit(portal.page(path))
        field = "rule" if check == a11y else "item"
        for rule in rules:
            static = rule != "popup_on_load"
            truth.expect(check, path, key={field: rule}, detail={field: rule, "static": static})
    truth.a11y = {
        "complete_for_rules": [
            *STATIC_RULES,
            *BROWSER_ONLY_RULES,
            *ELDERLY_RULES,
            "accessible_mode_entry",
        ],
        "static_rules": list(STATIC_RULES),
        "browser_only_rules": list(BROWSER_ONLY_RULES),
        "elderly_rules": list(ELDERLY_RULES),
    }
    truth.notes["a11y"] = (
        "Every page except the planted ones passes the rules in complete_for_rules (the home "
        "page links to 无障碍 and 关怀版 modes, so care_mode_entry is never reported). "
        "link-name and button-name share /bsfw/bszn/index.html; label and input-image-alt "
        "share /zmhd/jzxx/index.html. axe-core 4.12 in Chromium finds exactly the planted "
        "rules on every page, except duplicate-id-aria, which axe reports as incomplete (needs "
        "review) rather than a violation: only a static rule reports it. color-contrast on "
        "/xxgk/tzgg/ and on one 工作动态 article comes from main.css's .tip-light (the static "
        "rule reads main.css, the site's own sheet, so it finds both; the browser finds the "
        "list page too); on two more articles the page settles the colours itself; the 24px "
        "grey headline (3.45:1, large text) and the pale caption over a background image are "
        "not findings of the static rule."
    )
