#!/usr/bin/env bash
# Set up and run the demo: SQLite database with Gemeente Voorbeeldland, at http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export FLASK_APP=burgerbegroting.app
mkdir -p instance
.venv/bin/flask db upgrade
.venv/bin/flask seed-demo
echo "Demo: http://127.0.0.1:5000  (accounts in README.md, password demo-wachtwoord)"
exec .venv/bin/flask run --host 127.0.0.1 --port 5000
