"""The portal a week later: what a second scan sees (``generate_portal(..., week=2)``).

The first week is the portal as ``generate_portal`` always wrote it (its bytes do not depend
on this module). The second week is the same portal seven days on, as the tampering check
(checks/tampering.py, docs/CHECKS.md) compares it with the first week's scan:

Planted (``content_tampered``, ``backdated_article``; truth.findings lists exactly these):

* the home page and the 媒体关注 list page defaced under the same template: their headings
  rewritten into a long gambling advertisement, and a footer link to a new outside host
  (``text_replaced`` and ``new_domain`` on each page);
* a 民政要闻 article first seen in week 2 whose 发布日期 is twenty days before the first scan,
  newer than the bottom row 民政要闻's first page showed then, which did not list it.

Tricky negatives (``truth.rescan["negatives"]``):

* news rotation: new articles dated after the first scan on top of 工作动态, 民政要闻 and
  通知公告 (and so on the home page), their oldest rows pushed to the next list page;
* a new column (社会组织管理) whose articles are dated before the first scan: its list was
  not crawled then, so nobody can say they were hidden;
* an 通知公告 notice from page 2 pinned to the top of page 1 (置顶): listed then, not new;
* 部门动态's list page rendered by a slightly changed template (one more wrapper), same text;
* two date corrections: a 部门动态 article listed then whose date was corrected to an earlier
  day (listed then: not new), and a new 部门动态 article whose list row shows a date before
  the first scan while its own page shows its real, later 发布日期 (docs/CHECKS.md: "an
  article whose own page dates it later" is not judged).

Nothing here draws on the portal's seeded text generator or its page ids, so every page the
week does not touch keeps its address and its text.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from sampleportal.article import news_main
from sampleportal.columns import ColumnPlan, ColumnSpec
from sampleportal.days import ago
from sampleportal.listing import Item
from sampleportal.model import PageSpec
from sampleportal.portal import Portal
from sampleportal.text import SITE_NAME, TextGen

WEEK_DAYS = 7
FIRST_ID = 90000  # ids of week-2 articles: far from the ids the first week hands out
FOREIGN_HOST = "www.amxpj8888.invalid"  # .invalid: never resolved, never contacted
FOREIGN_URL = f"http://{FOREIGN_HOST}/"
ADVERT = (  # twenty different sentences: a defacement replaces the text, it does not repeat it
    "澳门新葡京娱乐场真人视讯百家乐老虎机注册即送彩金日赚千元不是梦官方直营信誉保证",
    "电子游艺捕鱼游戏体育投注应有尽有全天候在线客服充值提款秒到账欢迎各位老板下载体验",
    "六合彩特码资料大全每期必中网上赌场首存翻倍返水无上限百万会员的共同选择实力见证",
    "亚洲顶级线上博彩平台真人荷官在线发牌电子竞技足球篮球滚球投注赔率业界最高火爆进行",
    "新用户首充一百送一百八十八元彩金每日签到领红包推荐好友再得佣金提现五分钟极速到账",
    "皇冠体育开户代理招商高额返佣线上娱乐城老虎机水果机捕鱼达人天天有活动月月送豪礼",
    "网上真钱棋牌斗地主炸金花牛牛德州扑克二十四小时不打烊手机电脑通用下载即玩安全放心",
    "百家乐必胜技巧稳赚不赔打法独家揭秘加入会员群每天推送精准计划跟单就能赚到盆满钵满",
    "威尼斯人线上赌场正网授权菲律宾持牌运营资金由第三方托管大额出款无需审核即时到账",
    "时时彩北京赛车幸运飞艇极速快三开奖直播走势图分析专家免费推荐号码包赢不包赔退款",
    "体育博彩世界杯欧洲杯英超西甲意甲德甲全场半场让球大小球角球波胆冠军盘口一应俱全",
    "永利皇宫美高梅金沙银河多家娱乐品牌联合推出周年庆典活动存款即享百分之三十加赠礼金",
    "代理加盟零门槛月入十万不是梦推广链接永久绑定下线无限级返佣每周一结算从不拖欠工资",
    "真人美女荷官高清视频直播骰宝龙虎斗轮盘二十一点多桌同时下注手机扫码即可加入游戏桌",
    "输钱不用怕每日亏损救援金最高返还百分之十五连续七天登录还有神秘大奖等你来拿免费领",
    "正规平台安全稳定十年老品牌信誉至上玩家口碑第一累计派彩超过五十亿元欢迎实力验证",
    "快速注册只需手机号无需实名认证支持微信支付宝银行卡虚拟货币多种方式充值提现到账快",
    "电竞竞猜英雄联盟王者荣耀刀塔反恐精英赛事全覆盖实时赔率滚动更新赛前赛中都能下注",
    "斗鸡赛马赛狗虚拟体育每三分钟一场开奖公平公正结果由国际权威机构认证绝无任何作弊",
    "首次登录即送体验金三十八元无需充值即可试玩全部游戏赢了可以直接提现到自己银行卡",
)
TAMPERED_LIST = "/zwdt/mtgz/index.html"
TEMPLATE_CHANGED_LIST = "/zwdt/bmdt/index.html"


def _advert(start: int, count: int) -> str:
    return "，".join(ADVERT[(start + i) % len(ADVERT)] for i in range(count)) + "。"


class Week2:
    """Plans the second week's changes; ``columns`` before the lists render, ``deface`` last."""

    def __init__(self, portal: Portal, plans: dict[str, ColumnPlan]) -> None:
        self.portal, self.plans = portal, plans
        self.first_scan = portal.as_of
        self.scan = portal.as_of + dt.timedelta(days=WEEK_DAYS)
        self.text = TextGen(portal.truth.seed + 2)  # the portal's own generator stays untouched
        self._id = FIRST_ID
        self.negatives: list[dict[str, str]] = []
        self._first_week = {key: list(plan.items) for key, plan in plans.items()}
        self._second_week: dict[str, ColumnPlan | list[Item]] = {}

    def _article(self, key: str, title: str, shown: dt.date, dated: dt.date | None = None) -> str:
        """A new article of column ``key``, listed as of ``shown`` above the first older row
        (the rows keep their order), its page dated ``dated`` (else ``shown``)."""
        plan = self.plans[key]
        self._id += 1
        day = dated or shown
        path = plan.article_path(self._id, day)
        back = "../index.html" if path.count("/") > plan.spec.path.count("/") else "index.html"
        main = news_main(title, day, SITE_NAME, self.text.paragraphs(3), back=back)
        self.portal.add(PageSpec(path, title, plan.crumbs(), main, date=day.isoformat()))
        at = next((i for i, it in enumerate(plan.items) if it.date and it.date < shown),
                  len(plan.items))  # fmt: skip
        plan.items.insert(at, Item(title, path, shown))
        return path

    def _negative(self, page: str, case: str, why: str) -> None:
        self.negatives.append({"page": page, "case": case, "why": why})

    # -- before the list pages render ------------------------------------------------------

    def columns(self) -> None:
        after = [self.first_scan + dt.timedelta(days=n) for n in range(1, WEEK_DAYS)]
        rotation = {
            "gzdt": ("市民政局召开冬季救助工作部署会", "全市养老机构消防安全专项检查启动",
                     "市民政局开展“寒冬送温暖”走访慰问活动"),
            "mzyw": ("全市社区治理创新现场推进会召开", "市民政局部署年底困难群众生活保障工作"),
            "tzgg": ("关于开展2026年度社会组织年报工作的通知",),
        }  # fmt: skip
        for key, titles in rotation.items():
            for n, title in enumerate(titles):
                path = self._article(key, title, after[-1 - 2 * n])
                self._negative(path, "rotation", "new article dated after the first scan")
        self._backdate()
        self._pin()
        self._date_corrections()
        self._new_column()

    def _backdate(self) -> None:
        day = ago(self.first_scan, 20)
        path = self._article("mzyw", "市民政局关于表彰2026年度民政系统先进集体的决定", day)
        plan = self.plans["mzyw"]
        shown_then = [it for it in plan.items
                      if it.path != path and it.date and it.date <= self.first_scan]  # fmt: skip
        bottom = shown_then[: plan.spec.per_page][-1].date
        if bottom is None or bottom >= day:
            raise ValueError("the backdated article must be newer than page 1's last row then")
        self.portal.truth.expect(
            "backdated_article",
            path,
            key={"column": plan.spec.path},
            detail={
                "column": plan.spec.name,
                "published_date": day.isoformat(),
                "previous_scan_date": self.first_scan.isoformat(),
                "previous_oldest": bottom.isoformat(),
            },
        )

    def _pin(self) -> None:
        plan = self.plans["tzgg"]
        old = self._first_week["tzgg"][plan.spec.per_page]  # page 2's first row in week 1
        plan.items.remove(old)
        plan.items.insert(0, old)
        self._negative(old.path, "moved_to_page_1", "listed on page 2 then, pinned on page 1 now")

    def _date_corrections(self) -> None:
        plan = self.plans["bmdt"]
        known = plan.items[1]
        if known.date is None:
            raise ValueError(f"{known.path} shows no date to correct")
        corrected = known.date - dt.timedelta(days=2)  # still above the next row
        page = self.portal.page(known.path)
        page.main = _replace_once(page.main, f"发布时间：{known.date.isoformat()} ",
                                  f"发布时间：{corrected.isoformat()} ")  # fmt: skip
        page.date = corrected.isoformat()
        known.date = corrected
        self._negative(known.path, "date_corrected", "listed then; its date corrected earlier")
        # the list row carries a wrong date before the first scan; the page its real one
        path = self._article("bmdt", "市慈善总会“冬日暖阳”募捐活动启动", ago(self.first_scan, 14),
                             dated=self.first_scan + dt.timedelta(days=4))  # fmt: skip
        self._negative(path, "list_date_typo", "its own page dates it after the first scan")

    def _new_column(self) -> None:
        spec = ColumnSpec(
            "shzz", "社会组织管理", "政务公开", "/xxgk/shzz/index.html", "news_ul", "iso"
        )
        plan = ColumnPlan(spec)
        self.plans[spec.key] = plan
        titles = (
            "社会组织登记管理办事指引",
            "社会组织年度检查结果公告",
            "社会组织等级评估工作方案",
        )
        for n, title in enumerate(titles):
            path = self._article(spec.key, title, ago(self.first_scan, 10 + 15 * n))
            self._negative(path, "new_column", "its column was not crawled in the first scan")

    # -- while the defects are planted -------------------------------------------------------

    def first_week_lists(self) -> None:
        """Hand the planting steps the first week's columns: they pick articles by position
        (the n-th article of a column gets a defect), so the same articles keep the same
        defects in both weeks."""
        for key, plan in list(self.plans.items()):
            if key in self._first_week:
                self._second_week[key] = plan.items
                plan.items = list(self._first_week[key])
            else:
                self._second_week[key] = self.plans.pop(key)

    def second_week_lists(self) -> None:
        for key, held in self._second_week.items():
            if isinstance(held, ColumnPlan):
                self.plans[key] = held
            else:
                self.plans[key].items = held
        self._second_week.clear()

    # -- once every page is planned --------------------------------------------------------

    def deface(self) -> None:
        home = self.portal.page("/")
        for n, heading in enumerate(("图片新闻", "民政要闻", "通知公告", "工作动态", "政策文件",
                                     "快捷服务")):  # fmt: skip
            home.main = _replace_once(home.main, f"<h2>{heading}</h2>",
                                      f"<h2>{_advert(3 * n, 3)}</h2>")  # fmt: skip
        home.footer_extra += _foreign_footer(18)
        listing = self.portal.page(TAMPERED_LIST)
        name = self.plans["mtgz"].spec.name
        listing.main = _replace_once(listing.main, f'<h2 class="col-title">{escape(name)}</h2>',
                                     f'<h2 class="col-title">{_advert(5, 9)}</h2>')  # fmt: skip
        listing.sidebar = _replace_once(listing.sidebar, "<h2>政务动态</h2>",
                                        f"<h2>{_advert(14, 8)}</h2>")  # fmt: skip
        listing.footer_extra += _foreign_footer(2)
        for path in ("/", TAMPERED_LIST):
            for reason in ("text_replaced", "new_domain"):
                detail: dict[str, Any] = {"reason": reason}
                if reason == "new_domain":
                    detail["hosts"] = [FOREIGN_HOST]
                self.portal.truth.expect("content_tampered", path, key={"reason": reason},
                                         detail=detail)  # fmt: skip
        changed = self.portal.page(TEMPLATE_CHANGED_LIST)
        changed.main = _replace_once(changed.main, '<div class="list-box">',
                                     '<div class="list-box"><div class="list-wrap">')  # fmt: skip
        changed.main = changed.main.rstrip("\n") + "</div>\n"
        self._negative(TEMPLATE_CHANGED_LIST, "template_changed", "one more wrapper, same text")

    def record(self) -> None:
        """Week 2's truth: the tampering findings only (the other checks' truth is the first
        week's, computed for its date), and what must stay quiet."""
        truth = self.portal.truth
        truth.findings = [f for f in truth.findings
                          if f.check in ("content_tampered", "backdated_article")]  # fmt: skip
        truth.rescan = {
            "week": 2,
            "previous_as_of": self.first_scan.isoformat(),
            "as_of": self.scan.isoformat(),
            "exact_checks": ["content_tampered", "backdated_article"],
            "foreign_host": FOREIGN_HOST,
            "negatives": self.negatives,
        }


def _replace_once(html: str, old: str, new: str) -> str:
    if html.count(old) != 1:
        raise ValueError(f"week 2 expected exactly one {old!r} to rewrite")
    return html.replace(old, new)


def _foreign_footer(start: int) -> str:
    return f' | <a href="{FOREIGN_URL}">{_advert(start, 1)}</a>{_advert(start + 1, 2)}'
