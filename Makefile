# The two commands: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.opsdx-installed

.PHONY: demo test test-min lab bench bench-pm4py bench-real-logs sample-data schema notebook clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "opsdx needs Python 3.10 or newer; set PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# the diagnostic workbook for every sample client: HTML, Excel, results.json and a portfolio
demo: $(STAMP)
	$(BIN)/opsdx batch sample_data --out build/workbooks
	@echo "A quarter later: Northwind Freight's folder updated in place, the batch run again"
	rm -rf build/reassessment && mkdir -p build/reassessment/clients
	cp -R sample_data/northwind-freight build/reassessment/clients/
	$(BIN)/opsdx batch build/reassessment/clients --out build/reassessment/workbooks
	cp sample_data/next-quarter/northwind-freight/* build/reassessment/clients/northwind-freight/
	$(BIN)/opsdx batch build/reassessment/clients --out build/reassessment/workbooks
	$(BIN)/opsdx compare build/reassessment/workbooks/northwind-freight-ltd

# Debian's Chromium for the browser test of the HTML workbook (best effort: skipped without it)
BROWSER := $(VENV)/.opsdx-browser
$(BROWSER): | $(BIN)/python
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1; } \
		|| echo "note: Chromium is not installed; the browser test of the HTML workbook will be skipped"
	@touch $(BROWSER)

test: $(STAMP) $(BROWSER)
	$(BIN)/python -m pytest

# the same suite against the oldest dependency versions pyproject.toml declares
test-min:
	$(PYTHON) -m venv .venv-min
	.venv-min/bin/python -m pip install --quiet --upgrade pip
	.venv-min/bin/python -m pip install --quiet -r .ci/min-versions.txt
	.venv-min/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
	.venv-min/bin/python -m pytest -p no:cacheprovider

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[lab,test]'
	$(BIN)/jupyter lab

bench: $(STAMP)
	$(BIN)/python bench/maturity.py
	$(BIN)/python bench/recovery.py
	$(BIN)/python bench/forecast.py
	$(BIN)/python bench/backtest.py
	$(BIN)/python bench/flow.py
	$(BIN)/python bench/batch.py
	$(BIN)/python bench/interview.py
	$(BIN)/python bench/statuses.py
	$(BIN)/python bench/history.py
	$(BIN)/python bench/form_headers.py

# bench/flow.py beside pm4py (AGPL: a benchmark environment of its own, never a dependency)
BENCHENV := .venv-bench
$(BENCHENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(BENCHENV)
	$(BENCHENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCHENV)/bin/python -m pip install --quiet -e . pm4py
	@touch $@

bench-pm4py: $(BENCHENV)/.installed
	$(BENCHENV)/bin/python bench/flow.py --lines 0
	$(BENCHENV)/bin/python bench/statuses.py

# the verdict on public real event logs, fetched into bench/.cache (never committed);
# LOGS=path/to/pm4py/tests/input_data copies them from a checkout instead
bench-real-logs: $(STAMP)
	$(BIN)/python bench/real_logs.py $(if $(LOGS),--source $(LOGS))

sample-data: $(STAMP)
	$(BIN)/python sample_data/generate.py

schema: $(STAMP)
	$(BIN)/opsdx schema questionnaire > questionnaires/questionnaire.schema.json

# the notebook's reviewed source is notebooks/diagnostic.py; this refreshes the .ipynb from it
notebook: $(STAMP)
	$(BIN)/jupytext --to ipynb --update notebooks/diagnostic.py -o notebooks/diagnostic.ipynb
	$(BIN)/jupytext --to ipynb notebooks/tour.py -o notebooks/tour.ipynb
	$(BIN)/jupytext --to ipynb notebooks/interview.py -o notebooks/interview.ipynb
	$(BIN)/jupytext --to ipynb notebooks/explore.py -o notebooks/explore.ipynb
	cd notebooks && ../$(BIN)/jupyter nbconvert --to notebook --execute tour.ipynb --inplace

clean:
	rm -rf $(VENV) .venv-min $(BENCHENV) build dist *.egg-info .pytest_cache .hypothesis
