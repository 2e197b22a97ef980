"""The dashboard's import page: a real server on 127.0.0.1, the upload form with its CSRF
token, the dry run, the error list in the page's language, the template downloads; and the
e-mail field of the user forms. Admins only."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from govpatrol.core.models import Site, User
from tests.test_admin_import import ROWS, csv_bytes
from tests.test_dashboard import World, csrf_of, login, running_world

A_URL = "http://127.0.0.1:9/a/"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    # no site of this world is scanned here: its URLs need no server
    with running_world("http://127.0.0.1:9/portal/", tmp_path_factory.mktemp("adm")) as running:
        yield running


def test_admins_import_a_sheet_from_the_dashboard(world: World) -> None:
    with login(world, "admin") as client:
        sites_page = client.get("/sites").text
        assert 'href="/admin/import/template.xlsx"' in sites_page
        assert 'href="/admin/import"' in sites_page
        template = client.get("/admin/import/template.xlsx")
        assert template.status_code == 200
        assert "attachment" in template.headers["content-disposition"]
        header = next(load_workbook(io.BytesIO(template.content)).worksheets[0].iter_rows())
        assert [c.value for c in header][:4] == ["组织", "上级组织", "网站名称", "网址"]
        csv_template = client.get("/admin/import/template.csv?lang=en")
        assert csv_template.content.startswith(b"\xef\xbb\xbfOrganisation,Parent organisation")
        client.get("/sites?lang=zh")

        token = csrf_of(client.get("/admin/import").text)
        upload = {"file": ("单位.csv", csv_bytes(ROWS, "gbk"), "text/csv")}
        forged = client.post("/admin/import", data={"csrf_token": "x"}, files=upload)
        assert forged.status_code == 403
        preview = client.post(
            "/admin/import", data={"csrf_token": token, "dry_run": "1"}, files=upload
        )
        assert preview.status_code == 200 and "预览（未写入）" in preview.text
        assert "新增网站 甲区民政局 &lt;http://127.0.0.1:9/a/&gt;" in preview.text  # escaped
        with world.session() as session:
            assert session.exec(select(Site).where(Site.url == A_URL)).first() is None

        bad = [*ROWS, ["", "", "<script>x</script>", "javascript:alert(1)", "", "", ""]]
        refused = client.post(
            "/admin/import",
            data={"csrf_token": token},
            files={"file": ("bad.csv", csv_bytes(bad), "text/csv")},
        )
        assert refused.status_code == 400
        assert "第 6 行 组织：必填" in refused.text and "<script>x" not in refused.text
        assert "有 2 处错误，未导入任何内容" in refused.text

        done = client.post("/admin/import", data={"csrf_token": token}, files=upload)
        assert done.status_code == 200 and "已导入" in done.text
        again = client.post("/admin/import", data={"csrf_token": token}, files=upload)
        assert "没有变化" in again.text
    with world.session() as session:
        assert len(session.exec(select(Site).where(Site.url == A_URL)).all()) == 1
        assert session.exec(select(User).where(User.username == "zhao")).one().email == (
            "zhao@example.gov.cn"
        )
    with login(world, "a_wm") as client:  # to anyone but an admin the page does not exist
        assert client.get("/admin/import").status_code == 404
        assert client.get("/admin/import/template.csv").status_code == 404


def test_admins_set_a_users_email(world: World) -> None:
    with world.session() as session:
        user = session.exec(select(User).where(User.username == "city_sup")).one()
    with login(world, "admin") as client:
        page = client.get(f"/admin/users/{user.id}").text
        token = csrf_of(page)
        fields = {"role": "supervisor", "org_id": str(user.org_id), "csrf_token": token}
        bad = client.post(f"/admin/users/{user.id}", data={**fields, "email": "not mail"})
        assert bad.status_code == 303
        assert "电子邮件地址无效" in client.get(bad.headers["location"]).text
        saved = client.post(
            f"/admin/users/{user.id}", data={**fields, "email": "Chief@City.gov.cn"}
        )
        assert saved.status_code == 303
        assert "Chief@city.gov.cn" in client.get("/admin/users").text
    with world.session() as session:
        assert session.get(User, user.id).email == "Chief@city.gov.cn"
