"""The column tree (栏目): specs, their articles, and their list pages.

Each column has a name (which decides its category by the docs/CHECKS.md keywords, or what
its items are when the name says nothing), a markup style, a date format and a freshness
plan in days before as_of. Planted cases: fresh and stale columns of every category, a stale
column of no category (never reported), a list whose newest item is not the first row, a
list without visible dates (counts as not updated: stale, not blank), three blank columns
(empty list, 暂无信息, placeholder items), yearly 部门预算/部门决算 columns (one fresh at 200
days, one a year overdue) and a 财务公开 column that is yearly by what it holds, and a list
split into sibling groups beside an inactive 暂无数据 template branch (fresh, not blank).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from html import escape

from sampleportal.article import hanweb_main, news_main, placeholder_main
from sampleportal.days import ago
from sampleportal.layout import CHANNELS
from sampleportal.listing import Item, list_page_main, page_path, trs_pager
from sampleportal.model import PageSpec
from sampleportal.portal import Portal
from sampleportal.text import SITE_NAME, TOPICS
from sampleportal.truth import CADENCE_DAYS, Column, category_of

CHANNEL_PATH = dict(CHANNELS)


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    name: str
    parent: str  # channel name
    path: str  # first list page
    style: str  # listing renderer
    date_format: str | None
    count: int = 0  # generated articles (0: items come from another module)
    newest: int = 0  # days before as_of of the newest item
    spacing: int = 5  # days between items
    kind: str = "news"  # article kind: news | notice | hanweb | nodate | letter | leader | guide | placeholder
    per_page: int = 20
    pager_inline: bool = False  # TRS pager function defined inline (else /js/trs_pager.js)
    newest_first: bool = True
    blank: str | None = None  # empty | no_info | placeholder
    url: str = "trs"  # article URLs: trs | turbo | hanweb | plain
    held: str | None = None  # the category its items give when its name gives none


# One row per column: key, name, channel, first list page, list style, date format, then the
# generated articles (count, newest in days before as_of, spacing in days) and the knobs.
# fmt: off
SPECS: tuple[ColumnSpec, ...] = (
    # 政务动态 — dynamic, 14 days
    ColumnSpec("gzdt", "工作动态", "政务动态", "/zwdt/gzdt/index.html", "trs_table", "mmdd", 48, 2, 3),
    ColumnSpec("bmdt", "部门动态", "政务动态", "/zwdt/bmdt/index.html", "trs_ul_span", "iso", 15, 5, 4),
    ColumnSpec("qxdt", "区县动态", "政务动态", "/col/col1035/index.html", "hanweb", "iso", 24, 1, 3,
               kind="hanweb", url="hanweb"),
    ColumnSpec("tpxw", "图片新闻", "政务动态", "/zwdt/tpxw/index.html", "pic_rows", "slash", 9, 20, 12),
    ColumnSpec("mtgz", "媒体关注", "政务动态", "/zwdt/mtgz/index.html", "bracket", "iso", 12, 40, 9,
               url="turbo"),
    ColumnSpec("mzyw", "民政要闻", "政务动态", "/zwdt/mzyw/index.html", "news_ul", "cn", 15, 3, 4),
    ColumnSpec("jcdt", "基层动态", "政务动态", "/zwdt/jcdt/index.html", "news_ul", "iso", 12, 6, 5,
               newest_first=False),
    # 22 rows in sibling <ul> groups of five, beside a Vue template's inactive 暂无数据
    ColumnSpec("xzdt", "乡镇动态", "政务动态", "/zwdt/xzdt/index.html", "split_groups", "iso", 22, 2, 2,
               per_page=22),
    # 政务公开 — notice 6 months, personnel/planning 1 year, 年报/档案 not judged
    ColumnSpec("tzgg", "通知公告", "政务公开", "/xxgk/tzgg/index.html", "trs_table", "iso", 26, 10, 7,
               kind="notice", pager_inline=True),
    ColumnSpec("zcwj", "政策文件", "政务公开", "/xxgk/zcwj/index.html", "news_ul", "iso"),
    # One list page each: documents and their 解读 link each other, so no document would be
    # reachable only through a pager, as truth.trs_pagination_only_pages says of older items.
    ColumnSpec("gfxwj", "规范性文件", "政务公开", "/xxgk/gfxwj/index.html", "doc_table", "iso",
               per_page=40),
    ColumnSpec("zcjd", "政策解读", "政务公开", "/xxgk/zcjd/index.html", "news_ul", "dot",
               per_page=40),
    ColumnSpec("gsgg", "公示公告", "政务公开", "/xxgk/gsgg/index.html", "php_div", "iso", 8, 243, 30,
               kind="notice"),
    ColumnSpec("rsxx", "人事信息", "政务公开", "/xxgk/rsxx/index.html", "news_ul", "iso", 8, 90, 40,
               kind="personnel"),
    ColumnSpec("zkly", "招考录用", "政务公开", "/xxgk/zkly/index.html", "news_ul", "cn0", 6, 425, 60,
               kind="recruit"),
    ColumnSpec("rsrm", "人事任免", "政务公开", "/xxgk/rsrm/index.html", "news_ul", None, 6,
               kind="nodate", url="plain"),
    ColumnSpec("ghjh", "规划计划", "政务公开", "/xxgk/ghjh/index.html", "news_ul", "slash_short", 6,
               200, 60, kind="plan"),
    ColumnSpec("czyjs", "财政预决算", "政务公开", "/xxgk/czyjs/index.html", "news_ul", "iso", 6, 100, 45,
               kind="budget"),
    # yearly by name: 部门预算 published once a year (fresh at 200 days), 部门决算 a year late
    ColumnSpec("bmys", "部门预算", "政务公开", "/xxgk/bmys/index.html", "news_ul", "iso", 3, 200, 365,
               kind="budget"),
    ColumnSpec("bmjs", "部门决算", "政务公开", "/xxgk/bmjs/index.html", "news_ul", "iso", 3, 760, 365,
               kind="budget"),
    # a name that says nothing; its items are budgets and final accounts: yearly by content
    ColumnSpec("cwgk", "财务公开", "政务公开", "/xxgk/cwgk/index.html", "news_ul", "iso", 4, 430, 180,
               kind="budget", held="budget"),
    ColumnSpec("ndbg", "政府信息公开年报", "政务公开", "/xxgk/ndbg/index.html", "news_ul", "iso"),
    ColumnSpec("dazl", "档案资料", "政务公开", "/xxgk/dazl/index.html", "news_ul", "iso"),
    # 机构概况 — not judged
    ColumnSpec("jgzn", "机构职能", "机构概况", "/jggk/jgzn/index.html", "news_ul", "iso", 4, 800, 30,
               kind="org"),
    ColumnSpec("ldxx", "领导信息", "机构概况", "/jggk/ldxx/index.html", "leaders", None, 4,
               kind="leader", url="plain"),
    # 政民互动
    ColumnSpec("jzxx", "局长信箱", "政民互动", "/zmhd/jzxx/index.html", "mailbox", "iso", 10, 4, 12,
               kind="letter"),
    ColumnSpec("zxft", "在线访谈", "政民互动", "/zmhd/zxft/index.html", "news_ul", "iso", 5, 30, 60,
               kind="interview"),
    ColumnSpec("dczj", "调查征集", "政民互动", "/zmhd/dczj/index.html", "news_ul", "iso", 5, 15, 40,
               kind="survey"),
    # 办事服务 — including the three blank columns
    ColumnSpec("bszn", "办事指南", "办事服务", "/bsfw/bszn/index.html", "news_ul", None, 8,
               kind="guide", url="plain"),
    ColumnSpec("bmfw", "便民服务", "办事服务", "/bsfw/bmfw/index.html", "news_ul", "iso", 6, 8, 20,
               kind="service"),
    ColumnSpec("csgy", "慈善事业", "办事服务", "/bsfw/csgy/index.html", "empty", None, blank="empty"),
    ColumnSpec("ylfw", "养老服务", "办事服务", "/bsfw/ylfw/index.html", "no_info", None, blank="no_info"),
    ColumnSpec("hydj", "婚姻登记", "办事服务", "/bsfw/hydj/index.html", "news_ul", "iso", 2, 700, 20,
               kind="placeholder", blank="placeholder"),
    # 专题专栏 — historical 专题, not judged
    ColumnSpec("mzfz", "民政法治宣传专题", "专题专栏", "/ztzl/mzfz/index.html", "news_ul", "iso", 5, 400, 20),
    ColumnSpec("jly", "敬老月活动专题", "专题专栏", "/ztzl/jly/index.html", "news_ul", "iso", 5, 50, 5),
)
# fmt: on

# variant → {column key: newest offset}: "stale_columns" pushes the time-boxed count to 5.
VARIANT_NEWEST = {"stale_columns": {"gzdt": 25, "bmdt": 30}}

_TITLES = {
    "personnel": ("关于拟聘用工作人员名单的公示（第{n}批）", "某市民政局{y}年工作人员调整情况"),
    "recruit": (
        "某市民政局所属事业单位{y}年公开招聘工作人员公告",
        "{y}年公开遴选工作人员拟录用人员名单",
    ),
    "nodate": ("关于王某某等同志职务任免的通知（{n}）", "关于李某某同志任职的通知（{n}）"),
    "plan": ("某市民政局{y}年工作计划", "某市养老服务体系建设三年行动计划（第{n}版）"),
    "budget": ("某市民政局{y}年部门预算公开", "某市民政局{y}年部门决算公开"),
    "org": ("主要职责", "内设机构", "直属单位", "办公地址及联系方式"),
    "leader": ("局长　王某某", "副局长　李某某", "副局长　张某某", "副局长　赵某某"),
    "letter": ("关于{topic}补贴申领的咨询", "咨询{topic}办理流程", "关于{topic}政策的建议"),
    "interview": ("在线访谈：{topic}政策问答", "局长访谈：聚焦{topic}"),
    "survey": ("关于{topic}工作的问卷调查", "{topic}服务满意度调查"),
    "guide": ("{topic}办事指南",),
    "service": ("{topic}服务机构名录", "{topic}便民服务电话"),
    "placeholder": ("婚姻登记网上预约", "婚姻家庭辅导服务"),
}


@dataclass
class ColumnPlan:
    spec: ColumnSpec
    items: list[Item] = field(default_factory=list)
    list_pages: list[str] = field(default_factory=list)

    @property
    def dir(self) -> str:
        return self.spec.path.rsplit("/", 1)[0]

    def article_path(self, n: int, date: dt.date | None) -> str:
        s = self.spec
        if s.url == "hanweb" and date:
            return f"/art/{date.year}/{date.month}/{date.day}/art_1035_{n}.html"
        if s.url == "turbo":
            return f"{self.dir}/c{n}/content.html"
        if s.url == "plain" or date is None:
            return f"{self.dir}/art_{n}.html"
        return f"{self.dir}/{date:%Y%m}/t{date:%Y%m%d}_{n}.html"

    def crumbs(self) -> list[tuple[str, str | None]]:
        s = self.spec
        return [("首页", "/"), (s.parent, CHANNEL_PATH[s.parent]), (s.name, s.path)]


def _dates(spec: ColumnSpec, as_of: dt.date, portal: Portal) -> list[dt.date | None]:
    if spec.kind in ("nodate", "leader", "guide"):
        return [None] * spec.count
    newest = spec.newest
    dates = [ago(as_of, newest)]
    off = newest + (15 if not spec.newest_first else 0)  # the unsorted list's first row is stale
    for _ in range(spec.count - 1):
        off += max(1, spec.spacing + portal.text.randint(-1, 1))
        dates.append(ago(as_of, off))
    return dates


def _title(portal: Portal, spec: ColumnSpec, n: int, date: dt.date | None) -> str:
    t = portal.text
    if spec.kind in ("news", "hanweb"):
        return t.news_title()
    if spec.kind == "notice":
        return t.notice_title()
    templates = _TITLES[spec.kind]
    year = (date or portal.as_of).year
    return templates[n % len(templates)].format(n=n + 1, y=year, topic=t.choice(TOPICS))


def _article(
    portal: Portal, plan: ColumnPlan, title: str, date: dt.date | None, path: str
) -> PageSpec:
    s, t = plan.spec, portal.text
    crumbs = plan.crumbs()
    if s.kind == "hanweb":
        main = hanweb_main(title, date, "东城区民政局", t.paragraphs(3))
        return PageSpec(
            path,
            title,
            crumbs,
            main,
            head_extra=['<meta name="effectiveTime" content="0">'],
            date=date.isoformat(),
        )
    if s.kind == "placeholder":
        text = "栏目建设中，敬请期待！" if "预约" in title else "该栏目正在建设中"
        return PageSpec(path, title, crumbs, placeholder_main(title, text), kind="special")
    back = "../index.html" if path.count("/") > plan.spec.path.count("/") else "index.html"
    paragraphs = _body(portal, s.kind, date)
    main = news_main(title, date, SITE_NAME, paragraphs, back=back)
    return PageSpec(path, title, crumbs, main, date=date.isoformat() if date else None)


def _body(portal: Portal, kind: str, date: dt.date | None) -> list[str]:
    t = portal.text
    if kind == "letter" and date:
        reply = date + dt.timedelta(days=3)
        return [
            f"来信时间：{date.isoformat()}",
            "来信内容：" + t.paragraphs(1)[0],
            f"回复单位：{SITE_NAME}　回复时间：{reply.isoformat()}",
            "回复内容：您好！感谢您对民政工作的关心和支持。" + t.paragraphs(1)[0],
        ]
    if kind == "leader":
        return ["职务：主持局全面工作。", "分管：办公室、政策法规科、社会救助科。"]
    if kind == "guide":
        return [
            "一、办理依据：《社会救助暂行办法》等。",
            "二、申请材料：申请书、身份证明、家庭经济状况有关证明材料。",
            "三、办理流程：申请、受理、审核、确认、公示。",
            "四、办理地点：各区民政局政务服务窗口。",
        ]
    return t.paragraphs(3)


def plan_columns(portal: Portal) -> dict[str, ColumnPlan]:
    """Every column, with the articles of the columns whose items are generated here."""
    overrides = VARIANT_NEWEST.get(portal.variant, {})
    plans: dict[str, ColumnPlan] = {}
    for spec in SPECS:
        if spec.key in overrides:
            spec = replace(spec, newest=overrides[spec.key])
        plan = ColumnPlan(spec)
        plans[spec.key] = plan
        for n, date in enumerate(_dates(spec, portal.as_of, portal) if spec.count else []):
            title = _title(portal, spec, n, date)
            path = plan.article_path(portal.next_id(), date)
            portal.add(_article(portal, plan, title, date, path))
            plan.items.append(Item(title, path, date))
        if not spec.newest_first and len(plan.items) > 3:
            plan.items.insert(3, plan.items.pop(0))
    return plans


def _sidebar(plans: dict[str, ColumnPlan], parent: str) -> str:
    lis = "".join(
        f'<li><a href="{p.spec.path}">{escape(p.spec.name)}</a></li>'
        for p in plans.values()
        if p.spec.parent == parent
    )
    return f"<h2>{escape(parent)}</h2><ul>{lis}</ul>"


def render_lists(portal: Portal, plans: dict[str, ColumnPlan]) -> None:
    """List pages of every column (TRS pagination where a column has more than one page)."""
    for plan in plans.values():
        s = plan.spec
        items = plan.items
        chunks = [items[i : i + s.per_page] for i in range(0, len(items), s.per_page)] or [[]]
        if s.style == "hanweb":
            chunks = [items]  # every record sits in the first page's datastore
        side = _sidebar(plans, s.parent)
        for index, chunk in enumerate(chunks):
            path = page_path(s.path, index)
            pager = trs_pager(len(chunks), index, s.pager_inline)
            main = list_page_main(s.name, s.style, chunk, path, s.date_format, pager)
            head = (
                ['<script src="/js/trs_pager.js"></script>'] if pager and not s.pager_inline else []
            )
            crumbs = [*plan.crumbs()[:-1], (s.name, None)]
            portal.add(
                PageSpec(path, s.name, crumbs, main, kind="list", sidebar=side, head_extra=head)
            )
            plan.list_pages.append(path)
        portal.truth.trs_pagination_pages.extend(plan.list_pages[1:])
        if len(chunks) > 1:
            portal.truth.trs_pagination_only_pages.extend(it.path for c in chunks[1:] for it in c)
        if s.style == "hanweb":
            portal.truth.hanweb_only_pages.extend(it.path for it in items)


def record_columns(portal: Portal, plans: dict[str, ColumnPlan], nav_paths: set[str]) -> None:
    """The truth of every column and the stale/blank findings it implies."""
    as_of = portal.as_of
    for plan in plans.values():
        s = plan.spec
        category = category_of(s.name) or s.held
        cadence = CADENCE_DAYS.get(category) if category else None
        dates = [it.date for it in plan.items if it.date]
        newest = max(dates) if dates else None
        blank = s.blank is not None
        # A blank column is reported as blank only; without dated items a column with items
        # is "not updated" (docs/CHECKS.md: items without a visible date count as not updated).
        stale = bool(cadence and not blank and (newest is None or (as_of - newest).days > cadence))
        first_items = len(plan.items) if s.style == "hanweb" else min(len(plan.items), s.per_page)
        if s.blank in ("empty", "no_info"):
            first_items = 0
        portal.truth.columns.append(
            Column(
                name=s.name,
                path=s.path,
                dir=plan.dir + "/",
                parent=s.parent,
                category=category,
                cadence_days=cadence,
                newest_date=newest.isoformat() if newest else None,
                first_page_items=first_items,
                stale=stale,
                blank=blank,
                blank_reason=s.blank,
                in_nav=s.path in nav_paths,
                list_pages=list(plan.list_pages),
                style=s.style,
                date_format=s.date_format,
                newest_first=s.newest_first,
            )
        )
        key = {"column": s.path}
        if stale:
            detail = {
                "column": s.name,
                "category": category,
                "newest_date": newest.isoformat() if newest else None,
                "cadence_days": cadence,
                "timeboxed": category in ("dynamic", "notice"),
            }
            portal.truth.expect("stale_column", s.path, key=key, detail=detail)
        if blank:
            portal.truth.expect(
                "blank_column", s.path, key=key, detail={"column": s.name, "reason": s.blank}
            )
