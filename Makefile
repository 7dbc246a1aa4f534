# The two commands a newcomer needs: `make run` (the whole system locally) and `make test`.
# Both create the virtual environment on first use. Lambda targets Python 3.12: use it when present.
PYTHON ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 python3; do \
	$$p -c 'import sys; assert sys.version_info >= (3, 11)' >/dev/null 2>&1 && echo $$p && break; done)
VENV := .venv
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint duplicates clean
run: $(STAMP)
	$(VENV)/bin/python -m local.run

test: $(STAMP)
	bash scripts/ensure-browser
	bash scripts/ensure-node
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

$(STAMP): requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q "pip>=24,<26.3"  # chalice 1.34 needs pip < 26.3
	$(VENV)/bin/python -m pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
