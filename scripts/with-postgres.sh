#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster started here and removed afterwards.
#   scripts/with-postgres.sh CMD ARGS...   (DATABASE_URL is set for CMD)
# Installs Debian's postgresql when it is missing and we are root; otherwise says what to do.
set -euo pipefail

find_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

BINDIR=$(find_bindir || true)
if [ -z "$BINDIR" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "PostgreSQL is missing: installing Debian's postgresql package..." >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    BINDIR=$(find_bindir)
  else
    echo "error: the tests need PostgreSQL's server binaries (initdb, pg_ctl) and none were found." >&2
    echo "       Install them (Debian/Ubuntu: sudo apt-get install postgresql) or run make test as root." >&2
    exit 1
  fi
fi

DATA=$(mktemp -d /tmp/reviewapp-pg.XXXXXX)
RUN_AS=()
RUN_USER=""
if [ "$(id -u)" = 0 ]; then
  # PostgreSQL refuses to run as root: use its own system user.
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$DATA"
  RUN_AS=(runuser -u postgres --)
  RUN_USER=postgres
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

cleanup() {
  "${RUN_AS[@]}" "$BINDIR/pg_ctl" -D "$DATA/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap cleanup EXIT INT TERM

OPTIONS="-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
"${RUN_AS[@]}" "$BINDIR/initdb" -D "$DATA/db" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
"${RUN_AS[@]}" "$BINDIR/pg_ctl" -D "$DATA/db" -l "$DATA/server.log" -w -o "$OPTIONS" start >/dev/null \
  || { cat "$DATA/server.log" >&2; exit 1; }

export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
# What a test or a benchmark needs to restart this cluster (tests/postgres_server.py):
#   ${PG_RUN_AS:+runuser -u $PG_RUN_AS --} $PG_BINDIR/pg_ctl -D $PG_DATA -l $PG_LOG -o "$PG_OPTIONS" ...
export PG_BINDIR="$BINDIR" PG_DATA="$DATA/db" PG_LOG="$DATA/server.log" PG_OPTIONS="$OPTIONS"
export PG_RUN_AS="$RUN_USER"
"$@"
