#!/usr/bin/env bash
# A streaming replica of the PostgreSQL on 127.0.0.1:$PRIMARY_PORT, for the replica-routing tests.
#
#   bash .ci/replica.sh [start]   make it (pg_basebackup -R) if missing, start it, wait until it streams
#   bash .ci/replica.sh stop      stop it (the tests use this to take the replica down)
#
# Idempotent: a replica already streaming is left alone; one that cannot catch up (its WAL is gone) is
# made again. It never restarts the primary: replication needs wal_level >= replica and max_wal_senders > 0
# (PostgreSQL's defaults) and one pg_hba.conf line, added here and applied with pg_reload_conf().
set -euo pipefail

PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_DIR=${REPLICA_DIR:-/var/lib/postgresql/crewplan-replica-$REPLICA_PORT}
REPLICA_LOG="$REPLICA_DIR.log"

primary() { psql -X -q -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -Atc "$1"; }
replica() { psql -X -q -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -Atc "$1" 2>/dev/null; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

MAJOR=$(( $(primary "SHOW server_version_num") / 10000 ))
BIN=/usr/lib/postgresql/$MAJOR/bin
[ -x "$BIN/pg_ctl" ] || BIN=$(dirname "$(command -v pg_ctl || command -v pg_basebackup)")

streaming() { [ "$(replica "SELECT status FROM pg_stat_wal_receiver")" = "streaming" ]; }
running() { [ -f "$REPLICA_DIR/postmaster.pid" ] && as_postgres "$BIN/pg_ctl" -D "$REPLICA_DIR" status >/dev/null 2>&1; }

stop_replica() {
    if running; then as_postgres "$BIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >/dev/null; fi
}

allow_replication() {
    local level senders hba
    level=$(primary "SHOW wal_level")
    senders=$(primary "SHOW max_wal_senders")
    if [ "$level" = minimal ] || [ "$senders" = 0 ]; then
        echo "replica: the primary has wal_level=$level, max_wal_senders=$senders; replication needs a restart" \
            "with wal_level=replica and max_wal_senders > 0, which this script will not do" >&2
        exit 1
    fi
    hba=$(primary "SHOW hba_file")
    if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+(all|postgres)[[:space:]]+127\.0\.0\.1/32' "$hba"; then
        printf '\n# crewplan test replica (.ci/replica.sh)\nhost replication postgres 127.0.0.1/32 trust\n' >>"$hba"
        primary "SELECT pg_reload_conf()" >/dev/null
    fi
}

make_replica() {
    as_postgres rm -rf "$REPLICA_DIR"
    as_postgres mkdir -p "$(dirname "$REPLICA_DIR")"
    as_postgres "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$REPLICA_DIR" \
        -R -X stream -c fast
    # A standby needs these at least as high as its primary's, or it refuses to start.
    local setting conf=""
    for setting in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
        max_locks_per_transaction; do
        conf+="$setting = $(primary "SHOW $setting")"$'\n'
    done
    # Debian keeps the configuration outside the data directory, so the copy has none of its own.
    as_postgres tee "$REPLICA_DIR/postgresql.conf" >/dev/null <<CONF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
hba_file = '$REPLICA_DIR/pg_hba.conf'
ident_file = '$REPLICA_DIR/pg_ident.conf'
hot_standby = on
shared_buffers = 32MB
$conf
CONF
    as_postgres tee "$REPLICA_DIR/pg_hba.conf" >/dev/null <<'HBA'
local all all trust
host all all 127.0.0.1/32 trust
HBA
    as_postgres touch "$REPLICA_DIR/pg_ident.conf"
}

start_replica() {
    running || as_postgres "$BIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_LOG" -w -t 60 start >/dev/null
    for _ in $(seq 30); do streaming && return 0; sleep 0.5; done
    return 1
}

case "${1:-start}" in
stop)
    stop_replica
    ;;
start)
    if streaming; then exit 0; fi
    allow_replication
    if [ -f "$REPLICA_DIR/PG_VERSION" ] && start_replica; then exit 0; fi
    echo "replica: making $REPLICA_DIR from 127.0.0.1:$PRIMARY_PORT with pg_basebackup" >&2
    stop_replica
    make_replica
    start_replica || { echo "replica: did not start streaming; see $REPLICA_LOG" >&2; exit 1; }
    ;;
*)
    echo "usage: $0 [start|stop]" >&2
    exit 2
    ;;
esac
