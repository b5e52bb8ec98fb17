#!/usr/bin/env bash
# Load a kkb-lod build release into a fresh Virtuoso and serve it, on loopback.
#
#   scripts/virtuoso.sh start DB_DIR RELEASE_DIR [HTTP_PORT] [SQL_PORT]
#   scripts/virtuoso.sh stop DB_DIR
#
# start: writes DB_DIR/virtuoso.ini, starts virtuoso-t (Debian: apt-get install
# virtuoso-opensource-7-bin, or the virtuoso-opensource metapackage), bulk-loads
# RELEASE_DIR/dumps/kkb.nq with Virtuoso's own loader (ld_dir + rdf_loader_run: the graphs come
# from the N-Quads), checks the quad count against RELEASE_DIR/manifest.json, and prints the line
# to serve our endpoint and pages from it:
#   export KKB_SPARQL_URL=http://127.0.0.1:HTTP_PORT/sparql
# Virtuoso's /sparql takes the union of all graphs as default graph, as our embedded store does.
# The fresh database keeps Virtuoso's default dba password and listens on 127.0.0.1 only: a local
# recipe. For a public server change the password (isql-vt: set password dba NEW) first.
set -euo pipefail

cmd=${1:?usage: $0 start DB_DIR RELEASE_DIR [HTTP_PORT] [SQL_PORT] | stop DB_DIR}
db=$(realpath -m "${2:?DB_DIR missing}")

if [ "$cmd" = stop ]; then
  [ -f "$db/virtuoso.pid" ] && kill "$(cat "$db/virtuoso.pid")" 2>/dev/null || true
  for _ in $(seq 60); do
    [ -f "$db/virtuoso.lck" ] || exit 0
    sleep 0.5
  done
  echo "virtuoso in $db did not stop" >&2
  exit 1
fi

release=$(realpath "${3:?RELEASE_DIR missing}")
http_port=${4:-8890}
sql_port=${5:-1111}
command -v virtuoso-t >/dev/null || { echo "virtuoso-t not found: apt-get install virtuoso-opensource-7-bin" >&2; exit 1; }
[ -f "$release/dumps/kkb.nq" ] || { echo "no dumps/kkb.nq in $release" >&2; exit 1; }
mkdir -p "$db"
cat > "$db/virtuoso.ini" <<INI
[Database]
DatabaseFile = $db/virtuoso.db
ErrorLogFile = $db/virtuoso.log
LockFile = $db/virtuoso.lck
TransactionFile = $db/virtuoso.trx
xa_persistent_file = $db/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000

[TempDatabase]
DatabaseFile = $db/virtuoso-temp.db
TransactionFile = $db/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:$sql_port
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = ${VIRTUOSO_BUFFERS:-170000}
MaxDirtyBuffers = ${VIRTUOSO_DIRTY:-130000}
DirsAllowed = ., $release/dumps
DefaultIsolation = 2

[HTTPServer]
ServerPort = 127.0.0.1:$http_port
ServerRoot = $db
ServerThreads = 10
MaxClientConnections = 10

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
DefaultQuery = select distinct ?Concept where {[] a ?Concept} LIMIT 100
INI

cd "$db"
virtuoso-t +foreground +configfile "$db/virtuoso.ini" > "$db/virtuoso.out" 2>&1 &
echo $! > "$db/virtuoso.pid"
isql() { isql-vt "127.0.0.1:$sql_port" dba dba "$@"; }
for i in $(seq 120); do
  isql exec="status();" >/dev/null 2>&1 && break
  kill -0 "$(cat "$db/virtuoso.pid")" 2>/dev/null || { cat "$db/virtuoso.out" >&2; exit 1; }
  [ "$i" = 120 ] && { echo "virtuoso did not start" >&2; exit 1; }
  sleep 0.5
done

isql exec="ld_dir('$release/dumps', 'kkb.nq', 'urn:kkb-lod:no-default-graph'); rdf_loader_run(); checkpoint;" >/dev/null
errors=$(isql exec="SELECT COUNT(*) FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;" | awk '/^[0-9]+$/ {print; exit}')
[ "$errors" = 0 ] || { isql exec="SELECT ll_file, ll_error FROM DB.DBA.load_list;" >&2; exit 1; }

expected=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['quads'])" "$release/manifest.json")
count=$(curl -sf "http://127.0.0.1:$http_port/sparql" -H 'Accept: text/csv' \
  --data-urlencode "query=SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), \"$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['base_iri'])" "$release/manifest.json")graph/\")) }" | tail -1 | tr -d '"\r')
if [ "$count" != "$expected" ]; then
  echo "virtuoso holds $count quads in our graphs, the release has $expected" >&2
  exit 1
fi
echo "loaded $count quads into virtuoso ($db)"
echo "export KKB_SPARQL_URL=http://127.0.0.1:$http_port/sparql"
