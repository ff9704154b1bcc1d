#!/usr/bin/env bash
# Installs everything Corridor needs into .venv from the lock file (uv.lock).
# Needs only a Python 3.11+ to start: it finds (or has uv fetch) a Python 3.12+,
# because Django 6.1 requires one.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION="0.13.9"

python_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

find_python() {
  local candidate
  for candidate in python3.14 python3.13 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && python_ok "$(command -v "$candidate")"; then
      command -v "$candidate"; return 0
    fi
  done
  for candidate in "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] /opt/python*/bin/python3; do
    if [ -x "$candidate" ] && python_ok "$candidate"; then echo "$candidate"; return 0; fi
  done
  return 1
}

find_uv() {
  if [ -x .tools/bin/uv ]; then echo .tools/bin/uv; return 0; fi
  if command -v uv >/dev/null 2>&1; then command -v uv; return 0; fi
  local starter
  starter=$(command -v python3 || command -v python) || { echo "bootstrap: no python3 found" >&2; return 1; }
  "$starter" -m venv .tools >/dev/null 2>&1 || {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      apt-get install -y -qq python3-venv >/dev/null && "$starter" -m venv .tools
    else
      echo "bootstrap: cannot create a virtual environment (install python3-venv)" >&2; return 1
    fi
  }
  .tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==${UV_VERSION}" >&2
  echo .tools/bin/uv
}

UV=$(find_uv)
if PYTHON=$(find_python); then
  PY_ARG=(--python "$PYTHON")
else
  # No local Python 3.12+: uv fetches a managed one (needs network access to its builds).
  "$UV" python install 3.12 >&2
  PY_ARG=(--python 3.12)
fi
"$UV" sync --frozen --quiet "${PY_ARG[@]}"
