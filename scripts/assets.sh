#!/usr/bin/env bash
# Install the pinned npm packages and copy what the pages need into static/vendor/.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "npm is needed: install Node.js and npm (Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
fi
if [ ! -d node_modules/@utrecht/component-library-css ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
mkdir -p static/vendor/utrecht
cp node_modules/@utrecht/component-library-css/dist/index.css static/vendor/utrecht/index.css
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
mkdir -p static/vendor/leaflet/images
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css static/vendor/leaflet/
cp node_modules/leaflet/dist/images/*.png static/vendor/leaflet/images/
