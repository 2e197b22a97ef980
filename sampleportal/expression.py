"""Planted serious expression errors (expression_error) and the right texts beside them.

Four news articles of 工作动态: a premier's name miswritten next to the title, a title used in an
article published after its holder left it, a known confusion typo, and one article holding
every tricky negative (the right names, historical titles with 时任 and with a date inside the
term, a quoted correction, an old headline in a link, people who share a leader's name or its
sound without the title); a fifth article dated 2022 names the premier of 2022 correctly.
Titles stay neutral, so the list pages and the home page that show them carry no error of
their own.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from sampleportal.columns import ColumnPlan
from sampleportal.days import ago
from sampleportal.listing import Item
from sampleportal.model import PageSpec
from sampleportal.portal import Portal
from sampleportal.text import SITE_NAME


def _news(plan: ColumnPlan, portal: Portal, title: str, date: dt.date, body: str) -> str:
    path = plan.article_path(portal.next_id(), date)
    main = (
        f'<div class="article">\n<h1>{escape(title)}</h1>\n'
        f'<div class="info">发布时间：{date.isoformat()} 09:30　来源：{SITE_NAME}</div>\n'
        f'<div class="article-body" id="zoom">\n{body}</div>\n'
        '<p class="back"><a href="../index.html">返回列表</a></p>\n</div>\n'
    )
    portal.add(PageSpec(path, title, plan.crumbs(), main, date=date.isoformat()))
    plan.items.append(Item(title, path, date))
    plan.items.sort(key=lambda it: it.date or dt.date.min, reverse=True)
    return path


def plan_expression(portal: Portal, plans: dict[str, ColumnPlan]) -> None:
    plan, truth, as_of = plans["gzdt"], portal.truth, portal.as_of
    misspelt = _news(plan, portal, "市民政局传达学习全国民政会议精神", ago(as_of, 18), (
        "<p>市民政局召开党组会议，传达学习国务院总理李墙在全国民政会议上的重要讲话精神，"
        "研究部署贯彻落实措施。</p>\n"
    ))  # fmt: skip
    truth.expect("expression_error", misspelt, key={"rule": "name:premier-li-qiang"},
                 detail={"rule_kind": "name", "wrong_text": "国务院总理李墙"})  # fmt: skip
    stale_title = _news(plan, portal, "市政府召开常务会议研究民生实事", ago(as_of, 33), (
        "<p>会议指出，国务院总理李克强主持召开国务院常务会议时提出的要求，各部门要抓好落实。</p>\n"
    ))  # fmt: skip
    truth.expect("expression_error", stale_title, key={"rule": "term:premier-li-keqiang"},
                 detail={"rule_kind": "term", "wrong_text": "国务院总理李克强"})  # fmt: skip
    typo = _news(plan, portal, "市民政局召开平安建设推进会", ago(as_of, 47), (
        "<p>会议要求，常态化开展扫黑险恶斗争，维护社会稳定。</p>\n"
    ))  # fmt: skip
    truth.expect("expression_error", typo, key={"rule": "typo:saohei-chue"},
                 detail={"rule_kind": "typo", "wrong_text": "扫黑险恶"})  # fmt: skip
    then = _news(plan, portal, "市民政局部署社区养老服务工作", dt.date(2022, 4, 6), (
        "<p>国务院总理李克强在政府工作报告中提出发展社区养老服务，市民政局据此部署工作。</p>\n"
    ))  # fmt: skip
    negatives = _news(plan, portal, "市民政局召开理论学习中心组学习会", ago(as_of, 60), (
        "<p>会议深入学习贯彻习近平新时代中国特色社会主义思想，学习习近平总书记重要讲话精神，"
        "传达学习国务院总理李强在国务院常务会议上的讲话精神。</p>\n"
        "<p>会议回顾了时任国务院总理李克强来我市考察民政服务站的情况；2019年，国务院总理"
        "李克强在我市考察时提出的要求已全部落实。</p>\n"
        "<p>会议要求坚持全面从严治党，积极培育和践行社会主义核心价值观，研究我市科学发展现状。</p>\n"
        "<p>会后，社区网格员李强、志愿者李蔷入户走访困难群众，送去米面油等慰问品。</p>\n"
        "<p>更正：本网稿件中“全面从严冶党”应为“全面从严治党”，特此更正。</p>\n"
        f'<p>相关新闻：<a href="{then}">国务院总理李克强部署社区养老服务工作</a></p>\n'
    ))  # fmt: skip
    truth.notes["expression"] = (
        f"{misspelt} writes 国务院总理李墙 (name rule), {stale_title} (published after "
        f"2023-03-11) 国务院总理李克强 without 时任 (term rule), {typo} 扫黑险恶 (typo rule). "
        f"{then} (2022) names the premier of its day; {negatives} holds the right names, "
        "时任, a dated historical sentence, a quoted correction, an old headline in a link and "
        "people who share a leader's name or its sound but no title (网格员李强, 志愿者李蔷): "
        "none of these is a finding."
    )
