#!/usr/bin/env bash
# A second local PostgreSQL cluster as a real streaming replica of the main one (Debian's
# postgresql-common), for REPORTS_DATABASE_URL: run as root, idempotent, safe to run again.
#
#   scripts/pg-replica.sh            # primary 127.0.0.1:5432 (cluster "main"), replica :5433
#   REPLICA_PORT=5434 scripts/pg-replica.sh
#
# It allows replication connections from 127.0.0.1 on the primary (trust, like the local
# database access already configured there), then makes the replica with pg_basebackup -R
# (which writes primary_conninfo and standby.signal) and starts it. The replica answers
# read-only queries (hot standby) at postgresql+psycopg://postgres@127.0.0.1:5433/<database>.
set -euo pipefail

VERSION="${PG_VERSION:-$(ls /etc/postgresql | sort -V | tail -1)}"
PRIMARY="${PRIMARY_CLUSTER:-main}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
REPLICA="${REPLICA_CLUSTER:-replica}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
CONF="/etc/postgresql/$VERSION"
DATA="/var/lib/postgresql/$VERSION/$REPLICA"

pg() { pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$@"; }
in_recovery() {
  psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -Atqc "select pg_is_in_recovery()" \
    postgres 2>/dev/null
}

streaming() {  # its WAL receiver streams: a standby that fell behind the WAL the primary
  # still keeps (stopped while the primary wrote a lot; no replication slot) answers
  # queries but never catches up again
  for _ in $(seq 1 "$1"); do
    [ "$(psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -Atqc \
      "select count(*) from pg_stat_wal_receiver where status = 'streaming'" postgres \
      2>/dev/null)" = 1 ] && return 0
    sleep 1
  done
  return 1
}

wait_for_standby() {  # a new standby answers once it has replayed to a consistent point
  for _ in $(seq 1 "$1"); do
    [ "$(in_recovery)" = t ] && return 0
    sleep 1
  done
  return 0
}

if ! pg_isready -q -h 127.0.0.1 -p "$PRIMARY_PORT"; then
  pg "$PRIMARY" start
fi

# 1. The primary lets the replica stream its WAL (wal_level=replica and max_wal_senders=10
#    are PostgreSQL's defaults; check, since a tuned server may have lowered them).
HBA="$CONF/$PRIMARY/pg_hba.conf"
LINE="host replication all 127.0.0.1/32 trust"
if ! grep -qxF "$LINE" "$HBA"; then
  echo "$LINE" >> "$HBA"
  psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -Atqc "select pg_reload_conf()" >/dev/null
fi
level=$(psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -Atqc "show wal_level")
senders=$(psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -Atqc "show max_wal_senders")
if [ "$level" = minimal ] || [ "$senders" -lt 2 ]; then
  echo "pg-replica: the primary needs wal_level=replica and max_wal_senders>=2" >&2
  exit 1
fi

# 2. Already a replica (a base backup with standby.signal): make sure it runs.
if pg_lsclusters -h | awk -v v="$VERSION" -v c="$REPLICA" '$1==v && $2==c' | grep -q .; then
  if [ -f "$DATA/standby.signal" ]; then
    cp "$HBA" "$CONF/$REPLICA/pg_hba.conf"
    status=$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$REPLICA" '$1==v && $2==c {print $4}')
    case "$status" in online*) pg "$REPLICA" reload ;; *) pg "$REPLICA" start ;; esac
    wait_for_standby 180
    if [ "$(in_recovery)" = t ] && streaming 30; then
      echo "pg-replica: $VERSION/$REPLICA streams from :$PRIMARY_PORT on 127.0.0.1:$REPLICA_PORT"
      exit 0
    fi
    echo "pg-replica: $VERSION/$REPLICA is no streaming standby (behind the primary's WAL?);" \
      "making it again" >&2
  else
    echo "pg-replica: $VERSION/$REPLICA exists but is no replica; making it again" >&2
  fi
  pg "$REPLICA" stop || true
  pg_dropcluster "$VERSION" "$REPLICA"
fi

# 3. A new cluster (for its configuration files), its data replaced by a base backup.
pg_createcluster "$VERSION" "$REPLICA" --port "$REPLICA_PORT" >/dev/null
cat > "$CONF/$REPLICA/conf.d/replica.conf" <<EOF
listen_addresses = '127.0.0.1'
hot_standby = on
# Long report queries are not cancelled by the WAL they would hold up; the primary keeps
# the rows they still read instead.
hot_standby_feedback = on
max_standby_streaming_delay = 30s
EOF
cp "$HBA" "$CONF/$REPLICA/pg_hba.conf"  # the same local access as the primary
rm -rf "$DATA"
install -d -o postgres -g postgres -m 700 "$DATA"
runuser -u postgres -- pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
  -D "$DATA" -R -X stream -c fast
pg "$REPLICA" start

wait_for_standby 180
if [ "$(in_recovery)" != t ] || ! streaming 60; then
  echo "pg-replica: the replica did not come up as a streaming standby" >&2
  exit 1
fi
echo "pg-replica: $VERSION/$REPLICA streams from :$PRIMARY_PORT on 127.0.0.1:$REPLICA_PORT"
