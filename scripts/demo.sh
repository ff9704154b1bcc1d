#!/usr/bin/env bash
# Quick-start command one: install, then create and serve the demo (extra arguments go to `corridor demo`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/corridor demo "$@"
