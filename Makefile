# The two commands that need no set-up: `make demo` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: install chromium demo demo-serve test lint bench docs

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $(STAMP)

# Playwright's own browser download cannot work offline: use Debian's Chromium, and a CJK
# font so that Chinese pages and reports render as text, not boxes. apt waits up to five
# minutes for another apt process's lock instead of failing at once.
APT := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get -o DPkg::Lock::Timeout=300
chromium:
	@{ test -x /usr/bin/chromium && fc-list :lang=zh family | grep -q .; } || { \
	  $(APT) update -qq && $(APT) install -y -qq chromium fonts-noto-cjk; }

install: $(STAMP) chromium

# re-runnable: the same demo site in the same store, its history kept; demo-serve serves the
# generated portal again (the address the demo printed) until Ctrl-C
demo: install
	$(VENV)/bin/govpatrol demo

demo-serve: $(STAMP)
	$(VENV)/bin/govpatrol demo --serve

# docs/checks/<id>.md and the README's table of checks, from the finding specs
docs: $(STAMP)
	$(PY) -m reports.check_docs

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# two processes: most tests wait on servers, crawls and Chromium more than they compute
test: install lint
	$(PY) -m pytest -q -n 2 --dist loadfile

bench: install
	$(PY) bench/crawl.py
	$(PY) bench/links.py --size 2000
	$(PY) bench/a11y.py --quick
	$(PY) bench/checks.py
