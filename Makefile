# Two commands matter: `make run` (the chat page on the default corpus) and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
STAMP  := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test
STORE  ?= .citeqa/store
PORT   ?= 7860

.PHONY: install install-test run test eval bench browser clean

install: $(STAMP)

# Re-runs only when pyproject.toml changes; a second `make install` takes well under a second.
# torch goes first: the pinned CPU wheel, so nothing later pulls a CUDA build.
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install torch==2.13.0
	$(PIP) install -e .
	touch $(STAMP)

# Test tools, plus a real llama.cpp server for the generative tests (built once, then cached by pip).
install-test: $(TESTSTAMP)

$(TESTSTAMP): $(STAMP)
	$(PIP) install -e '.[test,llm]'
	touch $(TESTSTAMP)

run: install
	$(VENV)/bin/citeqa serve --ingest data/articles --store $(STORE) --port $(PORT)

# Debian's Chromium drives the browser tests (test tools cannot download their own browser here).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null)

test: install-test browser
	$(PY) -m pytest -q

eval: install
	$(VENV)/bin/citeqa eval --store $(STORE)

bench: install
	$(PIP) install -e '.[bench]'
	$(VENV)/bin/citeqa bench --peers

clean:
	rm -rf $(VENV) .citeqa tests/output
