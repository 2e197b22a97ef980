"""Schedules in words and the picker's crontab lines (dashboard/schedule_words.py); the cron
validator stays scheduler.jobs.cron_trigger."""

from __future__ import annotations

import pytest

from dashboard.schedule_words import PickerError, cron_from_picker, describe, weekly
from scheduler.jobs import cron_trigger, default_scan_cron


@pytest.mark.parametrize(
    ("cron", "zh", "en"),
    [
        ("37 21 * * sun", "每周日 21:37", "Sundays at 21:37"),
        ("37 21 * * 0", "每周日 21:37", "Sundays at 21:37"),
        ("0 8 * * mon,wed", "每周一、三 08:00", "Mondays and Wednesdays at 08:00"),
        ("5 4 * * mon-fri", "每周一、二、三、四、五 04:05", "Mon, Tue, Wed, Thu, Fri at 04:05"),
        ("5 4 * * *", "每天 04:05", "Every day at 04:05"),
        ("0 3 1 * *", "cron 表达式：0 3 1 * *", "cron: 0 3 1 * *"),  # monthly: no picker
        ("*/5 * * * *", "cron 表达式：*/5 * * * *", "cron: */5 * * * *"),
    ],
)
def test_schedules_in_words(cron: str, zh: str, en: str) -> None:
    assert describe(cron, "zh") == zh
    assert describe(cron, "en") == en


def test_every_default_slot_reads_as_a_weekly_schedule() -> None:
    for site_id in range(1, 50):
        cron = default_scan_cron(site_id)
        plan = weekly(cron)
        assert plan is not None and plan.days in (("sat",), ("sun",), ("mon",)), cron
        assert plan.cron() == cron or weekly(plan.cron()) == plan


def test_the_picker_writes_lines_the_one_validator_accepts() -> None:
    cron = cron_from_picker(["sun", "wed", "sun"], "21:37")
    assert cron == "37 21 * * wed,sun"
    cron_trigger(cron)  # scheduler.jobs: the one cron validator
    assert weekly(cron) is not None and weekly(cron).time == "21:37"
    assert cron_from_picker([], "21:37") is None  # no day picked: default or advanced line
    for bad in ("", "25:00", "9:7", "21:37; rm -rf /"):
        with pytest.raises(PickerError):
            cron_from_picker(["mon"], bad)
