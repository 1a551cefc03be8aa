# Two commands on a fresh machine:
#   make run    set up, build the sample index if missing, start the chat on http://127.0.0.1:7860
#   make test   set up, then run lint, the tests (unit, integration, browser) and the eval gate
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test index lint eval bench browser clean reliability

setup: $(STAMP)

# torch first, pinned to the CPU build on local disk: a plain `torch` requirement would
# pull a multi-GB CUDA build. Everything else comes from pyproject.toml.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[app,eval,test,ray]'
	touch $(STAMP)

index: setup
	test -f index/newsqa.sqlite || $(BIN)/python -m qa ingest data/ --index index/

run: index
	$(BIN)/python app.py

# Debian's Chromium for the browser test (never a browser download at run time).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "browser tests need Debian's chromium: sudo apt-get install -y chromium"; fi; }

lint: setup
	$(BIN)/ruff check .

test: setup browser lint
	$(BIN)/python -m pytest -q
	$(BIN)/python -m eval --gate

# The full report: every question asked, clean and with the distractor pool (33 min measured
# on a shared 2-core machine).
eval: setup
	$(BIN)/python -m eval --distractors --out eval/reports/

# The peer txtai comes from the optional extra; txtai finds the CPU torch installed.
# BENCHMARKS.md says what each part measures; `python -m bench --help` lists them.
bench: setup
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench

# The long reliability runs behind RELIABILITY.md (about an hour on 2 cores; `make test` runs
# the short versions): 40 SIGKILLs, every fuzz target for 10 minutes, 100 users for 150 s.
reliability: setup
	$(BIN)/python -m tests.faults --kills 40
	$(BIN)/python -m tests.fuzz --each --seconds 600
	$(BIN)/python -m bench load

clean:
	rm -rf $(VENV) index/newsqa.sqlite* index/dense-* index/bm25-* eval/reports test-artifacts
