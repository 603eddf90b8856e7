# Two commands matter on a fresh machine: `make demo` and `make test`. Each installs what it
# needs (Debian's Chromium, node_modules, the .venv), builds, and runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BUNDLE := python-shim/src/grandtour/static/tour.js
STANDALONE := python-shim/src/grandtour/static/standalone.js
# The prebuilt JupyterLab extension, copied into the Python package (wheel shared-data).
LABEXT := python-shim/src/grandtour/labextension/package.json
TS_SOURCES := $(shell find src -name '*.ts' -not -name '*.test.ts' 2>/dev/null)
DEMO_PORT ?= 8888
CHROMIUM := /usr/bin/chromium

.PHONY: help demo test test-js test-py test-e2e build install typecheck labextension bench bench-smoke clean

help:
	@echo "make demo   install, build, and serve examples/ in JupyterLab (quick start open)"
	@echo "make test   install, build, and run every test (jest, pytest, browser end-to-end)"
	@echo "make bench  run the benchmarks in bench/"

install: node_modules/.stamp $(VENV)/.stamp $(CHROMIUM)

# Debian's Chromium for the browser tests; never a downloaded browser.
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null

# The stamp holds the manifests' checksums: jupyter-builder rewrites package-lock.json (same
# content, new mtime) on every lab extension build, which must not trigger a fresh npm ci.
node_modules/.stamp: package.json package-lock.json
	@if [ -f $@ ] && sha256sum --status -c $@ 2>/dev/null; then echo "node_modules up to date"; \
	else npm ci --no-audit --no-fund && sha256sum package.json package-lock.json > $@; fi

# One webpack run writes both bundles (webpack.config.js exports two configs).
$(BUNDLE) $(STANDALONE) &: node_modules/.stamp $(TS_SOURCES) webpack.config.js tsconfig.json
	npm run build
	@# webpack leaves an unchanged bundle's mtime alone; make needs it to say "built".
	@touch $(BUNDLE) $(STANDALONE)

build: $(BUNDLE) $(STANDALONE) $(LABEXT)

# The venv first holds JupyterLab alone: its jupyter-builder builds the lab extension,
# which must exist before grandtour is installed (pip copies it as shared data).
$(VENV)/.stamp-builder:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q 'jupyterlab>=4'
	@touch $@

labextension/package.json: node_modules/.stamp $(VENV)/.stamp-builder $(TS_SOURCES) package.json tsconfig.lib.json webpack.lab.js
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" npm run build:labextension
	@touch $@

$(LABEXT): labextension/package.json
	rm -rf $(dir $(LABEXT))
	cp -r labextension $(dir $(LABEXT))

# An editable install copies shared data once, so the stamp depends on the extension and a
# rebuilt extension is reinstalled (`jupyter labextension list` then shows it, enabled, OK).
$(VENV)/.stamp: python-shim/pyproject.toml python-shim/install.json $(BUNDLE) $(STANDALONE) $(LABEXT) $(VENV)/.stamp-builder
	$(PY) -m pip install -q -e 'python-shim[test]'
	@touch $@

typecheck: node_modules/.stamp
	npx tsc --noEmit -p tsconfig.json

test-js: node_modules/.stamp
	npx jest

test-py: $(VENV)/.stamp
	$(PY) -m pytest python-shim/tests -q

test-e2e: install build
	$(PY) -m pytest tests -q

test: install build typecheck test-js test-py test-e2e bench-smoke

# The quick start is run once (widget state saved in it), so the tour is on screen and
# turning the moment JupyterLab opens it; running its cells again works as usual.
demo: install build
	rm -rf build/demo && mkdir -p build/demo
	cp examples/*.ipynb build/demo/
	cd build/demo && ../../$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace quickstart.ipynb
	@echo
	@echo "JupyterLab is starting with the quick start open; open the URL it prints"
	@echo "(http://127.0.0.1:$(DEMO_PORT)/lab/tree/quickstart.ipynb?token=...). Ctrl+C stops it."
	@echo
	cd build/demo && ../../$(VENV)/bin/jupyter lab quickstart.ipynb --no-browser --ip=127.0.0.1 --port=$(DEMO_PORT) \
		$(if $(filter 0,$(shell id -u)),--allow-root,)

labextension: $(LABEXT)

bench: install build
	$(PY) bench/run.py

# The benchmarks at N = 5k without JupyterLab (< 2 min): fails only if the suite itself is broken.
bench-smoke: install build
	$(PY) bench/run.py --smoke

clean:
	rm -rf lib labextension $(dir $(LABEXT)) $(BUNDLE) $(STANDALONE) node_modules $(VENV)
