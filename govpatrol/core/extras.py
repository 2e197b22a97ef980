"""The optional parts of govpatrol and the pip extra that installs each: a core install
(``pip install govpatrol``) scans with ``--no-browser`` on one machine; ``[browser]`` adds
the Chromium audits, ``[cluster]`` the Celery workers on Redis and PostgreSQL."""

from __future__ import annotations

import importlib
from types import ModuleType

# module -> the extra that installs it
EXTRA_OF = {
    "playwright": "browser",
    "axe_playwright_python": "browser",
    "celery": "cluster",
    "kombu": "cluster",
    "redis": "cluster",
    "psycopg": "cluster",
}


class MissingExtra(ImportError):
    """A feature needs a package of an extra that is not installed; the message says which."""

    def __init__(self, module: str, extra: str, feature: str) -> None:
        super().__init__(
            f"{feature}需要可选组件 govpatrol[{extra}]（缺少 {module}）：pip install 'govpatrol[{extra}]' "
            f"({feature or 'this feature'} needs the [{extra}] extra)",
            name=module,
        )
        self.extra = extra


def require(module: str, feature: str = "") -> ModuleType:
    """``module`` imported, or MissingExtra naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = (exc.name or module).split(".")[0]
        if top not in EXTRA_OF:
            raise
        raise MissingExtra(top, EXTRA_OF[top], feature) from None
