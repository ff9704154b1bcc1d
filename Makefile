# Quick start: `make demo` serves the demo, `make test` runs the tests. Both install what they need.
.PHONY: demo test lint bench install

install:
	scripts/bootstrap.sh

demo:
	scripts/demo.sh

test:
	scripts/test.sh

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

bench: install
	.venv/bin/python -m benchmarks
