"""expression_error (严重表述错误): the rule packs, each kind of rule with its tricky negatives,
the published real pages, the veto that only a person's confirmation fires, the site-wide allow
list a false-positive mark makes (two real scans over a loopback site), and the per-rule
precision page of the dashboard (a real server, signed in as an admin).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from checks.expression import ExpressionCheck, allow_key
from dashboard.app import create_app
from dashboard.server import BackgroundServer
from extract import homophones
from extract.expression import alike, rule_entries, shipped_matcher
from extract.parse import build_parsed_page
from extract.rulepacks import PACK_DIR, RulePackError, load_packs, shipped_packs
from govpatrol.core.auth import create_user
from govpatrol.core.db import get_engine
from govpatrol.core.models import Finding, Scan, ScanStatus, Site, utcnow
from govpatrol.core.settings import Thresholds
from govpatrol.core.types import FindingData, ScanContext
from reports.messages import ENGLISH
from scan.pipeline import create_scan, run_scan
from scoring.scorer import score_scan
from scoring.states import allow_lists, clear_triage, set_triage
from tests.loopback import page, serve
from tests.test_dashboard import PASSWORD, World, login

AS_OF = dt.date(2026, 11, 22)
REAL_PAGES = Path("/work/shared/real-pages")
SITE = "http://www.example.gov.cn/"

ARTICLE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{title} - 示例市民政局</title></head><body>
<nav><a href="/">首页</a> <a href="/xwzx/">新闻中心</a></nav>
<div class="article"><h1>{title}</h1>
<div class="info">发布时间：{date}　来源：示例市民政局</div>
<div class="article-body">{body}</div>
{extra}
</div></body></html>"""


def article(body: str, *, date: str = "2026-11-12", extra: str = "", title: str = "") -> str:
    title = title or "市民政局召开全市民政工作会议"
    return ARTICLE.format(title=title, date=date, body=body, extra=extra)


def found(html: str, *, as_of: dt.date = AS_OF, allowed: list[str] = ()) -> list[FindingData]:
    url = SITE + "xwzx/gzdt/202611/t20261112_1.html"
    parsed = build_parsed_page(url, url, 200, {"content-type": "text/html"}, html.encode())
    ctx = ScanContext(scan_id=1, site_id=1, site_url=SITE, site_name="示例市民政局", as_of=as_of,
                      allowed={"expression_error": list(allowed)})  # fmt: skip
    return [f for f in ExpressionCheck().on_page(parsed, ctx) if isinstance(f, FindingData)]


def wrong_texts(html: str, **kw: object) -> list[str]:
    return sorted(f.detail["wrong_text"] for f in found(html, **kw))  # type: ignore[arg-type]


# -- the rule packs ----------------------------------------------------------------------------------


def test_every_shipped_rule_names_its_source_and_validity() -> None:
    packs = shipped_packs()
    assert packs.tenures and packs.formulations and packs.typos
    entries = [*packs.tenures, *packs.formulations, *packs.typos]
    for entry in entries:
        assert entry.source and entry.validity.valid_from, entry
        end = entry.validity.valid_to
        assert end is None or end >= entry.validity.valid_from, entry
    # the example of the brief, exactly as the pack records it
    li = next(t for t in packs.tenures if t.name == "李克强" and t.title == "国务院总理")
    assert (li.validity.valid_from, li.validity.valid_to) == (
        dt.date(2013, 3, 15),
        dt.date(2023, 3, 11),
    )
    # every rule id the matcher emits is one the precision page lists
    ids = {entry.rule for entry in rule_entries()}
    emitted = {
        rule.rule
        for automaton in (shipped_matcher().forward, shipped_matcher().backward)
        for rules in automaton.values()
        for rule in rules
        if rule.kind != "guard"
    }
    assert emitted <= ids


# (file, a line of it, what it becomes, what the refusal says)
BROKEN = [
    ("formulations.toml", r'^source = "《中华人民共和国宪法》（1982年12月4日第五届.*$', 'source = "  "',
     "'source' must be a non-empty string"),
    ("formulations.toml", r"^valid_from = 2017-10-24$", 'valid_from = "2017-10-24"',
     "'valid_from' must be a date"),
    ("leaders.toml", r'^title = "国务院总理"$', 'title = "国务院首相"', "is not one of [titles]"),
    ("leaders.toml", r"^valid_to = 2023-03-11$", "valid_to = 2012-03-11", "is before valid_from"),
    ("typos.toml", r'^id = "guanche-luoshi"$', 'id = "zaijie-zaili"', "is used twice"),
    ("typos.toml", r'^wrong = "扫黑险恶"$', 'wrong = "扫黑险恶"\nsevere = true', "unknown key(s) severe"),
]  # fmt: skip


@pytest.mark.parametrize(("file", "line", "becomes", "says"), BROKEN)
def test_a_broken_pack_is_refused_naming_the_file_and_entry(
    tmp_path: Path, file: str, line: str, becomes: str, says: str
) -> None:
    for pack in PACK_DIR.glob("*.toml"):
        shutil.copy(pack, tmp_path / pack.name)
    target = tmp_path / file
    text, changed = re.subn(line, becomes, target.read_text("utf-8"), count=1, flags=re.M)
    assert changed == 1
    target.write_text(text, "utf-8")
    with pytest.raises(RulePackError, match=re.escape(says)) as refused:
        load_packs(tmp_path)
    assert str(refused.value).startswith(f"{file}: ")
    assert re.search(r"#\d|'[\w-]+'", str(refused.value))  # which entry: its number or id


# -- names next to titles ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "wrong", "right"),
    [
        ("传达学习国务院总理李墙在会上的讲话精神。", "国务院总理李墙", "国务院总理李强"),  # sound
        ("深入学习刁近平总书记重要讲话精神。", "刁近平总书记", "习近平总书记"),  # shape
        (
            "全国人大常委会委员长粟战书出席会议。",
            "全国人大常委会委员长粟战书",
            "全国人大常委会委员长栗战书",
        ),
        ("国家主席习近乎发表二〇二六年新年贺词。", "国家主席习近乎", "国家主席习近平"),
        ("会议传达了李克墙总理的批示。", "李克墙总理", "李克强总理"),
    ],
)
def test_a_name_miswritten_next_to_its_title_fires(sentence: str, wrong: str, right: str) -> None:
    (finding,) = found(article(f"<p>{sentence}</p>"))
    assert finding.detail["wrong_text"] == wrong
    assert finding.detail["right_text"] == right
    assert finding.detail["rule_kind"] == "name"
    assert finding.detail["needs_review"] is True
    assert wrong in finding.detail["sentence"]
    tenure = finding.detail["expression_rule"].removeprefix("name:")
    sources = {t.id: t.source for t in shipped_packs().tenures}
    assert finding.detail["rule_source"] == sources[tenure]


@pytest.mark.parametrize(
    "sentence",
    [
        "国务院总理李强主持召开国务院常务会议。",  # right
        "习近平总书记、李强总理、赵乐际委员长、王沪宁主席、韩正副主席出席。",
        "市民李墙反映的问题已经解决。",  # a name alone is anyone's name
        "县政协主席汪阳出席会议。",  # a two-character name before 主席: a local office
        "国务院副总理刘国中出席会议。",
        "国务院总理 李强主持会议。",  # a space between title and name changes nothing
    ],
)
def test_right_names_and_names_without_a_title_are_quiet(sentence: str) -> None:
    assert found(article(f"<p>{sentence}</p>")) == []


# -- titles after the term -----------------------------------------------------------------------------


def test_a_title_used_after_its_holder_left_it_fires_in_a_later_article() -> None:
    body = "<p>国务院总理李克强主持召开国务院常务会议，部署相关工作。</p>"
    (finding,) = found(article(body, date="2024-05-06"), as_of=dt.date(2024, 5, 10))
    assert finding.detail["rule_kind"] == "term"
    assert finding.detail["wrong_text"] == "国务院总理李克强"
    assert finding.detail["right_text"] == "时任国务院总理李克强"
    assert finding.detail["published"] == "2024-05-06"
    # the same sentence was right when it was published
    assert found(article(body, date="2022-05-06"), as_of=dt.date(2024, 5, 10)) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "时任国务院总理李克强来我市考察。",
        "原国务院总理李克强同志的事迹。",
        "第十三届全国人大常委会委员长栗战书出席会议。",
        "2019年，国务院总理李克强来我市考察民政服务站。",  # a date inside the term
        "二〇二一年，国务院总理李克强在政府工作报告中提出要求。",
        "去年3月5日，国务院总理李克强作政府工作报告。",
        "更正：原稿中“国务院总理李克强”应为“时任国务院总理李克强”。",  # a quoted correction
    ],
)
def test_historical_titles_are_quiet(sentence: str) -> None:
    assert found(article(f"<p>{sentence}</p>", date="2024-05-06")) == []


def test_no_publication_date_and_old_headlines_in_links_decide_nothing() -> None:
    undated = """<html><head><meta charset="utf-8"><title>工作动态</title></head><body>
    <ul><li>国务院总理李克强主持召开国务院常务会议</li><li>我市召开民政工作会议</li></ul>
    </body></html>"""
    assert found(undated) == []
    related = '<ul class="related"><li><a href="/a/1.html">国务院总理李克强主持召开国务院常务会议</a></li></ul>'
    assert found(article("<p>本市召开民政工作会议。</p>", extra=related)) == []


# -- formulations and typos -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "wrong", "right"),
    [
        ("坚持全面从严冶党。", "全面从严冶党", "全面从严治党"),
        ("根据中华人民共合国有关法律规定。", "中华人民共合国", "中华人民共和国"),
        ("积极培育和践行社会主义核心价植观。", "社会主义核心价植观", "社会主义核心价值观"),
        (
            "深入学习习近平新时代中国特色社会主意思想。",
            "习近平新时代中国特色社会主意思想",
            "习近平新时代中国特色社会主义思想",
        ),
        ("深入开展扫黑险恶专项斗争。", "扫黑险恶", "扫黑除恶"),
        ("移送最高人民监察院审查。", "最高人民监察院", "最高人民检察院"),
    ],
)
def test_a_formulation_or_known_typo_with_a_wrong_character_fires(
    sentence: str, wrong: str, right: str
) -> None:
    (finding,) = found(article(f"<p>{sentence}</p>"))
    assert (finding.detail["wrong_text"], finding.detail["right_text"]) == (wrong, right)


@pytest.mark.parametrize(
    "sentence",
    [
        "深入学习贯彻习近平新时代中国特色社会主义思想，培育和践行社会主义核心价值观。",
        "我国科学发展现状良好。",  # 科学发展观's last character is never varied
        "本网11月3日稿件中“扫黑险恶”应为“扫黑除恶”，特此更正。",
        "文中“全面从严冶党”系误写，已改正。",
        "悬挂五星红旗，瞻仰天安门。",  # no sensitive-word lexicon
    ],
)
def test_right_formulations_quotes_and_corrections_are_quiet(sentence: str) -> None:
    assert found(article(f"<p>{sentence}</p>")) == []


def test_a_rule_applies_only_within_its_validity() -> None:
    body = "<p>深入学习习近平新时代中国特色社会主意思想。</p>"
    assert found(article(body, date="2016-05-06"), as_of=AS_OF) == []  # before 2017-10-24
    assert len(found(article(body, date="2018-05-06"), as_of=AS_OF)) == 1


def test_one_finding_per_wrong_text_with_its_count_and_an_english_sentence() -> None:
    body = "<p>坚持全面从严冶党。</p><p>把全面从严冶党落到实处。</p>"
    (finding,) = found(article(body))
    assert finding.detail["occurrences"] == 2
    assert finding.key == ("formulation:strict-party-governance", "全面从严冶党")
    line = ENGLISH["expression_error"](finding.detail)
    plain = "".join(text for text, quoted in line if not quoted)
    assert "Needs review" in plain and not re.search(r"[\u4e00-\u9fff]", plain)
    assert ("全面从严冶党", True) in line and ("全面从严治党", True) in line


def test_an_allowed_wrong_text_is_quiet_and_others_still_fire() -> None:
    body = "<p>坚持全面从严冶党。</p><p>深入开展扫黑险恶专项斗争。</p>"
    quiet = allow_key("formulation:strict-party-governance", "全面从严冶党")
    assert wrong_texts(article(body), allowed=[quiet]) == ["扫黑险恶"]


@pytest.mark.skipif(not REAL_PAGES.is_dir(), reason="shared real pages not present")
def test_no_published_real_page_has_an_expression_error() -> None:
    files = sorted(REAL_PAGES.glob("*.html"))
    assert len(files) >= 30
    ctx = ScanContext(scan_id=1, site_id=1, site_url="http://www.gov.cn/", site_name="gov",
                      as_of=AS_OF)  # fmt: skip
    check = ExpressionCheck()
    for file in files:
        url = "http://www.gov.cn/zhengce/content/" + file.stem + ".htm"
        parsed = build_parsed_page(url, url, 200, {"content-type": "text/html"}, file.read_bytes())
        assert list(check.on_page(parsed, ctx)) == [], file.name


def test_patterns_with_a_varied_first_character_are_matched_backwards() -> None:
    """What keeps matching cheap (bench/checks.py measures it): the forward automaton's root
    has only the fixed first characters (titles, formulations, typos), and the misspelt names
    before a short title (李墙总理: thousands of first characters) go to the backward one."""
    matcher = shipped_matcher()
    forward = list(matcher.forward.keys())  # an Automaton is no dict: keys() lists them
    roots = {pattern[0] for pattern in forward}
    assert len(roots) < 100, len(roots)
    backward = list(matcher.backward.keys())
    assert backward and all(p.startswith(("理总", "记书总", "长员委", "席主")) for p in backward)
    assert len({p[-1] for p in backward}) > 100  # the varied characters, now at the end


# -- the veto waits for a person ------------------------------------------------------------------------


def _scored(triage: dict[str, str]) -> tuple[str, list[str], float, dict]:
    finding = {"check": "expression_error", "severity": "high", "page": SITE, "target": None,
               "detail": {"needs_review": True}, "fingerprint": "f" * 32}  # fmt: skip
    result = score_scan([finding], [], thresholds=Thresholds(), is_portal=False, as_of=AS_OF,
                        triage=triage)  # fmt: skip
    indicator = result.indicator("expression")
    assert indicator is not None
    return result.verdict, result.vetoes, result.points, indicator.to_dict()


def test_the_veto_fires_only_once_a_person_acknowledges_the_finding() -> None:
    verdict, vetoes, points, indicator = _scored({})
    assert (verdict, vetoes, points) == ("合格", [], 100.0)
    assert indicator["fired"] is False and indicator["awaiting_review"] == 1
    verdict, vetoes, _, indicator = _scored({"f" * 32: "acknowledged"})
    assert (verdict, vetoes) == ("不合格", ["expression"])
    assert indicator["findings"] == ["f" * 32] and indicator["awaiting_review"] == 0
    verdict, vetoes, points, _ = _scored({"f" * 32: "false_positive"})
    assert (verdict, vetoes, points) == ("合格", [], 100.0)


# -- a false positive quiets the same text on the whole site ---------------------------------------------


def test_a_false_positive_mark_quiets_the_same_wrong_text_site_wide_in_later_scans(
    db_url: str,
) -> None:
    wrong = "<p>坚持全面从严冶党，推动工作落实。</p>"
    routes = {
        "/": page('<html><head><meta charset="utf-8"><title>示例市民政局</title></head><body>'
                  '<a href="/a.html">甲</a> <a href="/b.html">乙</a></body></html>'),
        "/a.html": page(article(wrong, title="甲文")),
        "/b.html": page(article(wrong + "<p>深入开展扫黑险恶专项斗争。</p>", title="乙文")),
    }  # fmt: skip
    engine = get_engine(db_url)

    def scan(site_id: int) -> list[Finding]:
        with Session(engine, expire_on_commit=False) as session:
            site = session.get(Site, site_id)
            options = {"browser": False, "checks": ["expression"]}
            queued = create_scan(session, site, trigger="test", as_of=AS_OF, options=options)
        done = run_scan(queued.id, db_url=db_url)
        assert done.status == ScanStatus.done, done.error
        with Session(engine) as session:
            return list(session.exec(select(Finding).where(Finding.scan_id == done.id)))

    with serve(routes) as server:
        with Session(engine, expire_on_commit=False) as session:
            site = Site(name="示例市民政局", url=server.base_url)
            session.add(site)
            session.commit()
        first = scan(site.id)
        pages = sorted((f.page.rsplit("/", 1)[1], f.detail["wrong_text"]) for f in first)
        assert pages == [
            ("a.html", "全面从严冶党"),
            ("b.html", "全面从严冶党"),
            ("b.html", "扫黑险恶"),
        ]
        on_a = next(f for f in first if f.page.endswith("/a.html"))
        with Session(engine) as session:
            set_triage(session, site.id, on_a.fingerprint, "false_positive", "引文原文如此")
            assert allow_lists(session, site.id) == {"expression_error": [on_a.detail["allow_key"]]}
        second = scan(site.id)
        # page b was never marked, and is quiet about the same text too; its other error stays
        assert [(f.page.rsplit("/", 1)[1], f.detail["wrong_text"]) for f in second] == [
            ("b.html", "扫黑险恶")
        ]
        with Session(engine) as session:
            clear_triage(session, site.id, on_a.fingerprint)
            assert allow_lists(session, site.id) == {}


# -- the precision page -------------------------------------------------------------------------------


@pytest.fixture
def precision_world(db_url: str) -> Iterator[World]:
    """Two sites whose expression findings people marked: on rule A one confirmed and one
    dismissed (the same problem seen in two scans counts once), on rule B one awaiting review."""
    engine = get_engine(db_url)
    rule_a, rule_b = "formulation:strict-party-governance", "typo:saohei-chue"
    with Session(engine, expire_on_commit=False) as session:
        create_user(session, "admin", PASSWORD, "admin")
        sites = [Site(name=f"站点{i}<b>", url=f"http://127.0.0.1:9/{i}/") for i in range(2)]
        session.add_all(sites)
        session.commit()
        create_user(session, "wm", PASSWORD, "webmaster", site_ids=[sites[0].id])

        def scan_of(site: Site, rows: list[tuple[str, str]]) -> None:
            scan = Scan(site_id=site.id, status=ScanStatus.done, trigger="test", as_of=AS_OF,
                        started_at=utcnow(), finished_at=utcnow())  # fmt: skip
            session.add(scan)
            session.commit()
            for fingerprint, rule in rows:
                detail = {"expression_rule": rule, "wrong_text": "<script>x</script>"}
                session.add(Finding(scan_id=scan.id, check="expression_error", severity="high",
                                    page=site.url, message="m", detail=detail,
                                    fingerprint=fingerprint))  # fmt: skip
            session.commit()

        scan_of(sites[0], [("a" * 32, rule_a), ("b" * 32, rule_b)])
        scan_of(sites[0], [("a" * 32, rule_a)])  # the next scan: the same problem again
        scan_of(sites[1], [("a" * 32, rule_a)])  # same fingerprint text, another site
        set_triage(session, sites[0].id, "a" * 32, "acknowledged")
        set_triage(session, sites[1].id, "a" * 32, "false_positive", "引文")
    app = create_app(db_url, secret_key="k" * 48)
    with BackgroundServer(app) as server:
        yield World(server.url, db_url, app, {})


def _row(html: str, rule: str) -> dict[str, str]:
    match = re.search(rf'<tr data-rule="{re.escape(rule)}">(.*?)</tr>', html, re.S)
    assert match, rule
    cells = dict(re.findall(r'data-col="(\w+)">([^<]*)<', match.group(1)))
    return cells


def test_the_precision_page_counts_triage_marks_per_rule(precision_world: World) -> None:
    with login(precision_world, "admin") as client:
        zh = client.get("/admin/expression-rules")
        assert zh.status_code == 200
        assert "表述规则准确率" in zh.text
        assert _row(zh.text, "formulation:strict-party-governance") == {
            "acknowledged": "1", "false_positive": "1", "untriaged": "0", "precision": "50%",
        }  # fmt: skip
        assert _row(zh.text, "typo:saohei-chue") == {
            "acknowledged": "0", "false_positive": "0", "untriaged": "1", "precision": "—",
        }  # fmt: skip
        assert "<script>" not in zh.text and "站点0<b>" not in zh.text
        en = client.get("/admin/expression-rules", params={"lang": "en"})
        assert "Expression rule precision" in en.text and "a known confusion typo" in en.text
        assert "表述规则准确率" not in en.text
    with login(precision_world, "wm") as client:
        assert client.get("/admin/expression-rules").status_code == 404


def test_the_shipped_homophone_table_is_what_pypinyin_says_for_every_pack_character() -> None:
    """rulepacks/homophones.json answers for exactly the packs' characters, as pypinyin reads
    them (regenerate with ``python -m extract.homophones`` after editing a pack)."""
    shipped = json.loads(homophones.TABLE_FILE.read_text("utf-8"))
    assert set(shipped) == homophones.pack_characters()
    assert shipped == homophones.compute(homophones.pack_characters())
    assert {"强", "墙", "蔷"} <= alike("强") | {"强"} and "弦" in alike("强")  # sound and shape


def test_building_the_matcher_does_not_load_pypinyin() -> None:
    """pypinyin's dictionary costs ~55 MB per process: the crawl and its check worker build
    the matcher from the shipped table instead."""
    code = (
        "import sys\n"
        "from extract.expression import shipped_matcher\n"
        "shipped_matcher()\n"
        "print(sorted(m for m in sys.modules if m.startswith('pypinyin')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
