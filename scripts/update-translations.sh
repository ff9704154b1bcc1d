#!/usr/bin/env bash
# Refreshes the Russian catalogue after strings change: makemessages, then compilemessages.
# Translate the new or fuzzy entries in src/corridor/locale/ru/LC_MESSAGES/django.po, run this
# again, and commit both django.po and django.mo (deployments may not have gettext).
# Needs GNU gettext (xgettext, msgmerge, msgfmt): apt-get install gettext.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

for tool in xgettext msgmerge msgfmt; do
  command -v "$tool" >/dev/null 2>&1 || { echo "update-translations: $tool is missing (install gettext)" >&2; exit 1; }
done
[ -x .venv/bin/python ] || scripts/bootstrap.sh

# The test settings import cleanly anywhere; their scratch data directory is ours to remove.
CORRIDOR_DATA_DIR=$(mktemp -d)
trap 'rm -rf "$CORRIDOR_DATA_DIR"' EXIT
export CORRIDOR_DATA_DIR PYTHONPATH="$ROOT" DJANGO_SETTINGS_MODULE=tests.settings

# Run from the package so its own locale/ directory (LOCALE_PATHS) is the one written.
cd src/corridor
"$ROOT/.venv/bin/python" -m django makemessages -l ru --no-obsolete --add-location file
"$ROOT/.venv/bin/python" -m django compilemessages -l ru

po=locale/ru/LC_MESSAGES/django.po
if untranslated=$(msgattrib --untranslated --no-obsolete "$po") && [ -n "$untranslated" ]; then
  echo "update-translations: $po has untranslated entries; translate them and run this again." >&2
fi
if fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po") && [ -n "$fuzzy" ]; then
  echo "update-translations: $po has fuzzy entries (left out of django.mo); review them and run this again." >&2
fi
