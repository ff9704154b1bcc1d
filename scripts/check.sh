#!/usr/bin/env bash
# Lint and type-check exactly as CI does (run before every commit).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
