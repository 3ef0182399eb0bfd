#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/hub: the hub at national scale on this machine (bench/hub/README.md).
#
#   bench/hub/run.sh [N]     (default N: 240000 institutions)
#   HUBBENCH_DATA=DIR bench/hub/run.sh N   keep (or reuse) the generated
#                            enrol.csv and bundles.jsonl in DIR
#   ANZEN_BASE=BIN bench/hub/run.sh N       also ingest the same bundles
#                            with another anzen binary (the code before a
#                            change) into a database of its own, just
#                            before this one's ingest: a side-by-side figure
#
# Generates N synthetic institutions with their own Ed25519 keys and one
# signed bundle each (bench/hub/hubbench.c), starts a PostgreSQL server of
# its own (unix socket only, torn down at the end), and measures:
#   - enrolment of all institutions (anzen hub enrol --csv)
#   - ingest of all bundles, signature checks included (target <= 60 s),
#     and the peak memory of the anzen process (target <= 200 MB)
#   - ingest of all bundles again (every one refused as a replay)
#   - every dashboard query, p50/p99 over random prefectures (target p99
#     <= 200 ms)
#   - the report of one prefecture (Tokyo) as XLSX and HTML (target <= 2 s)
set -eu
cd "$(dirname "$0")/../.."
N=${1:-240000}
SRC=$PWD
ANZEN=$PWD/build/src/cli/anzen
[ -x "$ANZEN" ] || { echo "build first: make" >&2; exit 1; }
PGBIN=
for d in /usr/lib/postgresql/*/bin /usr/local/bin /usr/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then PGBIN=$d; break; fi
done
T=$(mktemp -d /tmp/anzen-hubbench.XXXXXX)
chmod 755 "$T"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }
mkdir "$T/pg"
[ "$(id -u)" -eq 0 ] && chown nobody "$T/pg"
trap 'as_pg "$PGBIN/pg_ctl" -D "$T/pg/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }

echo "== build hubbench"
cc -O2 -std=c17 -D_GNU_SOURCE -I"$SRC/include" -o "$T/hubbench" "$SRC/bench/hub/hubbench.c" \
    "$SRC/build/lib/libanzen.a" $(pkg-config --cflags --libs jansson yaml-0.1 sqlite3 libcrypto \
    libsodium libqrencode xlsxwriter libzip libxml-2.0 libssl libpq) -lpthread

DATA=${HUBBENCH_DATA:-$T}
mkdir -p "$DATA"
if [ -s "$DATA/bundles.jsonl" ] && [ "$(wc -l <"$DATA/bundles.jsonl")" -eq "$N" ]; then
    echo "== reusing the $N bundles in $DATA"
else
    echo "== generate $N institutions and their signed bundles"
    t0=$(now)
    "$T/hubbench" gen "$N" "$DATA"
    t1=$(now)
    echo "generate: $(secs "$t0" "$t1") s, bundles: $(du -m "$DATA/bundles.jsonl" | cut -f1) MB"
fi

echo "== PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') (defaults but shared_buffers=256MB, max_wal_size=8GB)"
as_pg "$PGBIN/initdb" -D "$T/pg/data" -U hub -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$T/pg/data" -l "$T/pg/log" -w \
    -o "-c listen_addresses='' -k $T/pg -c shared_buffers=256MB -c max_wal_size=8GB" start >/dev/null
export ANZEN_HUB_DB="host=$T/pg user=hub dbname=postgres"
"$ANZEN" hub init

t0=$(now)
"$ANZEN" hub enrol --csv "$DATA/enrol.csv"
t1=$(now)
echo "enrol: $(secs "$t0" "$t1") s"

# CPU seconds of the server: its live processes plus the children the
# postmaster has reaped (the session's backend, once it ends)
PMPID=$(head -1 "$T/pg/data/postmaster.pid")
server_cpu() {
    live=$(ps -o times= --ppid "$PMPID" -p "$PMPID" | awk '{s += $1} END {print s + 0}')
    reaped=$(awk -v t="$(getconf CLK_TCK)" '{print ($16 + $17) / t}' "/proc/$PMPID/stat")
    echo "$live + $reaped" | bc
}
if [ -n "${ANZEN_BASE:-}" ]; then
    echo "== baseline: $ANZEN_BASE, same bundles, database hub_base"
    "$PGBIN/psql" -X -q "$ANZEN_HUB_DB" -c "CREATE DATABASE hub_base"
    BASE_DB="host=$T/pg user=hub dbname=hub_base"
    ANZEN_HUB_DB=$BASE_DB "$ANZEN_BASE" hub init
    ANZEN_HUB_DB=$BASE_DB "$ANZEN_BASE" hub enrol --csv "$DATA/enrol.csv"
    echo "load average before baseline ingest: $(cut -d' ' -f1-3 /proc/loadavg)"
    c0=$(server_cpu)
    ANZEN_HUB_DB=$BASE_DB /usr/bin/time \
        -f "baseline ingest: %e s wall; anzen: %U s user + %S s sys CPU, %M KB max RSS" \
        "$ANZEN_BASE" hub ingest -q "$DATA/bundles.jsonl"
    c1=$(server_cpu)
    echo "baseline ingest: server CPU $(echo "$c1 - $c0" | bc) s"
    "$PGBIN/psql" -X -q "$ANZEN_HUB_DB" -c "DROP DATABASE hub_base"
fi
echo "load average before ingest: $(cut -d' ' -f1-3 /proc/loadavg) (other work on this machine)"
echo "== ingest (signature checks, key checks, COPY batches)"
c0=$(server_cpu)
/usr/bin/time -f "ingest: %e s wall; anzen: %U s user + %S s sys CPU, %M KB max RSS" \
    "$ANZEN" hub ingest -q "$DATA/bundles.jsonl"
c1=$(server_cpu)
echo "ingest: server CPU $(echo "$c1 - $c0" | bc) s"
echo "load average after ingest: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== ingest again (all replays)"
/usr/bin/time -f "re-ingest: %e s wall; anzen: %U s user + %S s sys CPU, %M KB max RSS" \
    "$ANZEN" hub ingest -q "$DATA/bundles.jsonl" || true
echo "server processes' RSS now (KB, shared memory counted in each): $(ps -o rss= --ppid "$PMPID" -p "$PMPID" | awk '{s += $1} END {print s}')"
"$PGBIN/psql" -X -q -At "$ANZEN_HUB_DB" -c "select 'database size: ' || pg_size_pretty(pg_database_size('postgres'))"

t0=$(now)
"$PGBIN/psql" -X -q "$ANZEN_HUB_DB" -c "VACUUM ANALYZE"
t1=$(now)
echo "vacuum analyze: $(secs "$t0" "$t1") s"

echo "== dashboard queries"
"$T/hubbench" dash "$ANZEN_HUB_DB" 200

echo "== report for one prefecture (Tokyo)"
/usr/bin/time -f "report xlsx: %e s wall, %M KB max RSS" \
    "$ANZEN" hub report --prefecture 13 --format xlsx -o "$T/tokyo.xlsx"
/usr/bin/time -f "report html: %e s wall, %M KB max RSS" \
    "$ANZEN" hub report --prefecture 13 -o "$T/tokyo.html"
/usr/bin/time -f "report html, all prefectures: %e s wall, %M KB max RSS" \
    "$ANZEN" hub report -o "$T/all.html"
echo "== machine: $(nproc) CPUs, $(free -m | awk '/Mem:/ {print $2}') MB, $(uname -r)"
