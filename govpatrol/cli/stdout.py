"""``--json -``: standard output carries the findings export and nothing else, so it can be
piped straight into ``jq`` or a CI step.

Holding stdout at the descriptor level, not only Python's ``sys.stdout``, also keeps out what
the crawl's libraries, native code and child processes might print while the scan runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

STDOUT_PATH = "-"


@contextmanager
def stdout_reserved() -> Iterator[None]:
    """While inside, whatever is written to standard output goes to standard error."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def write_stdout(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()
