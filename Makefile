# The two commands that need no set-up: `make demo` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: install lock chromium demo demo-serve test lint bench docs

# Exact versions from the lock file, then govpatrol itself (--no-deps) without resolving
# anything again: every machine (a developer's, CI, the image) runs what was tested.
$(STAMP): requirements.lock pyproject.toml deploy/install.sh
	deploy/install.sh --venv $(VENV) --editable
	touch $(STAMP)

# The one command that regenerates the lock after a change to pyproject.toml's dependencies:
# the versions already locked are kept where they still fit (add --upgrade to move them).
lock:
	$(VENV)/bin/pip install -q "pip-tools>=7.4,<8"
	$(VENV)/bin/pip-compile -q --extra browser --extra cluster --extra dev --strip-extras \
	  --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

# Playwright's own browser download cannot work offline: use Debian's Chromium, and a CJK
# font so that Chinese pages and reports render as text, not boxes. apt waits up to five
# minutes for another apt process's lock instead of failing at once (deploy/install.sh, which
# the image runs too).
chromium:
	$(SUDO) deploy/install.sh --system

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

# three processes on two cores: most tests wait on servers, crawls and Chromium more than
# they compute (a whole run used about one core on average with two; four processes took as
# long as three, 454.6 s against 447.7 s on 2026-12-07).
# --no-loadscope-reorder: the files are handed out longest first, in the order
# tests/conftest.py's SLOW_FILES gives them (xdist's own order, by number of tests, left the
# longest one-test files to the end of the run on one process).
test: install lint
	$(PY) -m pytest -q -n 3 --dist loadfile --no-loadscope-reorder

bench: install
	$(PY) bench/crawl.py
	$(PY) bench/links.py --size 2000
	$(PY) bench/a11y.py --quick
	$(PY) bench/checks.py
