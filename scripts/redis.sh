#!/usr/bin/env bash
# Start a throw-away Redis server for the tests (rate limits shared between app processes,
# the background job queue), on 127.0.0.1 only, without persistence. Source this file, then
# call redis_start / redis_stop.
redis_start() {
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "Redis is not installed (apt-get install redis-server)" >&2
    return 1
  fi
  REDIS_DIR=$(mktemp -d /tmp/burgerbegroting-redis.XXXXXX)
  REDIS_PORT=${REDIS_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" --save "" --appendonly no \
    --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" >/dev/null
  for _ in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  export REDIS_DIR REDIS_PORT
  export TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
  echo "Redis running on 127.0.0.1:$REDIS_PORT ($REDIS_DIR)" >&2
}

redis_stop() {
  if [ -n "${REDIS_DIR:-}" ] && [ -f "$REDIS_DIR/redis.pid" ]; then
    kill "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null || true
    rm -rf "$REDIS_DIR"
  fi
}
