#!/usr/bin/env bash
# The test command: installs what the suite needs, then runs it (extra arguments go to pytest).
# DATABASE_URL=postgres://… runs the same suite against PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

# Browser tests drive Debian's Chromium; install it when we can, say so when we cannot.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Chromium for the browser tests…"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "NOTE: /usr/bin/chromium is missing and cannot be installed here: browser tests will be skipped." >&2
  fi
fi

# The accessibility tests inject axe-core (pinned, from npm) into every page; skipped without npm.
scripts/axe.sh

exec .venv/bin/pytest -n "${CORRIDOR_TEST_WORKERS:-2}" "$@"
