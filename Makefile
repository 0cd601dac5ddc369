# Hark: `make run` and `make test` do all set-up on a fresh machine.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages only the tests need (speech for VAD/ASR tests, audio tools,
# PostgreSQL tests). `make run` does not wait for them.
TEST_SYSTEM_PACKAGES := espeak-ng sox postgresql

.PHONY: install test-deps run test layers lint format bench clean

# Python dependencies (the server and the dev tools) in .venv.
install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

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

test: install test-deps layers
	$(BIN)/pytest

# Import layers (DESIGN.md) and types: a new import that reaches up fails the build.
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
	rm -rf $(VENV) data .pytest_cache .mypy_cache .typecheck
