"""The other duties an inspection verifies, planted with their hostile look-alikes.

* 政务咨询: a 咨询投诉 column (list with 留言时间/答复时间/办理状态, one page per message) beside
  the 局长信箱 the columns module already has. Planted: a message unanswered for 150 days and
  one answered after 120 days; not findings: one pending for 89 days, one answered after 88,
  one unanswered but 420 days old (outside the one-year window), recent ones.
* Required pages: a 政府信息公开目录 page, linked from the 指南 under that name. The 指南 (complete)
  and the 年报 (last year's included) come from other modules. The header's search form
  posts to ``/search/``, which the portal does not serve: the one planted search failure.
* Personal data: a 低保 公示 printing whole 身份证号 and mobile numbers; a 临时救助 公示 that
  masks them (110101********1234, 138****5678), shows a registration number that fails the
  ID checksum, a landline and one official mobile — with two spreadsheets attached: the
  发放名册 leaks ID, bank-card and mobile numbers, the 脱敏 list masks everything.
* Outbound links: a friend link whose domain now runs a casino, one parked "for sale", a
  police site's crackdown news full of gambling words (not a finding), a display:none
  drop-down of ordinary links (not a finding), and two hidden link farms in news articles
  (off-screen inline style; a ``<style>`` class rule with display:none and casino words).

Dates are days before as_of, so the truth holds for any as_of. Every expected finding is
recorded with ``truth.expect`` from the same values the HTML is built from.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from html import escape
from xml.sax.saxutils import escape as xml_escape

from sampleportal.columns import ColumnPlan
from sampleportal.days import ago
from sampleportal.listing import Item
from sampleportal.model import PageSpec
from sampleportal.portal import Portal
from sampleportal.text import SITE_NAME
from sampleportal.truth import PORT_TOKEN, Column

EXT = f"http://localhost:{PORT_TOKEN}"
MESSAGES_PATH = "/zmhd/zxts/index.html"
MESSAGES_NAME = "咨询投诉"
CATALOG_PATH = "/xxgk/xxgkml/index.html"
LEAK_XLSX = "/upload/2026/低保金发放名册.xlsx"
MASKED_XLSX = "/upload/2026/临时救助对象名单（脱敏）.xlsx"
UNANSWERED_DAYS = 90
WINDOW_DAYS = 365


# -- numbers (computed here independently of the code under test) -------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(region: str, born: str, seq: str) -> str:
    """A 居民身份证号 with its GB 11643 check character."""
    body = region + born + seq
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def card_number(prefix: str) -> str:
    """``prefix`` completed with its Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(prefix)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return prefix + str((10 - total % 10) % 10)


def masked_id(number: str) -> str:
    return number[:6] + "*" * 8 + number[-4:]


def masked_mobile(number: str) -> str:
    return number[:3] + "****" + number[-4:]


def masked_card(number: str) -> str:
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


# (name, ID number, mobile, bank card)
PEOPLE = (
    ("王某某", id_number("110105", "19530417", "023"), "13912345678", card_number("622202123456789012")),
    ("李某某", id_number("320102", "19681109", "045"), "13687654321", card_number("621700987654321098")),
    ("张某某", id_number("440304", "19450302", "011"), "15011112222", card_number("622848001122334455")),
    ("赵某某", id_number("510104", "19790825", "038"), "18633334444", card_number("621661556677889900")),
)  # fmt: skip
BAD_CHECKSUM = PEOPLE[0][1][:17] + ("1" if PEOPLE[0][1][17] != "1" else "2")


# -- a deterministic xlsx ------------------------------------------------------------------------

_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}


def xlsx(rows: list[list[str]]) -> bytes:
    """A one-sheet workbook of text cells, byte-identical for the same rows (fixed zip times)."""
    cols = "ABCDEFGHIJ"
    xml_rows = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{cols[c]}{r}" t="inlineStr"><is><t>{xml_escape(v)}</t></is></c>'
            for c, v in enumerate(row)
        )
        + "</row>"
        for r, row in enumerate(rows, 1)
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{xml_rows}</sheetData></worksheet>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in {**_XLSX_PARTS, "xl/worksheets/sheet1.xml": sheet}.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buf.getvalue()


# -- 政务咨询 ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    title: str
    asked: int  # days before as_of
    reply_after: int | None  # days after asking; None: not answered
    status: str
    expect: str | None = None  # the finding's reason, None for none


LETTERS = (
    Letter("咨询高龄津贴申领条件", 6, None, "办理中"),
    Letter("关于居家养老服务补贴发放时间的咨询", 21, 2, "已回复"),
    Letter("咨询婚姻登记预约办理流程", 64, 9, "已回复"),
    Letter("关于社区养老服务站收费标准的咨询", 89, None, "办理中"),
    Letter("关于临时救助申请材料的咨询", 120, 88, "已办结"),
    Letter("反映小区养老服务设施长期闲置的问题", 150, None, "未回复", "unanswered"),
    Letter("关于困难残疾人两项补贴核定的咨询", 230, 120, "已回复", "replied_late"),
    Letter("咨询孤儿基本生活费发放标准", 320, 4, "已回复"),
    Letter("关于殡葬服务收费的投诉", 420, None, "未回复"),
)


def _letter_page(portal: Portal, letter: Letter, path: str, asked: dt.date) -> PageSpec:
    rows = [
        ("留言标题", letter.title),
        ("留言时间", f"{asked.isoformat()} 09:12"),
        ("办理状态", letter.status),
    ]
    info = "".join(f'<tr><th scope="row">{k}</th><td>{escape(v)}</td></tr>' for k, v in rows)
    question = portal.text.paragraphs(1)[0]
    reply = ""
    if letter.reply_after is not None:
        answered = asked + dt.timedelta(days=letter.reply_after)
        reply = (
            '<div class="reply"><h2>答复信息</h2>'
            f"<p>答复单位：{SITE_NAME}办公室</p><p>答复时间：{answered.isoformat()}</p>"
            f"<p>答复内容：您好！您反映的问题已收悉。{portal.text.paragraphs(1)[0]}</p></div>\n"
        )
    main = (
        f'<div class="article letter">\n<h1>{escape(letter.title)}</h1>\n'
        f'<table class="letter-info">{info}</table>\n'
        f'<div class="ask"><h2>留言内容</h2><p>{question}</p></div>\n{reply}'
        '<p class="back"><a href="../index.html">返回列表</a></p>\n</div>\n'
    )
    crumbs = [("首页", "/"), ("政民互动", "/zmhd/index.html"), (MESSAGES_NAME, MESSAGES_PATH)]
    return PageSpec(path, letter.title, crumbs, main, date=asked.isoformat())


def plan_messages(portal: Portal) -> None:
    as_of, truth = portal.as_of, portal.truth
    rows = []
    newest = None
    for n, letter in enumerate(LETTERS, 1):
        asked = ago(as_of, letter.asked)
        newest = max(newest or asked, asked)
        path = f"/zmhd/zxts/{asked:%Y%m}/t{asked:%Y%m%d}_{portal.next_id()}.html"
        portal.add(_letter_page(portal, letter, path, asked))
        answered = asked + dt.timedelta(days=letter.reply_after) if letter.reply_after else None
        rows.append(
            f'<tr><td>{n}</td><td><a href="{path}">{escape(letter.title)}</a></td>'
            f"<td>{asked.isoformat()}</td><td>{answered.isoformat() if answered else ''}</td>"
            f"<td>{letter.status}</td></tr>"
        )
        if letter.expect:
            days = letter.reply_after if letter.expect == "replied_late" else letter.asked
            truth.expect(
                "interaction_unanswered",
                path,
                key={"case": letter.expect},
                detail={"reason": letter.expect, "asked": asked.isoformat(), "days": days},
            )
    table = (
        '<table class="mail-table"><thead><tr><th scope="col">序号</th><th scope="col">留言标题</th>'
        '<th scope="col">留言时间</th><th scope="col">答复时间</th><th scope="col">办理状态</th>'
        "</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n"
    )
    main = f'<div class="list-box">\n<h2 class="col-title">{MESSAGES_NAME}</h2>\n{table}</div>\n'
    crumbs = [("首页", "/"), ("政民互动", "/zmhd/index.html"), (MESSAGES_NAME, None)]
    portal.add(PageSpec(MESSAGES_PATH, MESSAGES_NAME, crumbs, main, kind="list"))
    portal.page("/lxwm/index.html").extras.append(
        f'<p>在线咨询：<a href="{MESSAGES_PATH}">{MESSAGES_NAME}</a></p>\n'
    )
    truth.columns.append(
        Column(
            name=MESSAGES_NAME,
            path=MESSAGES_PATH,
            dir="/zmhd/zxts/",
            parent="政民互动",
            category=None,
            cadence_days=None,
            newest_date=newest.isoformat() if newest else None,
            first_page_items=len(LETTERS),
            stale=False,
            blank=False,
            blank_reason=None,
            in_nav=False,
            list_pages=[MESSAGES_PATH],
            style="mailbox_status",
            date_format="iso",
            newest_first=True,
        )
    )
    truth.notes["interaction"] = (
        f"{MESSAGES_PATH} lists {len(LETTERS)} messages: reported are one unanswered for 150 "
        "days and one answered after 120 days; not reported: pending for 89 days, answered "
        "after 88, unanswered but 420 days old (outside the 365-day window). 局长信箱 letters "
        "are all answered after 3 days. 在线访谈 and 调查征集 are not consultation channels."
    )


# -- required pages -----------------------------------------------------------------------------------

_CATALOG = (
    ("机构职能", "jgzn"), ("政策文件", "zcwj"), ("规范性文件", "gfxwj"), ("政策解读", "zcjd"),
    ("人事信息", "rsxx"), ("规划计划", "ghjh"), ("财政预决算", "czyjs"),
    ("政府信息公开年报", "ndbg"),
)  # fmt: skip


def plan_required_pages(portal: Portal, plans: dict[str, ColumnPlan]) -> None:
    rows = "".join(
        f'<tr><td>{n}</td><td><a href="{plans[key].spec.path}">{name}</a></td></tr>'
        for n, (name, key) in enumerate(_CATALOG, 1)
    )
    main = (
        '<div class="article">\n<h1>政府信息公开目录</h1>\n'
        '<table class="catalog"><thead><tr><th scope="col">序号</th><th scope="col">类别</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>\n</div>\n"
    )
    crumbs = [("首页", "/"), ("政务公开", "/xxgk/index.html"), ("政府信息公开目录", None)]
    portal.add(PageSpec(CATALOG_PATH, "政府信息公开目录", crumbs, main, kind="special"))
    portal.page("/xxgk/xxgkzn/index.html").extras.append(
        f'<p>主动公开的政府信息见<a href="{CATALOG_PATH}">政府信息公开目录</a>。</p>\n'
    )
    portal.truth.expect(
        "missing_required_page",
        "/",
        key={"item": "search"},
        detail={"item": "search", "reason": "http_error", "status": 404},
    )
    portal.truth.notes["required_pages"] = (
        "指南 /xxgk/xxgkzn/index.html gives address, hours, phone, fax and online application; "
        f"目录 {CATALOG_PATH}; 年报 for the previous year in /xxgk/ndbg/. The header search form "
        "(GET /search/?q=) answers 404: reported on the home page as item search."
    )


# -- personal data --------------------------------------------------------------------------------------


def _table(head: list[str], rows: list[list[str]]) -> str:
    ths = "".join(f'<th scope="col">{h}</th>' for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="gs-table"><thead><tr>{ths}</tr></thead><tbody>{trs}</tbody></table>\n'


def _notice(portal: Portal, plans: dict[str, ColumnPlan], title: str, days: int, body: str) -> str:
    plan = plans["tzgg"]
    date = ago(portal.as_of, days)
    path = plan.article_path(portal.next_id(), date)
    main = (
        f'<div class="article">\n<h1>{escape(title)}</h1>\n'
        f'<div class="info">发布时间：{date.isoformat()} 10:00　来源：{SITE_NAME}</div>\n'
        f'<div class="article-body" id="zoom">\n{body}</div>\n'
        '<p class="back"><a href="../index.html">返回列表</a></p>\n</div>\n'
    )
    portal.add(PageSpec(path, title, plan.crumbs(), main, date=date.isoformat()))
    plan.items.append(Item(title, path, date))
    plan.items.sort(key=lambda it: it.date or dt.date.min, reverse=True)
    return path


def _leak_rows(people: tuple[tuple[str, str, str, str], ...], masked: bool) -> list[list[str]]:
    """Spreadsheet rows of the 发放名册: whole numbers, or masked the way a 公示 should."""
    rows = [["序号", "姓名", "身份证号码", "手机号码", "银行卡号", "发放金额"]]
    for n, (name, id_no, mobile, card) in enumerate(people, 1):
        if masked:
            id_no, mobile, card = masked_id(id_no), masked_mobile(mobile), masked_card(card)
        rows.append([str(n), name, id_no, mobile, card, "800"])
    return rows


def plan_personal_data(portal: Portal, plans: dict[str, ColumnPlan]) -> None:
    truth, year = portal.truth, portal.as_of.year
    head = ["序号", "姓名", "身份证号", "联系电话", "保障人数", "月保障金（元）"]
    whole = [[str(n), p[0], p[1], p[2], str(n + 1), "600"] for n, p in enumerate(PEOPLE, 1)]
    hidden = [
        [str(n), p[0], masked_id(p[1]), masked_mobile(p[2]), "1", "800"]
        for n, p in enumerate(PEOPLE, 1)
    ]
    leak_body = (
        "<p>经本人申请、入户调查、民主评议和审核确认，现将新增城乡低保对象公示如下：</p>\n"
        f"{_table(head, whole)}<p>公示期为7天。</p>\n"
    )
    leak_page = _notice(
        portal, plans, f"关于{year}年第三季度城乡最低生活保障新增对象的公示", 100, leak_body
    )
    truth.expect(
        "personal_data_exposed",
        leak_page,
        key={"case": "page_leak"},
        detail={"source": "page", "kinds": ["id_card", "mobile"]},
    )
    masked_body = (
        "<p>现将临时救助对象公示如下（身份证号、联系电话已作脱敏处理）：</p>\n"
        f"{_table(head, hidden)}"
        f"<p>登记编号：{BAD_CHECKSUM}（内部编号，非身份证号）。</p>\n"
        "<p>监督电话：0000-12345678，联系人：民政局社会救助科，手机：13900001111。</p>\n"
        '<div class="attach"><p>附件：</p><ul>'
        f'<li><a href="{LEAK_XLSX}">附件1：低保金发放名册.xlsx</a></li>'
        f'<li><a href="{MASKED_XLSX}">附件2：临时救助对象名单（脱敏）.xlsx</a></li></ul></div>\n'
    )
    masked_page = _notice(
        portal, plans, f"关于{year}年第三季度临时救助对象的公示", 130, masked_body
    )
    portal.asset(LEAK_XLSX, xlsx(_leak_rows(PEOPLE, masked=False)))
    portal.asset(MASKED_XLSX, xlsx(_leak_rows(PEOPLE, masked=True)))
    truth.expect(
        "personal_data_exposed",
        masked_page,
        LEAK_XLSX,
        key={"case": "attachment_leak"},
        detail={"source": "attachment", "kinds": ["id_card", "bank_card", "mobile"]},
    )
    truth.good(masked_page, LEAK_XLSX, "existing attachment (it leaks personal data, not broken)")
    truth.good(masked_page, MASKED_XLSX, "existing attachment with masked personal data")
    truth.notes["personal_data"] = (
        f"{leak_page} prints whole ID and mobile numbers; {masked_page} masks them, shows an "
        "18-digit registration number failing the GB 11643 checksum, a landline and one "
        f"official mobile (not reported), and links {LEAK_XLSX} (ID, bank-card and mobile "
        f"numbers: reported on that page with the file as target) and {MASKED_XLSX} (masked)."
    )


# -- outbound links ----------------------------------------------------------------------------------------


def _external_page(title: str, text: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><h1>{title}</h1><p>{text}</p></body></html>\n"
    )


CASINO = EXT + "/ext/tiyu"
PARKED = EXT + "/ext/expired"
POLICE = EXT + "/ext/gaj"


_EXTERNAL_PAGES = {
    "/ext/tiyu": (
        "澳门新葡京娱乐城-百家乐-真人视讯-体育投注",
        "新用户注册即送彩金，百家乐、六合彩、老虎机、体育投注一站式娱乐城，真人视讯24小时在线。",
    ),
    "/ext/expired": (
        "This domain is for sale",
        "该域名可以出售，如有意购买请联系域名持有人。Buy this domain today.",
    ),
    "/ext/gaj": (
        "某市公安局开展打击网络赌博专项行动",
        "为严厉打击网络赌博违法犯罪，市公安局近日开展专项行动，依法查处跨境赌博、网络六合彩等"
        "违法犯罪活动。请广大群众远离赌博，积极举报百家乐等网络赌博线索。",
    ),
}


def _expect_outbound(
    portal: Portal, page: str, target: str | None, reason: str, **detail: object
) -> None:
    portal.truth.expect(
        "suspicious_outbound_link",
        page,
        target,
        key={"case": reason},
        detail={"reason": reason, **detail},
    )
    if target is not None:
        portal.truth.good(page, target, "answers 200: a hijacked or hidden link is not broken")


def plan_outbound(portal: Portal, plans: dict[str, ColumnPlan]) -> None:
    for path, (title, text) in _EXTERNAL_PAGES.items():
        body = _external_page(title, text)
        portal.route(path=path, host="external", kind="status", status=200, body=body)
    truth = portal.truth
    page = "/yqlj/index.html"
    portal.page(page).extras.append(
        '<div class="article"><h2>其他链接</h2><ul class="friend-links">'
        f'<li><a href="{CASINO}">某市全民健身网</a></li><li><a href="{PARKED}">某市社区服务网</a></li>'
        f'<li><a href="{POLICE}">某市公安局</a></li></ul>'
        f'<div class="more-links" style="display:none"><a href="{EXT}/ext/ok">某省民政厅（更多）</a></div>'
        "</div>\n"
    )
    _expect_outbound(portal, page, CASINO, "gambling")
    _expect_outbound(portal, page, PARKED, "parked")
    truth.good(page, POLICE, "government site linking a government site (crackdown news)")
    truth.good(page, EXT + "/ext/ok", "display:none drop-down of an ordinary link: not a link farm")
    taken = {d.path for d in truth.documents}
    news = [it.path for it in plans["gzdt"].items if it.path not in taken]
    farm_inline, farm_class = news[8], news[9]
    portal.page(farm_inline).extras.append(
        '<div style="position:absolute;left:-9999px;top:-9999px">'
        f'<a href="{CASINO}">澳门新葡京</a> <a href="{CASINO}?id=2">百家乐官网</a></div>\n'
    )
    portal.page(farm_class).extras.append(
        "<style>.hzlj{display:none}</style>\n"
        f'<div class="hzlj"><a href="{CASINO}?id=3">六合彩开奖结果</a></div>\n'
    )
    for farm, targets, hiding in (
        (farm_inline, (CASINO, CASINO + "?id=2"), "offscreen"),
        (farm_class, (CASINO + "?id=3",), "hidden"),
    ):
        # One problem, one finding: the farm's casino links are its second reason, not
        # findings of their own (a hidden gambling link is counted once).
        _expect_outbound(
            portal,
            farm,
            None,
            "hidden_links",
            hiding=[hiding],
            reasons=["hidden_links", "gambling"],
        )
        for target in targets:
            truth.good(farm, target, "hidden casino link: a reason of the page's 暗链 finding")
        # and a dark link to the casino's host, which a person confirms for the veto
        technique = "offscreen" if hiding == "offscreen" else "display_none"
        truth.expect("hidden_link", farm, targets[0], detail={"technique": technique})
    truth.notes["outbound"] = (
        f"{CASINO} serves a casino, {PARKED} a for-sale page, {POLICE} crackdown news (not "
        "suspicious). Hidden link farms: an off-screen block and a <style> class rule with "
        "display:none; each is one finding without target whose reasons are the hiding and "
        "the casino its links lead to."
    )


def plan_duties(portal: Portal, plans: dict[str, ColumnPlan]) -> None:
    """Plant every case of this module (before list pages are rendered: it adds notices)."""
    plan_messages(portal)
    plan_required_pages(portal, plans)
    plan_personal_data(portal, plans)
    plan_outbound(portal, plans)
