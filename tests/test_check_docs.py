"""docs/checks/<id>.md and the README's table of checks are what the specs generate."""

from __future__ import annotations

import shutil
from pathlib import Path

from govpatrol.core.findings import SPECS
from reports import check_docs

ROOT = Path(__file__).resolve().parents[1]


def test_the_generated_docs_are_up_to_date() -> None:
    stale = [str(p.relative_to(ROOT)) for p in check_docs.stale_files()]
    assert stale == [], "run `make docs` (python -m reports.check_docs)"


def test_every_id_has_a_page_and_a_row_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    for finding_id in SPECS:
        assert (ROOT / "docs" / "checks" / f"{finding_id}.md").is_file(), finding_id
        assert f"[`{finding_id}`](docs/checks/{finding_id}.md)" in readme


def test_a_stale_page_a_missing_page_and_an_orphan_are_found_and_fixed(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    shutil.copytree(ROOT / "docs" / "checks", tmp_path / "docs" / "checks")
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    pages = tmp_path / "docs" / "checks"
    (pages / "broken_link.md").write_text("edited by hand\n", "utf-8")
    (pages / "stale_column.md").unlink()
    (pages / "retired_id.md").write_text("an id no spec names\n", "utf-8")

    stale = [p.name for p in check_docs.stale_files(tmp_path)]
    assert stale == ["broken_link.md", "retired_id.md", "stale_column.md"]

    check_docs.write(tmp_path)
    assert check_docs.stale_files(tmp_path) == []
    assert not (pages / "retired_id.md").exists()
    assert "链接不可用" in (pages / "broken_link.md").read_text("utf-8")


def test_a_page_says_what_ruffs_rule_docs_say() -> None:
    page = check_docs.render_page(SPECS["stale_column"])
    for heading in ("## 检查什么", "## 为什么是问题", "## 示例", "## 如何修复", "## 已知误报"):
        assert heading in page
    assert "`notice_cadence_days` | 183 |" in page  # a threshold with its default
    assert "| `days_overdue` | 超期天数 | Days overdue |" in page  # an evidence field's labels
    assert "单项否决" in page
