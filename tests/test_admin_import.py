"""``govpatrol sites import``: the template round-trips, every row is checked before anything
is written (all or nothing), a re-import changes nothing, xlsx and csv (UTF-8, BOM, GBK) read
alike; the list commands' JSON. Real SQLite files, the real CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from govpatrol.admin.importer import NO_PASSWORD, import_file
from govpatrol.admin.schedule import BadSchedule, parse_schedule
from govpatrol.cli.main import app
from govpatrol.core.auth import authenticate, hash_password
from govpatrol.core.db import get_engine
from govpatrol.core.models import Org, Site, User, UserSite

runner = CliRunner()
HEADER = ["组织", "上级组织", "网站名称", "网址", "扫描时间", "网站管理员", "管理员邮箱"]
ROWS = [
    ["示例市人民政府", "", "示例市门户", "http://127.0.0.1:9/city/", "每周六 22:00", "li",
     "li@example.gov.cn"],
    ["甲区", "示例市人民政府", "甲区民政局", "http://127.0.0.1:9/a/", "每周日 21:30", "wang",
     "wang@example.gov.cn"],
    ["甲区", "示例市人民政府", "甲区民政局", "http://127.0.0.1:9/a/", "", "zhao",
     "zhao@example.gov.cn"],
    ["乙区", "示例市人民政府", "", "", "", "", ""],
]  # fmt: skip


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", header=HEADER) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]], header=HEADER) -> bytes:
    book = Workbook()
    for row in [header, *rows]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def counts(db_url: str) -> tuple[int, int, int, int]:
    with Session(get_engine(db_url)) as session:
        return tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Org, Site, User, UserSite)
        )


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_the_template_round_trips_and_a_reimport_changes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    for kind in ("xlsx", "csv"):
        made = invoke("sites", "template", str(tmp_path / f"t.{kind}"))
        assert made.exit_code == 0, made.output
    assert (tmp_path / "t.csv").read_bytes().startswith("\ufeff组织,上级组织".encode())
    preview = invoke("sites", "import", str(tmp_path / "t.xlsx"), "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert "新增网站 示例市民政局网站 <https://mzj.example.gov.cn/>" in preview.output
    assert "预览（未写入）：11 项变化" in preview.output
    assert counts(db_url) == (0, 0, 0, 0)  # a dry run writes nothing
    done = invoke("sites", "import", str(tmp_path / "t.xlsx"))
    assert done.exit_code == 0 and "已导入：11 项变化" in done.output
    assert counts(db_url) == (3, 2, 3, 3)
    # the csv template is the same sheet: importing it, or the xlsx again, changes nothing
    for name in ("t.csv", "t.xlsx"):
        again = invoke("sites", "import", str(tmp_path / name))
        assert again.exit_code == 0 and "没有变化" in again.output, again.output
    assert counts(db_url) == (3, 2, 3, 3)
    with Session(get_engine(db_url)) as session:
        site = session.exec(select(Site).where(Site.name == "示例市民政局网站")).one()
        org = session.get(Org, site.org_id)
        parent = session.get(Org, org.parent_id)
        assert (org.name, parent.name, site.schedule_cron) == (
            "示例市民政局", "示例市人民政府", "30 21 * * sun"
        )  # fmt: skip
        assert site.active and site.address_zone == "public"
        wang = session.exec(select(User).where(User.username == "wangxm")).one()
        assert (wang.role, wang.email, wang.password_hash) == (
            "webmaster", "wangxm@example.gov.cn", NO_PASSWORD
        )  # fmt: skip
        # an imported webmaster cannot sign in before an admin sets a password
        assert authenticate(session, "wangxm", NO_PASSWORD) is None


def test_every_error_is_reported_and_nothing_is_imported(db_url: str, tmp_path: Path) -> None:
    with Session(get_engine(db_url)) as session:
        session.add(User(username="boss", password_hash="!", role="admin"))
        session.commit()
    bad = [
        *ROWS,
        ["", "", "无组织网站", "http://127.0.0.1:9/x/", "", "", ""],  # row 6
        ["丙区", "不存在的市", "丙区网站", "ftp://127.0.0.1/", "每周八 21:00", "", ""],  # 7
        ["丁区", "", "", "", "", "boss", "boss@example.gov.cn"],  # 8
        ["甲区", "乙区", "甲区民政局改名", "http://127.0.0.1:9/a/", "", "wang",
         "other@example.gov.cn"],  # 9
        ["戊区", "", "戊区网站", "http://127.0.0.1:9/e/", "", "boss", "not-an-address"],  # 10
    ]  # fmt: skip
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(bad))
    result = invoke("sites", "import", str(path))
    assert result.exit_code == 2
    lines = result.output
    for expected in (
        "第 6 行 组织：必填",
        "第 7 行 上级组织：“不存在的市”既不在表中，也未登记为组织",
        "第 7 行 网址：只支持 http/https 网址",
        "第 7 行 扫描时间：无法识别“每周八 21:00”",
        "第 8 行 网址：必填（已填写“网站管理员”）",
        "第 9 行 上级组织：与第 3 行不一致（第 3 行为“示例市人民政府”）",
        "第 9 行 网站名称：与第 3 行不一致",
        "第 9 行 管理员邮箱：与第 3 行不一致",
        "第 10 行 管理员邮箱：电子邮件地址无效",
        "第 8 行 网站管理员：用户“boss”已存在，角色为admin，不是网站管理员",
        "第 10 行 网站管理员：用户“boss”已存在，角色为admin，不是网站管理员",
        "未导入任何内容",
    ):
        assert expected in lines, (expected, lines)
    assert counts(db_url) == (0, 0, 1, 0)  # the valid rows were not imported either
    english = invoke("sites", "import", str(path), "--lang", "en")
    assert "Row 6, Organisation: required" in english.output
    assert "errors: nothing was imported" in english.output


def test_loops_of_parents_are_refused(db_url: str) -> None:
    with Session(get_engine(db_url)) as session:
        result = import_file(
            session,
            "loop.csv",
            csv_bytes([["甲", "乙", "", "", "", "", ""], ["乙", "丙", "", "", "", "", ""],
                       ["丙", "甲", "", "", "", "", ""]]),
        )  # fmt: skip
        assert not result.ok and not result.written
        assert any("上级关系形成循环：甲 → 乙 → 丙 → 甲" in p.zh for p in result.problems)
        assert session.exec(select(Org)).all() == []


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings_are_detected(db_url: str, encoding: str) -> None:
    with Session(get_engine(db_url)) as session:
        result = import_file(session, "s.csv", csv_bytes(ROWS, encoding))
        assert result.ok and result.written, [p.zh for p in result.problems]
        names = {o.name for o in session.exec(select(Org))}
    assert names == {"示例市人民政府", "甲区", "乙区"}


def test_unreadable_files_are_one_clear_error(db_url: str) -> None:
    with Session(get_engine(db_url)) as session:
        for name, data, words in (
            ("s.csv", "组织,网址\n".encode("utf-16"), "无法识别文件编码"),
            ("s.xlsx", b"not a zip", "无法读取的 Excel 文件"),
            ("s.ods", b"", "只支持 .xlsx 和 .csv 文件"),
            ("s.csv", csv_bytes([], header=["组织", "网址"]), "表中没有数据行"),
            ("s.csv", csv_bytes([["甲"]], header=["组织", "单位代码"]), "未知的列“单位代码”"),
            ("s.csv", csv_bytes([["甲"]], header=["组织"]), "缺少列“网址”"),
        ):
            result = import_file(session, name, data)
            assert not result.ok and words in result.problems[0].zh, (name, result.problems)
            assert result.problems[0].en and result.problems[0].en != result.problems[0].zh


def test_xlsx_with_english_headers_typed_cells_and_updates(db_url: str) -> None:
    import datetime as dt

    english = ["Organisation", "Parent organisation", "Site name", "URL", "Schedule",
               "Webmaster", "E-mail"]  # fmt: skip
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        # a site scanned ad hoc before (inactive) is taken over with its history
        session.add(Site(name="临时", url="http://127.0.0.1:9/a/index.html", active=False))
        session.commit()
        first = import_file(session, "s.xlsx", xlsx_bytes(ROWS, english))
        assert first.ok and first.written
        site = session.exec(select(Site).where(Site.name == "甲区民政局")).one()
        assert (site.name, site.active, site.url) == (
            "甲区民政局",
            True,
            "http://127.0.0.1:9/a/index.html",
        )
        assert len(session.exec(select(Site)).all()) == 2
        moved = [
            ["乙区", "甲区", "甲区民政局", "http://127.0.0.1:9/a/", dt.time(3, 0), "wang",
             "Wang@Example.gov.cn"],
        ]  # fmt: skip
        # a time typed as a time in Excel has no weekday: refused, not guessed
        refused = import_file(session, "s.xlsx", xlsx_bytes(moved, english))
        assert [p.column for p in refused.problems] == ["schedule"]
        moved[0][4] = "Mon, Thu 02:00"
        preview = import_file(session, "s.xlsx", xlsx_bytes(moved, english), dry_run=True)
        texts = [c.text("en") for c in preview.changes]
        assert any("Organisation 甲区 → 乙区" in t and "Schedule 30 21 * * sun → 0 2 * * mon,thu"
                   in t for t in texts), texts  # fmt: skip
        assert "user wang e-mail: wang@example.gov.cn → Wang@example.gov.cn" in texts
        assert "organisation 乙区: parent 示例市人民政府 → 甲区" in texts
        session.expire_all()
        assert session.get(Site, site.id).schedule_cron == "30 21 * * sun"  # rolled back
        done = import_file(session, "s.xlsx", xlsx_bytes(moved, english))
        assert done.written
        session.expire_all()
        assert session.get(Site, site.id).schedule_cron == "0 2 * * mon,thu"


def test_schedule_words() -> None:
    assert parse_schedule("每周日 21:30") == "30 21 * * sun"
    assert parse_schedule("每周一、四 02:00") == "0 2 * * mon,thu"
    assert parse_schedule("每天 03:05") == "5 3 * * *"
    assert parse_schedule("Sunday at 21:30") == "30 21 * * sun"
    assert parse_schedule("37 21 * * 1-5") == "37 21 * * 1-5"
    for bad in ("每周八 21:00", "sometime", "0 25 * * *", "每周日 24:00"):
        with pytest.raises(BadSchedule):
            parse_schedule(bad)


def test_list_commands_print_json_without_secrets(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(csv_bytes(ROWS))
    assert invoke("sites", "import", str(path)).exit_code == 0
    with Session(get_engine(db_url)) as session:
        session.add(User(username="sup", password_hash=hash_password("secret-pass-1"),
                         role="supervisor", org_id=1, api_token_hash="f" * 64))  # fmt: skip
        session.commit()
    orgs = json.loads(invoke("orgs", "list", "--json").stdout)
    assert [sorted(o) for o in orgs] == [["id", "name", "parent", "parent_id"]] * 3
    assert {o["name"]: o["parent"] for o in orgs}["甲区"] == "示例市人民政府"
    users_out = invoke("users", "list", "--json").stdout
    assert "argon2" not in users_out and "f" * 64 not in users_out
    users = {u["username"]: u for u in json.loads(users_out)}
    assert sorted(users["sup"]) == [
        "email", "has_api_token", "id", "org", "org_id", "role", "sites", "username"
    ]  # fmt: skip
    assert users["sup"]["has_api_token"] is True and users["sup"]["org"] == "示例市人民政府"
    assert [s["url"] for s in users["wang"]["sites"]] == ["http://127.0.0.1:9/a/"]
    sites = json.loads(invoke("sites", "list", "--json").stdout)
    assert {s["name"]: s["schedule_cron"] for s in sites} == {
        "示例市门户": "0 22 * * sat", "甲区民政局": "30 21 * * sun"
    }  # fmt: skip
    assert sorted(sites[0]) == sorted(["id", "name", "url", "address_zone", "active", "org_id",
                                       "org", "schedule_cron", "official", "latest_scan"])  # fmt: skip


def test_users_add_and_edit_an_email(db_url: str) -> None:
    with Session(get_engine(db_url)) as session:
        session.add(Org(name="示例市"))
        session.commit()
    bad = invoke("users", "add", "sup", "--role", "supervisor", "--org", "示例市",
                 "--email", "nope", "--password", "long-enough-1")  # fmt: skip
    assert bad.exit_code == 2 and "电子邮件地址无效" in bad.output
    good = invoke("users", "add", "sup", "--role", "supervisor", "--org", "示例市",
                  "--email", "Sup@Example.gov.cn", "--password", "long-enough-1")  # fmt: skip
    assert good.exit_code == 0, good.output
    edited = invoke("users", "edit", "sup", "--email", "chief@example.gov.cn")
    assert edited.exit_code == 0, edited.output
    refused = invoke("users", "edit", "sup", "--org", "")  # a supervisor needs an office
    assert refused.exit_code == 2
    with Session(get_engine(db_url)) as session:
        user = session.exec(select(User)).one()
        assert (user.email, user.org_id) == ("chief@example.gov.cn", 1)
    cleared = invoke("users", "edit", "sup", "--email", "")
    assert cleared.exit_code == 0
    assert json.loads(invoke("users", "list", "--json").stdout)[0]["email"] is None


def test_a_failure_while_writing_leaves_the_store_as_it_was(db_url: str) -> None:
    """The store itself refuses the last write (a trigger, as a constraint would): the
    organisations and sites written before it in the same import are gone too."""
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    rows = [*ROWS, ["乙区", "示例市人民政府", "乙区网站", "http://127.0.0.1:9/b/", "", "boom",
                    "boom@example.gov.cn"]]  # fmt: skip
    with Session(get_engine(db_url)) as session:
        session.exec(
            text(
                "CREATE TRIGGER refuse_boom BEFORE INSERT ON user WHEN NEW.username = 'boom' "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        )
        session.commit()
        with pytest.raises(DatabaseError):
            import_file(session, "s.csv", csv_bytes(rows))
    assert counts(db_url) == (0, 0, 0, 0)
