#!/usr/bin/env bash
# Scratch: N step-like processes per target (DuckDB file, lake with DuckDB-file catalog, lake with PostgreSQL
# catalog, the same with allow_unsigned_extensions); prints the median wall and CPU ms of a whole process.
# Needs: the PostgreSQL of bench/lake scratch on 127.0.0.1:55432 with database lake1 holding table t.
cd "$(dirname "$0")/../.." || exit 1
E=$PWD/.cache/duckdb-extensions; N=${N:-10}; PG="postgres:dbname=lake1 host=127.0.0.1 port=55432 user=postgres"
mkdir -p /tmp/lk
node -e "const { DuckDBInstance } = require('@duckdb/node-api'); (async()=>{const i=await DuckDBInstance.create('/tmp/lk/f.duckdb'); const c=await i.connect(); await c.run('CREATE TABLE IF NOT EXISTS t AS SELECT 1 x'); c.closeSync(); i.closeSync();})()"
QUIET=1 node bench/lake/sql.mjs "ATTACH 'ducklake:/tmp/lk/local.ducklake' AS l (DATA_PATH '/tmp/lk/local/')" "CREATE TABLE IF NOT EXISTS l.t AS SELECT 1 x"
run() { # label, env, args...
  local label=$1 envs=$2; shift 2
  for i in $(seq "$N"); do
    s=$(date +%s%N); out=$(env $envs node bench/lake/attach-cost.mjs "$@"); e=$(date +%s%N)
    echo "$(( (e-s)/1000000 )) $(echo "$out" | sed 's/.*"cpu":\([0-9]*\).*/\1/')"
  done > /tmp/attach-cost.$$
  local wall cpu
  wall=$(cut -d' ' -f1 /tmp/attach-cost.$$ | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
  cpu=$(cut -d' ' -f2 /tmp/attach-cost.$$ | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
  printf "%-28s wall median %5d ms  cpu median %5d ms  (n=%d)\n" "$label" "$wall" "$cpu" "$N"
  rm -f /tmp/attach-cost.$$
}
run "duckdb file" "" file /tmp/lk/f.duckdb
run "lake, duckdb-file catalog" "" lake /tmp/lk/local.ducklake "$E"
run "lake, postgres catalog" "" lake "$PG" "$E"
run "lake, postgres, unsigned" "UNSIGNED=1" lake "$PG" "$E"
run "lake, local, unsigned" "UNSIGNED=1" lake /tmp/lk/local.ducklake "$E"
