#!/usr/bin/env bash
# Installs axe-core, the accessibility engine that the browser tests inject into every page,
# into .tools/axe (git-ignored). Pinned by version and by the registry's integrity hash;
# nothing is fetched when the pinned copy is already there, and nothing at test time.
# Corridor never serves this script: only the test harness loads it into a page.
set -euo pipefail
cd "$(dirname "$0")/.."

AXE_VERSION="4.14.1"
AXE_INTEGRITY="sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
DIR=.tools/axe
PACKAGE="$DIR/node_modules/axe-core"

installed_version() {
  [ -f "$PACKAGE/axe.min.js" ] && [ -f "$PACKAGE/package.json" ] || return 1
  sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$PACKAGE/package.json" | head -n 1
}

if [ "$(installed_version || true)" = "$AXE_VERSION" ]; then
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "NOTE: npm is missing: the accessibility (axe) browser tests will be skipped." >&2
  exit 0
fi

echo "Installing axe-core ${AXE_VERSION} for the accessibility tests…"
rm -rf "$DIR"
mkdir -p "$DIR"
printf '{"private": true, "dependencies": {"axe-core": "%s"}}\n' "$AXE_VERSION" >"$DIR/package.json"
if ! npm install --prefix "$DIR" --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null; then
  rm -rf "$DIR"
  echo "NOTE: axe-core could not be installed: the accessibility (axe) browser tests will be skipped." >&2
  exit 0
fi

# The lock file records the hash npm checked the download against: it must be the pinned one.
if ! grep -qF "\"integrity\": \"${AXE_INTEGRITY}\"" "$DIR/package-lock.json"; then
  rm -rf "$DIR"
  echo "axe-core ${AXE_VERSION} does not have the pinned integrity hash: refusing it." >&2
  exit 1
fi
[ "$(installed_version || true)" = "$AXE_VERSION" ] || { echo "axe-core did not install" >&2; exit 1; }
