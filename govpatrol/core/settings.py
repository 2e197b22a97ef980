"""Process-wide settings and the per-site thresholds of the official indicators.

Every ``GOVPATROL_*`` environment variable is one field of ``GovpatrolSettings``, read through
``settings()``; docs/configuration.md lists them (tests/test_settings.py keeps the two in
step). Thresholds are configuration, not literals: the defaults below are the ones in
docs/CHECKS.md, and a site (``site.config["thresholds"]``) can override any of them.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import math
import os
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, field_validator
from pydantic_core import PydanticUseDefault
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.sources.utils import parse_env_vars

DEFAULT_DB_FILE = "govpatrol.db"
USER_AGENT = "Mozilla/5.0 (compatible; govpatrol/0.1; +https://github.com/govpatrol/govpatrol)"
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

ENV_PREFIX = "GOVPATROL_"
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# The variables a settings object is being built from (see _ExactPrefixEnvironment); the
# process environment when GovpatrolSettings() is called directly.
_building_from: ContextVar[Mapping[str, str]] = ContextVar("_building_from", default=os.environ)


class SettingsError(ValueError):
    """A ``GOVPATROL_*`` variable holds a value its setting cannot take; the message names it."""


class _ExactPrefixEnvironment(EnvSettingsSource):
    """The environment source, reading the variables ``settings()`` looked up (each name
    spelled exactly, as the os.environ.get calls it replaced did) instead of os.environ."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        variables = {k: v for k, v in _building_from.get().items() if k.startswith(ENV_PREFIX)}
        return parse_env_vars(variables, False, False, None)


def _separated(raw: str) -> list[str]:
    """A list written with commas and/or spaces."""
    return [part for part in raw.replace(",", " ").split() if part]


class GovpatrolSettings(BaseSettings):
    """Every ``GOVPATROL_*`` environment variable. Field ``x`` is variable ``GOVPATROL_X``;
    unless a field says otherwise, an empty value is the same as an unset one."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    # store, queue, files
    database_url: str | None = Field(
        None,
        description="数据库地址（SQLAlchemy URL）；未设置时用工作目录下的 SQLite 文件 "
        f"{DEFAULT_DB_FILE} (the store's URL; unset: that SQLite file)",
    )
    broker_url: str | None = Field(
        None,
        description="Celery 消息代理（Redis）地址；设置后扫描交给集群的工作节点（govpatrol worker），"
        "未设置时在本机子进程中运行 (the broker; set, scans run on the cluster's workers)",
    )
    queue: str = Field(
        "govpatrol",
        description="Celery 队列名，也是该部署在 Redis 中的键前缀 "
        "(queue name and Redis key prefix of one deployment)",
    )
    reports_dir: Path = Field(
        Path("reports-out"),
        description="报告输出目录；设为空值即工作目录 "
        "(where reports are written; set but empty: the working directory)",
    )
    # scans
    scan_workers: int = Field(
        2,
        description="同时运行的扫描数（本机，或每个工作节点的默认并发） "
        "(scans at once, on this machine or per worker)",
    )
    # 24 missed heartbeats: a stalled database, not a slow page
    stale_after_s: float = Field(
        120.0,
        description="工作节点心跳停止多少秒后，其扫描记为不完整并重新排队 "
        "(seconds without a worker's heartbeat before its scan is closed as partial)",
    )
    scan_attempts: int = Field(
        3,
        description="工作节点失联的扫描最多尝试几次（含第一次） "
        "(attempts in all of a scan whose worker was lost)",
    )
    # A message can be lost between the committed scan row and a worker (Redis down or
    # restarted without persistence); the claim makes a second message harmless.
    requeue_after_s: float = Field(
        600.0,
        description="排队后多少秒仍无节点领取的扫描重新发送到队列（重复的消息无害） "
        "(seconds a queued scan may wait unclaimed before it is sent again)",
    )
    # Above scan_budget_s (3 h, which the scan itself honours) and below the broker's
    # visibility timeout (4 h), so the hard stop only catches a scan that ignored its budget.
    scan_wall_limit_s: float = Field(
        12600.0,
        description="单次扫描的墙钟时限（秒）：超时的扫描被中止并记为不完整；网站可用阈值 "
        "scan_wall_limit_s 覆盖 (wall-clock limit of one scan; a site may override it)",
    )
    keep_scans: int = Field(
        2,
        description="每个网站保留最近几次扫描的页面级数据（页面、链接）；发现项和得分永久保留 "
        "(recent scans per site whose page rows are kept; findings and scores are kept for ever)",
    )
    scheduler_lease_s: float = Field(
        60.0,
        description="调度器租约时长（秒）：持有者停止续约这么久后，待命的调度器接管 "
        "(seconds after the scheduler's last heartbeat before a standby takes over)",
    )
    scan_window: str = Field(
        "sat 20:00-mon 06:00",
        description="每周扫描的时间窗口（办公时区），未指定计划的网站分散在其中 "
        "(the weekly scan window, office time; sites without a schedule are spread over it)",
    )
    # docs/capacity.md: a 5,000-page site costs ~131 CPU s (measured 2026-12-06), 27 an hour
    sites_per_hour_per_worker: float = Field(
        25.0,
        description="容量规划：每个工作节点每小时完成的网站数（实测值，见 docs/capacity.md） "
        "(capacity planning: sites one worker finishes per hour, measured)",
    )
    # 200 pages at 0.32 pages/s with 2 tabs (measured 2026-12-06 on a loaded machine)
    browser_minutes_per_site: float = Field(
        10.5,
        description="容量规划：每个网站浏览器审计的分钟数（实测值，见 docs/capacity.md） "
        "(capacity planning: browser-audit minutes per site, measured)",
    )
    # ~300 bytes a queued page: 20,000 is ~6 MB, and a crawl of any size stays near it
    frontier_memory_pages: int = Field(
        20_000,
        description="抓取队列在内存中最多保留的页面请求数，超出部分暂存到临时目录的磁盘文件，"
        "使大型网站的抓取内存有上限 "
        "(queued page requests kept in memory; the rest wait in a temporary file on disk)",
    )
    fetch_allow: Annotated[tuple[IPNetwork, ...], NoDecode] = Field(
        (),
        description="视同公网的网段（CIDR，逗号或空格分隔，如电子政务外网）：任何网站的扫描都可访问 "
        "(networks every scan may fetch, as if public: an extranet)",
    )
    site_allowlist: Annotated[tuple[str, ...], NoDecode] = Field(
        ("*.gov.cn",),
        description="非管理员可登记的域名（逗号或空格分隔，* 表示任意）；设为空值则都不可登记 "
        "(host patterns a non-admin may register; set but empty: none)",
    )
    # schedule
    timezone: str = Field(
        "Asia/Shanghai",
        description="主管单位所在时区（IANA 名称）：评估日期、定时任务和显示的所有时间都按它计 "
        "(the office's time zone: scan dates, schedules and every time shown)",
    )
    # 24 a day; the availability indicator needs at least 20
    probe_interval_min: int = Field(
        60,
        description="可用性探测间隔（分钟，至少 1） (minutes between availability probes, at least 1)",
    )
    report_cron: str = Field(
        "0 8 * * mon",
        description="每周报告的生成时间（crontab，办公时区） "
        "(crontab of the weekly reports, office time)",
    )
    holidays_dir: Path | None = Field(
        None,
        description="本单位的节假日安排文件目录（每年一个 TOML 文件，格式见下文“节假日安排”）；"
        "chinese-calendar 未覆盖的年份按它计算工作日 "
        "(folder of the office's holiday notice files, one TOML file a year: see below)",
    )
    # dashboard
    secret_key: str | None = Field(
        None,
        description="管理后台会话签名密钥；未设置时自动生成，保存在 SQLite 数据库旁 "
        "(session signing key; unset: generated and kept beside the SQLite store)",
    )
    secure_cookies: bool = Field(
        False,
        description="会话 Cookie 只通过 HTTPS 发送（1、true 或 yes；用于 HTTPS 反向代理之后） "
        "(1, true or yes: the session cookie is HTTPS-only)",
    )
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="管理后台前的反向代理（IP 或 CIDR，逗号或空格分隔）：只有来自它们的请求，"
        "X-Forwarded-For 才被当作客户端地址（登录限流按它计）；未设置时用 TCP 连接的对端地址 "
        "(reverse proxies whose X-Forwarded-For names the client; unset: the socket peer)",
    )
    # weekly report mail
    smtp_host: str = Field(
        "",
        description="周报邮件的 SMTP 服务器；设置后每位有邮箱的网站管理员收到本人网站的周报，"
        "上级单位用户收到本单位通报 (SMTP relay: each user with an e-mail address is mailed "
        "their own sites' or office's reports)",
    )
    smtp_to: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="另收全部报告副本的收件人（逗号分隔，可空） "
        "(extra recipients of a copy of every report, comma separated; optional)",
    )
    smtp_port: int | None = Field(
        None, description="SMTP 端口；默认 25，使用 SSL 时 465 (port; default 25, 465 with SSL)"
    )
    smtp_from: str = Field("govpatrol@localhost", description="发件人 (sender)")
    smtp_user: str | None = Field(None, description="SMTP 用户名 (user, if the relay asks)")
    smtp_password: str | None = Field(None, description="SMTP 密码 (password)")
    smtp_starttls: bool = Field(
        False, description="使用 STARTTLS（1、true、yes 或 on） (upgrade with STARTTLS)"
    )
    smtp_ssl: bool = Field(
        False, description="使用 SSL 连接（1、true、yes 或 on） (connect with SSL)"
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # No .env file and no secrets directory: the environment alone, as before.
        return (init_settings, _ExactPrefixEnvironment(settings_cls))

    @field_validator(
        "database_url",
        "broker_url",
        "queue",
        "scan_workers",
        "stale_after_s",
        "scan_attempts",
        "requeue_after_s",
        "scan_wall_limit_s",
        "keep_scans",
        "scheduler_lease_s",
        "scan_window",
        "sites_per_hour_per_worker",
        "browser_minutes_per_site",
        "probe_interval_min",
        "report_cron",
        "secret_key",
        "smtp_port",
        "smtp_from",
        "smtp_user",
        "smtp_password",
        "holidays_dir",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        if value == "":
            raise PydanticUseDefault()
        return value

    @field_validator("timezone", mode="before")
    @classmethod
    def _zone_name(cls, value: Any) -> Any:
        # Checked against the zone database by govpatrol.core.clock, which words the error.
        name = value.strip() if isinstance(value, str) else value
        if not name:
            raise PydanticUseDefault()
        return name

    @field_validator("smtp_host", "smtp_from", mode="after")
    @classmethod
    def _stripped(cls, value: str) -> str:
        return value.strip()

    @field_validator("fetch_allow", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(ipaddress.ip_network(p, strict=False) for p in _separated(value))
        return value

    @field_validator("site_allowlist", mode="before")
    @classmethod
    def _host_patterns(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(p.strip().lower().rstrip(".") for p in _separated(value))
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        # Each must be an address or a network: uvicorn takes any other word for a literal
        # host name, so a typo (10.0.0.300) would silently trust nobody, or the wrong peer.
        for part in _separated(value):
            ipaddress.ip_network(part, strict=False)
        return tuple(_separated(value))

    @field_validator("smtp_to", mode="before")
    @classmethod
    def _recipients(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(r.strip() for r in value.split(",") if r.strip())
        return value

    @field_validator("secure_cookies", mode="before")
    @classmethod
    def _secure_flag(cls, value: Any) -> Any:
        return value in ("1", "true", "yes") if isinstance(value, str) else value

    @field_validator("smtp_starttls", "smtp_ssl", mode="before")
    @classmethod
    def _smtp_flag(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on")
        return value

    @classmethod
    def variable(cls, field_name: str) -> str:
        """The environment variable of a field."""
        return ENV_PREFIX + field_name.upper()


def settings(environ: Mapping[str, str] | None = None) -> GovpatrolSettings:
    """The settings of ``environ`` (default: this process's environment). Built again only
    when a ``GOVPATROL_*`` variable changed, so a changed variable needs no restart (and a
    test's monkeypatch.setenv is seen) while a hot path (every time a report shows) pays for
    one pass over the variables' names, not for a validation. SettingsError names a variable
    whose value is unusable."""
    source = os.environ if environ is None else environ
    return _build(tuple((name, source[name]) for name in source if name in _VARIABLES))


@functools.lru_cache(maxsize=16)
def _build(variables: tuple[tuple[str, str], ...]) -> GovpatrolSettings:
    values = dict(variables)
    token = _building_from.set(values)
    try:
        return GovpatrolSettings()
    except ValidationError as exc:
        raise SettingsError(_describe(exc, values)) from None
    except ValueError as exc:  # a validator's own (ipaddress's) message
        raise SettingsError(str(exc)) from None
    finally:
        _building_from.reset(token)


def _describe(error: ValidationError, variables: Mapping[str, str]) -> str:
    problems = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else ""
        name = GovpatrolSettings.variable(field)
        problems.append(f"{name}={variables.get(name, '')!r}: {problem['msg']}")
    return "环境变量的值无效 (bad setting): " + "; ".join(problems)


_VARIABLES = frozenset(GovpatrolSettings.variable(name) for name in GovpatrolSettings.model_fields)


def database_url() -> str:
    """The store's URL: ``GOVPATROL_DATABASE_URL`` or the SQLite file in the working directory."""
    url = settings().database_url
    if url:
        return url
    return f"sqlite:///{Path(DEFAULT_DB_FILE).resolve()}"


def broker_url() -> str | None:
    return settings().broker_url


def reports_dir() -> Path:
    return settings().reports_dir.resolve()


@dataclass(frozen=True)
class Thresholds:
    """Every number an indicator uses. Field names are the keys a site overrides."""

    # availability (site_unreachable)
    probe_timeout_s: float = 15.0
    probes_per_day_min: int = 20
    unreachable_window_days: int = 7
    unreachable_veto_ratio: float = 0.05
    # freshness
    home_fresh_days: int = 14
    dynamic_cadence_days: int = 14
    notice_cadence_days: int = 183  # 6 months
    personnel_cadence_days: int = 365
    budget_cadence_days: int = 365  # 财政预决算: published once a year
    # A site's own cadences: column name keyword, column key or first-page URL → days
    # (the longest keyword in the name wins; docs/CHECKS.md "Column categories").
    column_cadence_days: dict[str, int] = field(default_factory=dict)
    stale_timeboxed_veto: int = 5
    stale_longterm_veto: int = 10
    blank_column_veto: int = 5
    # documents
    interpretation_max_working_days: int = 3
    # An assumed validity period for a 规范性文件 that states none (some provinces: 5 years,
    # 2 for 暂行/试行). There is no national default, so 0 (off) unless a site switches it on.
    default_validity_years: int = 0
    provisional_validity_years: int = 0
    late_disclosure_working_days: int = 20
    # links
    link_timeout_s: float = 15.0
    home_link_penalty: float = 1.0
    other_link_penalty: float = 0.1
    link_verify_budget_s: float = 1800.0  # wall clock for verifying a scan's link targets
    # interaction
    unanswered_days: int = 90
    interaction_window_days: int = 365
    # crawl
    max_pages: int = 20000
    max_depth: int = 12
    time_budget_s: float = 3600.0
    per_pattern_cap: int = 200
    concurrency: int = 16
    download_delay_s: float = 0.0
    check_processes: int = 1  # page-check worker processes (0: checks in the crawl process)
    # Budgets for what a site controls (govpatrol/core/budgets.py): past each, the rest is cut,
    # recorded in scan.stats["cut"] and shown in the report. Set far above what a large real
    # portal needs (the 50,000-article benchmark portal reaches none), so they only ever cut
    # hostile or broken sites.
    robots_max_bytes: int = 500 * 1024  # robots.txt read (Google reads 500 KiB)
    robots_max_rules: int = 1000  # Allow/Disallow rules obeyed; each costs every URL a match
    max_links_per_page: int = 10_000  # links taken from one page (a site map has ~2,000)
    max_link_targets: int = 200_000  # distinct link targets verified per scan
    scan_budget_s: float = 10800.0  # wall clock for the whole scan, crawl included
    # the hard stop of the scan's process (0: GOVPATROL_SCAN_WALL_LIMIT_S)
    scan_wall_limit_s: float = 0.0
    # site identity: a certificate expiring within this many days is a warning
    certificate_warn_days: int = 30
    # tampering across scans: a page's own text counts as replaced below this estimated share
    # of 4-character shingles kept from the previous complete scan (same template only)
    tampered_text_similarity: float = 0.2
    # backdating: an article is judged only when dated more than this many days before the
    # previous complete scan (a CMS may print the document's own date, a few days earlier)
    backdated_grace_days: int = 7
    # accessibility
    browser_budget_pages: int = 200
    browser_pages_per_template: int = 2
    # the site's own linked stylesheets the static contrast rule fetches: at most this many
    # per scan (0: none, pages that link one are judged only where their own CSS settles
    # the colours), each within this many seconds
    stylesheet_max_per_scan: int = 50
    stylesheet_timeout_s: float = 5.0

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any] | None) -> Thresholds:
        """Defaults with a site's overrides applied; unknown keys are an error, not a silent typo."""
        if not overrides:
            return cls()
        return replace(cls(), **cls.typed(overrides))

    @classmethod
    def typed(cls, overrides: Mapping[str, Any]) -> dict[str, ThresholdValue]:
        """Each override as its threshold's type. The one check for every way a threshold is
        entered: the dashboard's JSON numbers and the command line's ``--set name=value``
        text. ValueError names the threshold and says what it needs."""
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown threshold(s): {', '.join(sorted(unknown))}")
        base = cls()
        return {
            name: _cadence_table(name, value)
            if isinstance(getattr(base, name), dict)
            else _threshold_value(name, value, type(getattr(base, name)))
            for name, value in overrides.items()
        }


ThresholdValue = int | float | dict[str, int]


def _cadence_table(name: str, value: Any) -> dict[str, int]:
    """A table of days by column name: a JSON object (the dashboard, ``site.config``) or,
    from the command line, ``'{"部门预算": 365}'`` or ``部门预算:365,年报:400``."""
    problem = ValueError(f"阈值 {name} 需要“栏目名称或关键词 → 天数”的对照表，收到 {value!r}")
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except ValueError:
                raise problem from None
        else:
            pairs = [pair.rpartition(":") for pair in text.replace("，", ",").split(",") if pair]
            if any(not sep or not key.strip() for key, sep, _ in pairs):
                raise problem
            value = {key.strip(): days for key, _, days in pairs}
    if not isinstance(value, Mapping):
        raise problem
    table: dict[str, int] = {}
    for key, days in value.items():
        number = _threshold_value(f"{name}[{key}]", days, int)
        if not isinstance(key, str) or not key.strip() or number <= 0:
            raise problem
        table[key.strip()] = int(number)
    return table


def _threshold_value(name: str, value: Any, kind: type[int] | type[float]) -> int | float:
    needs = "整数 (an integer)" if kind is int else "数值 (a number)"
    problem = ValueError(f"阈值 {name} 需要{needs}，收到 {value!r}")
    # True is an int to Python, but never a page count or a number of seconds
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise problem
    if isinstance(value, float) and kind is int and not value.is_integer():
        raise problem  # int() would silently cut 2.5 pages down to 2
    try:
        number = kind(value.strip() if isinstance(value, str) else value)
    except (ValueError, OverflowError):
        raise problem from None
    if not math.isfinite(number):
        raise problem
    return number


@dataclass(frozen=True)
class CrawlScope:
    """Which URLs belong to a site: its host, extra hosts, an optional path prefix."""

    host: str
    extra_hosts: tuple[str, ...] = ()
    path_prefix: str = "/"
    obey_robots: bool = True
