"""pyproject.toml states ranges and extras; requirements.lock pins what is installed. They must
agree: a range changed without ``make lock`` fails here, not on someone else's machine."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
LOCK_LINE = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>[^\s;]+)$")


def locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = LOCK_LINE.match(line.strip())
        assert match, f"not an exact pin: {line!r}"
        pins[canonicalize_name(match["name"])] = match["version"]
    return pins


def requirements(group: str | None = None) -> list[Requirement]:
    raw = PROJECT["dependencies"] if group is None else PROJECT["optional-dependencies"][group]
    return [Requirement(item) for item in raw]


def names(group: str | None = None) -> set[str]:
    return {canonicalize_name(r.name) for r in requirements(group)}


@pytest.mark.parametrize("group", [None, "browser", "cluster", "dev"])
def test_every_declared_dependency_is_locked_within_its_range(group: str | None) -> None:
    pins = locked()
    for requirement in requirements(group):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock: run make lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{name}=={pins[name]} is outside {requirement.specifier}: run make lock"
        )


def test_ranges_not_pins() -> None:
    exact = [
        str(r)
        for group in (None, "browser", "cluster", "dev")
        for r in requirements(group)
        if any(s.operator == "==" for s in r.specifier)
    ]
    assert exact == ["ruff==0.17.6"]  # a formatter's output changes between versions


def test_the_core_is_a_single_machine_without_browser() -> None:
    core = names()
    assert not core & {"celery", "redis", "psycopg", "playwright", "axe-playwright-python"}
    assert names("cluster") == {"celery", "redis", "psycopg"}
    assert names("browser") == {"playwright", "axe-playwright-python", "pillow"}
    # psutil measures processes for tests and bench/ only
    assert "psutil" not in core and "psutil" in names("dev")
    # unused: nothing imports them (their own dependents may still bring them in)
    assert not core & {"dateparser", "sniffio", "parsel"}


def test_licence_is_an_spdx_expression() -> None:
    assert PROJECT["license"] == "Apache-2.0"
    backend = [Requirement(r) for r in PYPROJECT["build-system"]["requires"]]
    setuptools = next(r for r in backend if r.name == "setuptools")
    assert not setuptools.specifier.contains("76.9") and setuptools.specifier.contains("77.0")


def test_the_makefile_installs_from_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    script = (ROOT / "deploy" / "install.sh").read_text(encoding="utf-8")
    assert "deploy/install.sh --venv $(VENV) --editable" in makefile
    assert '-r "$lock"' in script and "--no-deps" in script
    assert "DPkg::Lock::Timeout=300" in script and "fonts-noto-cjk" in script
    assert re.search(r"^lock:", makefile, re.MULTILINE)
