"""What the CLI loads before a scan starts: its crawl's check worker is forked from the scan
process before the crawl imports Scrapy (scan.page_checks), so a module the CLI imports
eagerly that pulls Scrapy in makes every scan's worker carry Scrapy's 27 MB as well."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_LOADED = """
import json, sys
import govpatrol.cli.main  # what `govpatrol scan` and `govpatrol run-scan` import first
print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'twisted'})))
"""


def test_the_cli_does_not_load_scrapy_before_a_scan() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _LOADED], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
