#!/usr/bin/env bash
# Start a private PostgreSQL server on 127.0.0.1 for the connector tests.
#
# Usage: eval "$(bash .ci/postgres.sh)"
#
# Installs Debian's postgresql when no server binaries are present, makes a
# throw-away cluster in a temporary directory owned by the postgres user,
# starts it on a free loopback port, creates a role with a password and a
# database, and prints the one line to eval:
#   export FLOW_TEST_POSTGRES_DSN=postgresql://flow_test:<password>@127.0.0.1:<port>/flow_test
# Everything else goes to stderr. Stop it with: bash .ci/postgres.sh stop "$FLOW_TEST_POSTGRES_DIR"
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

if [ "${1:-}" = stop ]; then
    BINDIR=$(find_bindir) || exit 0
    as_postgres_stop() { if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi; }
    as_postgres_stop "$BINDIR/pg_ctl" -D "$2" stop -m fast >&2 || true
    exit 0
fi

if ! BINDIR=$(find_bindir); then
    log "installing Debian's postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y --no-install-recommends postgresql >&2
    BINDIR=$(find_bindir) || { log "postgresql installed but no initdb found"; exit 1; }
fi

if ! id postgres >/dev/null 2>&1; then
    log "no postgres user; creating one"
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi

as_postgres() {
    if [ "$(id -un)" = postgres ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u postgres -- "$@"
    else
        su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
}

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
ROOT=$(mktemp -d /tmp/flow-postgres.XXXXXX)
DATA="$ROOT/data"
chown postgres "$ROOT"
chmod 700 "$ROOT"

log "initdb in $DATA ($BINDIR)"
as_postgres "$BINDIR/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >/dev/null 2>"$ROOT/initdb.err" \
    || { cat "$ROOT/initdb.err" >&2; exit 1; }

log "starting on 127.0.0.1:$PORT"
as_postgres "$BINDIR/pg_ctl" -D "$DATA" -l "$ROOT/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$ROOT -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >&2 || { cat "$ROOT/server.log" >&2; exit 1; }

as_postgres "$BINDIR/psql" -h "$ROOT" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q >&2 <<SQL
CREATE ROLE flow_test LOGIN PASSWORD '$PASSWORD';
CREATE DATABASE flow_test OWNER flow_test;
SQL

echo "export FLOW_TEST_POSTGRES_DIR=$DATA"
echo "export FLOW_TEST_POSTGRES_DSN=postgresql://flow_test:$PASSWORD@127.0.0.1:$PORT/flow_test"
