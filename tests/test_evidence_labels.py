"""Every evidence key a check can emit has a label in both languages, and every value a
formatter: a check that adds a key without a label fails here, before a report prints
``some_new_key`` to a webmaster.

The keys are read from the source of checks/ and crawler/ (the detail dicts of findings, the
dicts merged into them, the keyword evidence some helpers take), not listed by hand.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from reports import i18n
from reports.evidence import SKIPPED_KEYS, evidence_items, evidence_rows, humanise, label_of

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "checks").glob("*.py"), *(ROOT / "crawler").glob("*.py")])
DETAIL_WORDS = ("detail", "evidence", "extra")


def _dict_keys(node: ast.AST) -> set[str]:
    """String keys of every dict literal inside ``node``."""
    keys: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Dict):
            keys |= {
                k.value
                for k in sub.keys
                if isinstance(k, ast.Constant) and isinstance(k.value, str)
            }
    return keys


class _Module:
    """One source file: its functions, and the dict keys each returns or assigns."""

    def __init__(self, path: Path) -> None:
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.functions = {
            node.name: node
            for node in ast.walk(self.tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }

    def returned_keys(self, name: str) -> set[str]:
        func = self.functions.get(name)
        if func is None:
            return set()
        return {k for node in ast.walk(func) if isinstance(node, ast.Return) and node.value
                for k in _dict_keys(node.value)}  # fmt: skip

    def kwargs_spread(self, name: str) -> bool:
        """A helper taking ``**detail`` and spreading it into a finding's detail."""
        func = self.functions.get(name)
        if func is None or func.args.kwarg is None:
            return False
        kwarg = func.args.kwarg.arg
        return any(
            isinstance(node, ast.keyword) and node.arg in DETAIL_WORDS
            and any(isinstance(v, ast.Name) and v.id == kwarg for v in ast.walk(node.value))
            for node in ast.walk(func)
        )  # fmt: skip

    def assigned(self, name: str) -> list[ast.AST]:
        """What ``name = …`` binds anywhere in the module (a local merged with ``**name``)."""
        return [node.value for node in ast.walk(self.tree) if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)]  # fmt: skip

    def _merged(self, value: ast.AST) -> set[str]:
        """Keys a detail value merges in: ``{**helper(...)}``, ``{**name}``."""
        keys: set[str] = set()
        for sub in ast.walk(value):
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name):
                keys |= self.returned_keys(sub.func.id)
            if isinstance(sub, ast.Dict):
                for k, v in zip(sub.keys, sub.values, strict=True):
                    if k is None and isinstance(v, ast.Name):  # {**name}
                        for bound in self.assigned(v.id):
                            keys |= _dict_keys(bound)
                            if isinstance(bound, ast.Call) and isinstance(bound.func, ast.Name):
                                keys |= self.returned_keys(bound.func.id)
        return keys

    def evidence_keys(self) -> set[str]:
        keys: set[str] = set()
        for node in ast.walk(self.tree):
            values: list[ast.AST] = []
            if isinstance(node, ast.Call):
                values += [kw.value for kw in node.keywords if kw.arg in DETAIL_WORDS]
                name = node.func.id if isinstance(node.func, ast.Name) else None
                if name in self.functions:  # a helper's ``extra`` dict passed by position
                    params = [a.arg for a in self.functions[name].args.args]
                    values += [arg for param, arg in zip(params, node.args, strict=False)
                               if param in DETAIL_WORDS]  # fmt: skip
                if name and self.kwargs_spread(name):
                    func = self.functions[name]
                    named = {a.arg for a in [*func.args.args, *func.args.kwonlyargs]}
                    keys |= {kw.arg for kw in node.keywords if kw.arg and kw.arg not in named}
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in DETAIL_WORDS for t in node.targets
            ):
                values.append(node.value)
            if isinstance(node, ast.Assign):  # detail["reasons"] = …
                keys |= {t.slice.value for t in node.targets if isinstance(t, ast.Subscript)
                         and isinstance(t.value, ast.Name) and t.value.id in DETAIL_WORDS
                         and isinstance(t.slice, ast.Constant) and isinstance(t.slice.value, str)}  # fmt: skip
            if isinstance(node, ast.Dict):  # {"detail": {...}} as a row's field
                values += [v for k, v in zip(node.keys, node.values, strict=True)
                           if isinstance(k, ast.Constant) and k.value in DETAIL_WORDS]  # fmt: skip
            for value in values:
                keys |= _dict_keys(value) | self._merged(value)
        return keys


def emitted_keys() -> dict[str, set[str]]:
    return {str(path.relative_to(ROOT)): _Module(path).evidence_keys() for path in SOURCES}


def test_the_scan_of_the_source_finds_the_known_keys() -> None:
    """The reader of the source is itself checked: keys of every check family are found."""
    found = set().union(*emitted_keys().values())
    assert {"error_text", "column_key", "basis_date", "status", "on_home"} <= found  # links, …
    assert {"probes", "ratio", "recent_errors"} <= found  # availability (a helper's dict)
    assert {"hiding", "hijacked", "reasons"} <= found  # outbound
    assert {"missing_zh", "deadline", "newest_year", "query"} <= found  # required pages (**kw)
    assert {"without_indicator", "walk_completed"} <= found  # elderly (extra=…)


def test_every_emitted_key_has_a_label_in_both_languages() -> None:
    missing = {
        (module, key)
        for module, keys in emitted_keys().items()
        for key in keys
        if key not in i18n.EVIDENCE_KEYS and key not in SKIPPED_KEYS
    }
    assert missing == set(), "label these in reports/i18n.py EVIDENCE_KEYS"
    for key, (zh, en) in i18n.EVIDENCE_KEYS.items():
        assert zh and en and zh != key and en != key, key


def test_an_unknown_key_is_humanised_never_printed_raw() -> None:
    detail = {"some_new_key": {"inner_thing": 3}, "fresh_list": [{"a_b": "x"}]}
    items = evidence_rows(detail, "zh")
    assert [i.label for i in items] == ["Some new key", "Fresh list"]
    assert items[0].text == "Inner thing：3"
    assert "{" not in items[1].text and "'" not in items[1].text
    assert label_of("some_new_key", "en") == humanise("some_new_key") == "Some new key"


@pytest.mark.parametrize(
    ("detail", "check", "zh", "en"),
    [
        (
            {"error": "connection_refused"},
            "broken_link",
            "错误：连接被拒绝",
            "Error: connection refused",
        ),
        ({"error": "soft_404"}, "broken_link", "软 404", "soft 404"),
        ({"status": 404}, "broken_link", "404（页面不存在）", "404 Not Found"),
        (
            {"source": "static+axe"},
            "accessibility",
            "静态规则和浏览器检测",
            "static rules and browser audit",
        ),
        ({"on_home": True}, "broken_link", "位于首页：是", "On the home page: yes"),
        ({"newest_date": "2026-03-24"}, "stale_column", "2026年3月24日", "2026-03-24"),
        ({"reason": "empty"}, "blank_column", "栏目没有任何信息", "the column has no items"),
        (
            {"reason": "empty"},
            "missing_validity_label",
            "有效性字段为空",
            "validity field is empty",
        ),
        ({"counts": {"id_card": 4}}, "personal_data_exposed", "身份证号：4", "ID card numbers: 4"),
        ({"rule": "image-alt"}, "accessibility", "图片缺少替代文本", "alternative text"),
    ],
)
def test_values_are_words_in_the_readers_language(detail, check, zh, en) -> None:
    assert zh in "；".join(
        f"{label}：{value}" for label, value in evidence_items(detail, "zh", check)
    )
    assert en in "; ".join(
        f"{label}: {value}" for label, value in evidence_items(detail, "en", check)
    )
