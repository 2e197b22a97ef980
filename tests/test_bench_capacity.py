"""bench/capacity.py's arithmetic: the mix it reads and the sites per week it prints."""

from __future__ import annotations

import pytest

from bench.capacity import Kind, SiteRun, parse_mix, per_week, render
from bench.common import Measured


def test_the_mix_is_read_in_order_and_a_malformed_one_refused() -> None:
    assert parse_mix("small=0x3,large=5000x1") == [Kind("small", 0, 3), Kind("large", 5000, 1)]
    for bad in ("small=0", "small=ax2", "small=10x0", "=10x1"):
        with pytest.raises(SystemExit):
            parse_mix(bad)


def test_sites_per_week_come_from_the_mean_wall_time_of_the_mix() -> None:
    # 34 h at full use / 600 s per site = 204 sites; at 60 % duty 122.4
    assert per_week(600.0, 34.0) == pytest.approx(204.0)
    assert per_week(600.0, 34.0, 0.6) == pytest.approx(122.4)
    kinds = [Kind("small", 0, 1), Kind("large", 5000, 1)]
    runs = [
        SiteRun("small", 433, "done", Measured(300.0, 1000.0, 0, 600.0, 100.0), 40, 250.0),
        SiteRun("large", 5683, "done", Measured(900.0, 1200.0, 0, 700.0, 400.0), 70, 600.0),
    ]
    body = render(runs, kinds, 34.0)
    mix = next(line for line in body.splitlines() if line.startswith("| **the mix**"))
    # mean wall 600 s: 204 in the window, 122 at 60 %, 1008 in a week, 605 at 60 %
    assert mix.split(" | ")[1:] == ["2", "3058", "600.0", "250.0", "204", "122", "1008", "605 |"]
