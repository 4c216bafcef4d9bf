#!/usr/bin/env bash
# Extract translatable strings and update the nl and en catalogues; then compile.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o burgerbegroting/translations/messages.pot .
for lang in nl en; do
  if [ -f burgerbegroting/translations/$lang/LC_MESSAGES/messages.po ]; then
    .venv/bin/pybabel update --no-fuzzy-matching --ignore-obsolete -i burgerbegroting/translations/messages.pot -d burgerbegroting/translations -l $lang
  else
    .venv/bin/pybabel init -i burgerbegroting/translations/messages.pot -d burgerbegroting/translations -l $lang
  fi
done
.venv/bin/pybabel compile -d burgerbegroting/translations
