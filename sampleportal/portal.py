"""The portal being planned: pages, static files, server routes and the truth, in one place.

Planning modules add pages and record what they plant; ``write`` renders and saves it all.
Pages are kept in insertion order and every choice comes from the seeded RNG, so a seed
always produces the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sampleportal.layout import encode, render
from sampleportal.model import PageSpec
from sampleportal.text import SITE_NAME, TextGen
from sampleportal.truth import Truth


def file_for(site_dir: Path, path: str) -> Path:
    """Where a site path lives on disk ("/" and "/x/" are their index.html)."""
    rel = path.lstrip("/")
    if not rel or rel.endswith("/"):
        rel += "index.html"
    return site_dir / rel


class Portal:
    def __init__(self, as_of: dt.date, variant: str, seed: int, extra_pages: int) -> None:
        self.as_of = as_of
        self.variant = variant
        self.text = TextGen(seed)
        self.pages: dict[str, PageSpec] = {}
        self.assets: dict[str, bytes] = {}
        self.routes: list[dict[str, Any]] = []
        self.truth = Truth(
            as_of=as_of.isoformat(),
            site_name=SITE_NAME,
            variant=variant,
            seed=seed,
            extra_pages=extra_pages,
        )
        self._next_id = 10000

    def next_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def add(self, spec: PageSpec) -> PageSpec:
        if spec.path in self.pages:
            raise ValueError(f"page planned twice: {spec.path}")
        self.pages[spec.path] = spec
        return spec

    def page(self, path: str) -> PageSpec:
        return self.pages[path]

    def asset(self, path: str, data: bytes) -> None:
        self.assets[path] = data

    def route(self, **route: Any) -> None:
        self.routes.append(route)

    def write(self, out_dir: Path, routes_meta: dict[str, Any]) -> None:
        site = out_dir / "site"
        made: set[Path] = set()

        def save(path: str, data: bytes) -> None:
            target = file_for(site, path)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_bytes(data)

        for spec in self.pages.values():
            save(spec.path, encode(spec, render(spec)))
        for path, data in self.assets.items():
            save(path, data)
        routes = {**routes_meta, "routes": self.routes}
        (out_dir / "routes.json").write_text(
            json.dumps(routes, ensure_ascii=False, indent=1) + "\n", "utf-8"
        )
