#!/usr/bin/env bash
# Set up everything and run every check and test, against a real PostgreSQL server and
# Debian's Chromium. Extra arguments go to pytest (e.g. scripts/test.sh tests/unit -x).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-deps.sh
bash scripts/setup.sh dev
source scripts/pg.sh
source scripts/redis.sh
pg_start
redis_start
trap 'pg_stop; redis_stop' EXIT

export FLASK_APP=burgerbegroting.app
PY=.venv/bin/python

echo "== ruff" >&2
.venv/bin/ruff check burgerbegroting tests bench config.py wsgi.py
echo "== mypy" >&2
.venv/bin/mypy burgerbegroting
echo "== translations" >&2
$PY scripts/check_translations.py
echo "== migrations: upgrade an empty PostgreSQL, compare with the models, downgrade" >&2
DATABASE_URL="$TEST_DATABASE_URL" .venv/bin/flask db upgrade
DATABASE_URL="$TEST_DATABASE_URL" .venv/bin/flask db check
DATABASE_URL="$TEST_DATABASE_URL" .venv/bin/flask db downgrade base
DATABASE_URL="$TEST_DATABASE_URL" .venv/bin/flask db upgrade

echo "== pytest" >&2
set +e
$PY -m pytest "$@"
status=$?
set -e
if [ $status -eq 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit $status
