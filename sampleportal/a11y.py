"""Planted accessibility and 适老化 defects, one (page, rule) each, with exact truth.

Rules use axe-core ids so static and browser results merge. All but color-contrast are
decidable from the HTML alone; color-contrast needs the cascade of /css/main.css, so only a
browser finds it. 适老化 (elderly-friendly) cases: a modal opened on load (browser only) and an
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
)
BROWSER_ONLY_RULES = ("color-contrast",)
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
            _append('<p class="tip-light">温馨提示：通知公告内容以正式印发的文件为准。</p>\n'),
        ),
        (elderly, ("popup_on_load",), plans["dczj"].spec.path, _popup),
        (elderly, ("ad_script",), plans["bmfw"].spec.path, _ads),
    ]
    # A titled iframe elsewhere: the same player page is fine when the frame has a name.
    portal.page(article("zxft", 1)).extras.append(
        '<p><iframe src="/zmhd/zxft/player.html" title="访谈视频" width="640" height="360"></iframe></p>\n'
    )
    truth = portal.truth
    for check, rules, path, edit in planted:
        edit(portal.page(path))
        field = "rule" if check == a11y else "item"
        for rule in rules:
            static = rule not in BROWSER_ONLY_RULES and rule != "popup_on_load"
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
        "review) rather than a violation: only a static rule reports it."
    )
