#!/usr/bin/env bash
# Set up a development environment: Python virtualenv, npm assets, compiled translations.
# Usage: scripts/setup.sh [dev]   ("dev" also installs the test tools)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
if [ "${1:-}" = "dev" ]; then
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
else
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
fi

bash scripts/assets.sh
.venv/bin/pybabel compile -d burgerbegroting/translations >/dev/null
