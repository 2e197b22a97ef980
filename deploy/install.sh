#!/usr/bin/env bash
# Installs what govpatrol needs on a Debian machine or in its image; the Makefile, CI and
# deploy/Dockerfile all run this one script.
#
#   deploy/install.sh --system               Debian's chromium and a CJK font (apt, as root)
#   deploy/install.sh --venv DIR [--editable] a venv at DIR with the exact versions of
#                                             requirements.lock, then govpatrol (--no-deps)
#
# Both parts may be given together. Re-running is safe and fast: the system part does nothing
# when chromium and a Chinese font are there; the venv part does nothing when DIR was built
# from the same requirements.lock and pyproject.toml (a checksum kept in DIR).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SYSTEM=0
VENV=""
EDITABLE=0
PYTHON="${PYTHON:-python3}"

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --system) SYSTEM=1 ;;
    --venv) [ $# -ge 2 ] || usage; VENV="$2"; shift ;;
    --editable) EDITABLE=1 ;;
    -h|--help) usage ;;
    *) echo "install.sh: unknown option $1" >&2; usage ;;
  esac
  shift
done
[ "$SYSTEM" = 1 ] || [ -n "$VENV" ] || usage

has_chinese_font() {
  command -v fc-list >/dev/null && fc-list :lang=zh family | grep -q .
}

install_system() {
  if [ -x /usr/bin/chromium ] && has_chinese_font; then
    echo "install.sh: chromium and a CJK font are already installed"
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "install.sh: --system installs Debian packages and must run as root (sudo)" >&2
    exit 1
  fi
  # Another apt or dpkg (unattended-upgrades, a second make) may hold the lock: wait up to
  # five minutes for it instead of failing at once.
  local apt=(apt-get -o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)
  export DEBIAN_FRONTEND=noninteractive
  "${apt[@]}" update -qq
  # chromium: Playwright's own browser download cannot work offline; Debian's build is used.
  # fonts-noto-cjk: without it Chinese pages and reports render as boxes.
  "${apt[@]}" install -y -qq --no-install-recommends chromium fonts-noto-cjk fontconfig
  fc-cache -f >/dev/null 2>&1 || true
  echo "install.sh: installed chromium and fonts-noto-cjk"
}

install_venv() {
  local lock="$ROOT/requirements.lock"
  local stamp="$VENV/.govpatrol-install"
  local want
  want="$(cat "$lock" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1) editable=$EDITABLE"
  if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "install.sh: $VENV is up to date with requirements.lock"
    return
  fi
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  # Playwright would download its own browser; chromium comes from Debian instead.
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -r "$lock"
  if [ "$EDITABLE" = 1 ]; then
    "$VENV/bin/pip" install -q --no-deps -e "$ROOT"
  else
    "$VENV/bin/pip" install -q --no-deps "$ROOT"
  fi
  echo "$want" >"$stamp"
  echo "install.sh: $VENV installed from requirements.lock"
}

[ "$SYSTEM" = 1 ] && install_system
[ -n "$VENV" ] && install_venv
exit 0
