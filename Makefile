# Thin wrappers around hacking/dev.py (standard library only, Python 3.11).
PYTHON ?= python3

.PHONY: venv demo test sanity lint bench

venv demo test sanity lint bench:
	$(PYTHON) hacking/dev.py $@
