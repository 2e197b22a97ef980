"""Files that are either the old version or the new one, never half of either.

Reports, exports and ledgers are rewritten in place every week (``site-3.html``). A process
killed while writing one (a reboot, an OOM kill, Ctrl-C twice) must not leave last week's
report truncated: each file is written to a temporary name in the same folder, flushed to
disk, and renamed over the old one, which POSIX makes atomic.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replacing(path: Path | str) -> Iterator[Path]:
    """A temporary path beside ``path`` to write the new file to; when the block ends
    normally it replaces ``path`` in one step, otherwise it is removed and ``path`` is left
    as it was. For writers that want a file name (``Workbook.save``)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    # O_EXCL with mode 0o666: permissions as for any new file (the umask applies), unlike
    # mkstemp's 0o600, which would make a report unreadable to a web server sharing it.
    os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield temp
        _fsync(temp)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_folder(target.parent)


def write_bytes(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; the path."""
    with replacing(path) as temp:
        temp.write_bytes(data)
    return Path(path)


def write_text(
    path: Path | str, text: str, *, encoding: str = "utf-8", newline: str | None = None
) -> Path:
    """Write ``text`` to ``path`` atomically (``newline`` as for ``open``); the path."""
    with replacing(path) as temp, open(temp, "w", encoding=encoding, newline=newline) as handle:
        handle.write(text)
    return Path(path)


def _fsync(path: Path) -> None:
    """The new content is on disk before the rename makes it the file (a crash of the
    machine, not only of the process, then still leaves one whole version)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """The rename itself is on disk; folders cannot be opened for this everywhere."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
