# Thin wrappers around hacking/dev.py (standard library only), which runs nox (noxfile.py).
PYTHON ?= python3

.PHONY: demo test bench sanity lint

demo test bench:
	$(PYTHON) hacking/dev.py $@

# ansible-test sanity on every ansible-core of the matrix, two at a time.
sanity:
	$(PYTHON) hacking/dev.py nox --parallel 2 -t sanity

lint:
	$(PYTHON) hacking/dev.py nox -s lint docs-check extra-checks ansible-lint
