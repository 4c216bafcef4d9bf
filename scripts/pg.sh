#!/usr/bin/env bash
# Start a throw-away PostgreSQL server for the tests, as a non-root user, in a temporary
# data directory, listening on 127.0.0.1 only. Source this file, then call pg_start / pg_stop.
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

_pg_as() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_start() {
  if [ -z "$PG_BIN" ]; then
    echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
    return 1
  fi
  PG_DIR=$(mktemp -d /tmp/burgerbegroting-pg.XXXXXX)
  PG_PORT=${PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$PG_DIR"
  fi
  _pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-h 127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
  _pg_as "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres burgerbegroting_test
  export PG_DIR PG_PORT
  export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/burgerbegroting_test"
  export TEST_DATABASE_ADMIN_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "PostgreSQL running on 127.0.0.1:$PG_PORT ($PG_DIR)" >&2
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
