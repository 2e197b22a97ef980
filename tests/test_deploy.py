"""The deployment kit (deploy/), checked with what this machine has: the compose file against
the Compose Specification's schema and what a govpatrol cluster needs, the systemd units with
``systemd-analyze verify``, the nginx snippet with ``nginx -t`` and a real nginx on loopback
in front of a loopback backend, and deploy/install.sh run for real."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import yaml

from govpatrol.core.settings import GovpatrolSettings
from tests.loopback import LoopbackServer, Request, serve
from tests.polling import wait_for

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
SCHEMA = Path(__file__).with_name("fixtures") / "compose-spec" / "compose_spec.json"
GOVPATROL_SERVICES = ("migrate", "web", "scheduler", "worker")
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?:(?P<op>:[-?])(?P<arg>[^}]*))?\}")


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}``."""

    def value(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if env.get(name):
            return env[name]
        if op == ":?":
            raise AssertionError(f"compose would refuse: {name} unset ({arg})")
        return arg or ""

    return INTERPOLATION.sub(value, text)


def example_env() -> dict[str, str]:
    env = {}
    for line in (DEPLOY / "govpatrol.env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    return env


@pytest.fixture(scope="module")
def compose() -> dict:
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(interpolate(text, example_env()))


# -- compose ---------------------------------------------------------------------------------


def test_compose_file_follows_the_compose_specification(compose: dict) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft201909Validator(schema).validate(compose)


def test_compose_needs_the_passwords_it_cannot_invent() -> None:
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    with pytest.raises(AssertionError, match="POSTGRES_PASSWORD"):
        interpolate(text, {})


def test_compose_runs_one_image_for_every_govpatrol_process(compose: dict) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "proxy", *GOVPATROL_SERVICES}
    images = {services[name]["image"] for name in GOVPATROL_SERVICES}
    builds = {json.dumps(services[name]["build"], sort_keys=True) for name in GOVPATROL_SERVICES}
    assert images == {"govpatrol:latest"} and len(builds) == 1
    build = services["web"]["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    for name in GOVPATROL_SERVICES:
        env = services[name]["environment"]
        assert env["GOVPATROL_DATABASE_URL"].startswith("postgresql+psycopg://"), name
        assert env["GOVPATROL_BROKER_URL"].startswith("redis://redis:6379/"), name
        assert services[name]["command"][0] == "govpatrol", name


def test_compose_migrates_first_and_only_once(compose: dict) -> None:
    services = compose["services"]
    assert services["migrate"]["command"] == ["govpatrol", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "scheduler", "worker"):
        after = services[name]["depends_on"]
        assert after["migrate"] == {"condition": "service_completed_successfully"}, name
        assert after["postgres"] == {"condition": "service_healthy"}, name
        assert after["redis"] == {"condition": "service_healthy"}, name


def test_compose_has_one_scheduler_and_scalable_workers(compose: dict) -> None:
    services = compose["services"]
    assert services["scheduler"]["command"] == ["govpatrol", "scheduler"]
    assert services["scheduler"]["deploy"]["replicas"] == 1
    # the web process must not run a second schedule
    assert "--no-scheduler" in services["web"]["command"]
    worker = services["worker"]
    assert worker["command"][:2] == ["govpatrol", "worker"]
    assert "container_name" not in worker  # a fixed name would forbid --scale worker=N
    assert not worker.get("ports")
    assert worker["shm_size"]  # Chromium


def test_compose_redis_keeps_every_message(compose: dict) -> None:
    command = compose["services"]["redis"]["command"]
    flags = dict(zip(command[1::2], command[2::2], strict=True))
    assert flags["--appendonly"] == "yes"
    assert flags["--maxmemory-policy"] == "noeviction"
    assert "redisdata" in compose["volumes"]
    assert "redisdata:/data" in compose["services"]["redis"]["volumes"]


def test_compose_keeps_data_in_named_volumes(compose: dict) -> None:
    services = compose["services"]
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert set(compose["volumes"]) >= {"pgdata", "redisdata", "reports"}
    for name in GOVPATROL_SERVICES:
        assert "reports:/var/lib/govpatrol/reports" in services[name]["volumes"], name


def test_compose_health_checks(compose: dict) -> None:
    services = compose["services"]
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]
    assert "http://127.0.0.1:8000/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1/healthz" in services["proxy"]["healthcheck"]["test"]


def test_compose_web_is_reached_only_through_the_proxy(compose: dict) -> None:
    services = compose["services"]
    published = [name for name, service in services.items() if service.get("ports")]
    assert published == ["proxy"]
    proxy_address = services["proxy"]["networks"]["backend"]["ipv4_address"]
    assert services["web"]["environment"]["GOVPATROL_TRUSTED_PROXIES"] == proxy_address
    for mount in services["proxy"]["volumes"]:
        source = (DEPLOY / mount.split(":")[0]).resolve()
        assert source.is_file(), mount


def test_the_env_example_names_only_real_settings() -> None:
    known = {GovpatrolSettings.variable(name) for name in GovpatrolSettings.model_fields}
    text = (DEPLOY / "govpatrol.env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#?(GOVPATROL_[A-Z0-9_]+)=", text, flags=re.MULTILINE))
    unknown = named - known - {"GOVPATROL_HTTP_PORT"}  # compose's, not the program's
    assert named and not unknown, unknown


def test_the_image_installs_through_the_install_script() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim-bookworm$", dockerfile, re.MULTILINE)
    assert "deploy/install.sh --system" in dockerfile
    assert "deploy/install.sh --venv /opt/govpatrol/venv" in dockerfile
    assert re.search(r"^USER govpatrol$", dockerfile, re.MULTILINE)  # not root
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").split()
    assert ".venv" in ignored and ".git" in ignored


# -- systemd -------------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_units_verify(tmp_path: Path) -> None:
    govpatrol = Path(sys.executable).with_name("govpatrol")
    assert govpatrol.exists(), "the venv's govpatrol entry point"
    units = []
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        text = unit.read_text(encoding="utf-8")
        assert "/opt/govpatrol/venv/bin/govpatrol" in text
        assert "EnvironmentFile=/etc/govpatrol/govpatrol.env" in text
        # verify checks that ExecStart exists: point it at this machine's venv
        name = unit.name.replace("@.service", "@1.service")
        (tmp_path / name).write_text(
            text.replace("/opt/govpatrol/venv/bin/govpatrol", str(govpatrol)), encoding="utf-8"
        )
        units.append(str(tmp_path / name))
    assert {Path(u).name for u in units} == {
        "govpatrol-web.service",
        "govpatrol-scheduler.service",
        "govpatrol-worker@1.service",
    }
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units],
        capture_output=True,
        text=True,
        timeout=60,
    )
    complaints = [line for line in done.stderr.splitlines() if str(tmp_path) in line]
    assert done.returncode == 0 and not complaints, done.stderr


# -- nginx ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_config(tmp_path: Path, site: str, backend: str, port: int) -> Path:
    """``site`` (a file of deploy/nginx) in a loopback-only nginx.conf of its own."""
    text = (DEPLOY / "nginx" / site).read_text(encoding="utf-8")
    text = re.sub(r"server (web|127\.0\.0\.1):8000;", f"server {backend};", text)
    text = text.replace("listen 80;", f"listen 127.0.0.1:{port};")
    text = text.replace(
        "include snippets/govpatrol.conf;", f"include {DEPLOY}/nginx/govpatrol.conf;"
    )
    assert f"127.0.0.1:{port}" in text and backend in text and str(DEPLOY) in text
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / folder).mkdir(exist_ok=True)
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"""daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {tmp_path}/access.log;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
{text}
}}
""",
        encoding="utf-8",
    )
    return conf


def echo_headers(request: Request) -> None:
    body = json.dumps({"path": request.path, "headers": request.headers}).encode()
    request.respond(200, body, [("Content-Type", "application/json")])


@pytest.fixture
def backend() -> Iterator[LoopbackServer]:
    with serve({"/sites": echo_headers, "/healthz": echo_headers}) as server:
        yield server


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
@pytest.mark.parametrize("site", ["govpatrol-site.conf", "compose-site.conf"])
def test_nginx_accepts_the_site_and_snippet(
    tmp_path: Path, backend: LoopbackServer, site: str
) -> None:
    conf = nginx_config(tmp_path, site, f"127.0.0.1:{backend.port}", free_port())
    checked = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_names_the_real_client_and_drops_a_forged_one(
    tmp_path: Path, backend: LoopbackServer
) -> None:
    import httpx

    port = free_port()
    conf = nginx_config(tmp_path, "govpatrol-site.conf", f"127.0.0.1:{backend.port}", port)
    nginx = subprocess.Popen(
        ["nginx", "-p", str(tmp_path), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:

        def answer() -> httpx.Response | None:
            try:
                return httpx.get(
                    f"http://127.0.0.1:{port}/sites?x=1",
                    headers={"X-Forwarded-For": "203.0.113.9", "Host": "patrol.example.gov.cn"},
                    timeout=5,
                )
            except httpx.TransportError:
                assert nginx.poll() is None, nginx.stderr.read() if nginx.stderr else ""
                return None

        response = wait_for(answer, "nginx answering on loopback", timeout_s=30)
        seen = response.json()
        assert response.status_code == 200
        assert seen["path"] == "/sites?x=1"
        assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"  # not the forged address
        assert seen["headers"]["host"] == "patrol.example.gov.cn"
        assert seen["headers"]["x-forwarded-proto"] == "http"
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert health.json()["path"] == "/healthz"
    finally:
        nginx.send_signal(signal.SIGQUIT)
        try:
            nginx.wait(timeout=20)
        except subprocess.TimeoutExpired:
            nginx.kill()
            nginx.wait(timeout=10)


# -- deploy/install.sh -----------------------------------------------------------------------


def install(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(DEPLOY / "install.sh"), *args],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )


def test_install_script_refuses_unknown_options() -> None:
    done = install("--frobnicate")
    assert done.returncode == 2 and "unknown option --frobnicate" in done.stderr
    assert install().returncode == 2  # nothing asked for: usage, not a silent no-op


def test_install_script_system_part_is_idempotent() -> None:
    present = Path("/usr/bin/chromium").exists() and shutil.which("fc-list")
    if not present and os.geteuid() != 0:
        pytest.skip("chromium missing and not root: the script would need apt")
    first = install("--system")
    assert first.returncode == 0, first.stderr
    again = install("--system")
    assert again.returncode == 0, again.stderr
    assert "already installed" in again.stdout
    assert os.access("/usr/bin/chromium", os.X_OK)
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    assert fonts.stdout.strip(), "a CJK font"


def test_install_script_venv_part_is_idempotent() -> None:
    venv = ROOT / ".venv"
    if Path(sys.prefix).resolve() != venv.resolve():
        pytest.skip("runs on the repository's own .venv (the one make builds)")
    first = install("--venv", str(venv), "--editable")
    assert first.returncode == 0, first.stderr
    again = install("--venv", str(venv), "--editable")
    assert again.returncode == 0, again.stderr
    assert "up to date with requirements.lock" in again.stdout
