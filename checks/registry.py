"""The registry of checks and of every finding id they emit."""

from __future__ import annotations

from govpatrol.core.types import Check, CheckInfo

_CHECKS: list[type[Check]] = []


def register(cls: type[Check]) -> type[Check]:
    """Class decorator: adds a check to every scan."""
    if cls not in _CHECKS:
        _CHECKS.append(cls)
    return cls


def _load() -> None:
    # Importing the modules runs their @register decorators; the list lives here so the
    # order of site hooks does not depend on import order elsewhere.
    import checks.all  # noqa: F401


def all_checks(only: list[str] | tuple[str, ...] | None = None) -> list[Check]:
    """Every registered check in site-hook order, or just those named in ``only``."""
    _load()
    classes = sorted(_CHECKS, key=lambda c: (c.order, c.name))
    if only is not None:
        unknown = set(only) - {c.name for c in classes}
        if unknown:
            raise ValueError(f"unknown check(s): {', '.join(sorted(unknown))}")
        classes = [c for c in classes if c.name in only]
    return [cls() for cls in classes]


def check_names() -> list[str]:
    _load()
    return sorted(c.name for c in _CHECKS)


def all_infos() -> dict[str, CheckInfo]:
    _load()
    infos: dict[str, CheckInfo] = {}
    for cls in _CHECKS:
        for info in cls.infos:
            infos[info.id] = info
    return infos


def info(check_id: str) -> CheckInfo:
    infos = all_infos()
    if check_id not in infos:
        raise KeyError(f"unknown check id: {check_id}")
    return infos[check_id]
