#!/usr/bin/env bash
# Sozialatlas against the tools cities use today (issue 7). See bench/README.md.
#
#   bench/run.sh [--quick] [--only WORKLOAD[,WORKLOAD…]] [--no-install] [--runs N]
#                [--competitor-runs N] [--rev REV] [--bin PATH]
#
# WORKLOAD: dortmund, tessellation, breaks, ward, http, report, ops, scale (only when named). --rev builds Sozialatlas from a
# `git archive` of REV (e.g. HEAD) instead of the working tree; --bin uses a sozialatlas binary
# that is already built (nothing is built but bench/rust). Needs Debian, the Rust toolchain and
# root (or sudo) for apt-get and for running PostgreSQL as the postgres user.
set -euo pipefail
# The whole script is one function, parsed before it runs: editing this file cannot break a run.
main() {

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
OUT="$HERE/out"
QUICK=0
ONLY=""
INSTALL=1
RUNS=""
REV=""
CRUNS=""
GIVEN_BIN=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) QUICK=1 ;;
        --only) ONLY="$2"; shift ;;
        --only=*) ONLY="${1#--only=}" ;;
        --no-install) INSTALL=0 ;;
        --runs) RUNS="$2"; shift ;;
        --rev) REV="$2"; shift ;;
        --competitor-runs) CRUNS="$2"; shift ;;
        --bin) GIVEN_BIN="$2"; shift ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if [ "$QUICK" = 1 ]; then
    N_POINTS=1000000; RUNS=${RUNS:-2}; WARD_SIZES="2000 5000"; BREAKS_SIZES="10000 1000000"
    WRK_SECONDS=5; HTTP_ROUNDS=1
    OPS_SECONDS=10; OPS_STORM_SECONDS=10; OPS_KILL_AFTER=6
else
    N_POINTS=10000000; RUNS=${RUNS:-3}; WARD_SIZES="2000 10000 20000"; BREAKS_SIZES="10000 1000000"
    WRK_SECONDS=10; HTTP_ROUNDS=3
    OPS_SECONDS=60; OPS_STORM_SECONDS=30; OPS_KILL_AFTER=20
fi
TESS_NX=100; TESS_NY=100          # 10,000 cells
SEED=42
PG_PORT=${PG_PORT:-54329}
HTTP_PORT=${HTTP_PORT:-58080}      # Sozialatlas serve
NGINX_PORT=${NGINX_PORT:-58081}
OPS_PORT_A=${OPS_PORT_A:-58101}    # the ops workload's two sozialatlas instances
OPS_PORT_B=${OPS_PORT_B:-58102}
HTTP_NX=100; HTTP_NY=50           # 5,000 cells in the HTTP workload
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target-bench}
BENCH_TARGET_DIR=${BENCH_TARGET_DIR:-$CARGO_TARGET_DIR}   # for bench/rust (outside the workspace)
BIN=${GIVEN_BIN:-$CARGO_TARGET_DIR/release/sozialatlas}
SBENCH="$BENCH_TARGET_DIR/release/sozialatlas-bench"
PY="$HERE/.venv/bin/python"
DISTRICTS_SRC="$ROOT/../shared/data/dortmund-gebietsgliederung/dortmund_statistische_bezirke.geojson"

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$1"; else sudo -u postgres bash -c "$1"; fi; }

wanted() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }
log() { printf '\n### %s\n' "$*" >&2; }

mkdir -p "$OUT"
RESULTS="$OUT/results.tsv"; : > "$RESULTS"
LOAD="$OUT/load.txt"; : > "$LOAD"
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RESULTS"; }
load_note() { echo "$1: $(uptime)" | tee -a "$LOAD" >&2; }

CRUNS=${CRUNS:-$RUNS}

# ---------------------------------------------------------------- install
PKGS="postgresql postgresql-15-postgis-3 nginx wrk hyperfine curl"
install_competitors() {
    local missing=""
    for p in $PKGS; do
        case "$p" in
            nginx) command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$missing nginx" ;;
            *) dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p" ;;
        esac
    done
    if [ -n "$missing" ]; then
        log "apt-get install$missing"
        $SUDO apt-get update -qq
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
    fi
    # nginx's package starts a system server on port 80; ours is private, leave that one alone.
    if [ ! -x "$PY" ] || ! cmp -s "$HERE/requirements.txt" "$HERE/.venv/requirements.stamp"; then
        log "Python venv bench/.venv from PyPI (pinned in bench/requirements.txt)"
        python3 -m venv "$HERE/.venv"
        "$HERE/.venv/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt"
        cp "$HERE/requirements.txt" "$HERE/.venv/requirements.stamp"
    fi
}
if [ "$ONLY" = report ]; then
    # The report workload has no competitor: hyperfine (and pdfinfo for the page count) only;
    # the standard library's Python reads hyperfine's JSON.
    PKGS="hyperfine poppler-utils"
    if [ "$INSTALL" = 1 ]; then
        for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || { $SUDO apt-get update -qq; $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PKGS; break; }; done
    fi
    [ -x "$PY" ] || PY=$(command -v python3)
elif [ "$ONLY" = ops ]; then
    # The operations workload: PostgreSQL (two instances on one database) and wrk; no Python
    # packages (the standard library's Python prints the table).
    PKGS="postgresql wrk curl"
    if [ "$INSTALL" = 1 ]; then
        for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || { $SUDO apt-get update -qq; $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PKGS; break; }; done
    fi
    [ -x "$PY" ] || PY=$(command -v python3)
elif [ "$ONLY" = scale ]; then
    # The scale workload (bench/scale.sh): GNU time for peak memory, the standard library's
    # Python for the generator.
    PKGS="time"
    if [ "$INSTALL" = 1 ]; then
        dpkg -s time >/dev/null 2>&1 || { $SUDO apt-get update -qq; $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time; }
    fi
    [ -x "$PY" ] || PY=$(command -v python3)
elif [ "$INSTALL" = 1 ]; then install_competitors; fi
for t in $([ "$ONLY" = ops ] || [ "$ONLY" = scale ] || echo hyperfine) "$PY"; do command -v "$t" >/dev/null || { echo "missing $t (run without --no-install)" >&2; exit 1; }; done

# ---------------------------------------------------------------- build
SRC="$ROOT"
if [ -n "$REV" ]; then
    # A snapshot of a commit, so that others' unfinished edits in the working tree do not matter.
    SRC="$OUT/src-$(git -C "$ROOT" rev-parse --short "$REV")"
    if [ ! -d "$SRC" ]; then mkdir -p "$SRC.part" && git -C "$ROOT" archive "$REV" | tar -x -C "$SRC.part" && mv "$SRC.part" "$SRC"; fi
fi
if [ -n "$GIVEN_BIN" ]; then
    log "sozialatlas given: $BIN (not built here)"
else
    log "build $SRC (release, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
    (cd "$SRC" && cargo build --release -p sozialatlas 2>&1 | tail -2) >&2
fi
[ -x "$BIN" ] || { echo "the build of sozialatlas failed" >&2; exit 1; }
# The helper package lives outside the workspace; start from the workspace's lock so it uses the
# same dependency versions.
# (The scale workload does not use it.)
if [ "$ONLY" != scale ]; then
    [ -f "$HERE/rust/Cargo.lock" ] || cp "$ROOT/Cargo.lock" "$HERE/rust/Cargo.lock"
    CARGO_TARGET_DIR="$BENCH_TARGET_DIR" cargo build --release --manifest-path "$HERE/rust/Cargo.toml" 2>&1 | tail -2 >&2
fi

# ---------------------------------------------------------------- services
PGDIR=""; NGDIR=""; SERVE_PID=""; OPS_PIDS=""
cleanup() {
    set +e
    [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null
    for p in $OPS_PIDS; do kill "$p" 2>/dev/null; done
    [ -n "$NGDIR" ] && [ -f "$NGDIR/nginx.pid" ] && nginx -c "$NGDIR/nginx.conf" -p "$NGDIR" -s stop 2>/dev/null
    if [ -n "$PGDIR" ]; then
        as_postgres "/usr/lib/postgresql/15/bin/pg_ctl -D $PGDIR -m fast stop" >/dev/null 2>&1
        rm -rf "$PGDIR"
    fi
    [ -n "$NGDIR" ] && rm -rf "$NGDIR"
}
trap cleanup EXIT
PSQL=(psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d bench)
start_postgres() { # [postgis]: the aggregation workloads' database `bench` with PostGIS
    if [ -z "$PGDIR" ]; then start_postgres_server; fi
    if [ "${1:-}" = postgis ] && ! "${PSQL[@]}" -At -c 'SELECT 1' >/dev/null 2>&1; then
        psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c 'CREATE DATABASE bench'
        "${PSQL[@]}" -c 'CREATE EXTENSION postgis'
        echo "PostgreSQL $("${PSQL[@]}" -At -c 'SHOW server_version'), PostGIS $("${PSQL[@]}" -At -c 'SELECT postgis_lib_version()') on port $PG_PORT" >&2
    fi
}
start_postgres_server() {
    PGDIR=$(mktemp -d /tmp/bench-pg.XXXXXX); $SUDO chown postgres:postgres "$PGDIR"
    as_postgres "/usr/lib/postgresql/15/bin/initdb -D $PGDIR -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8" >/dev/null
    # fsync off and unlogged tables: PostGIS is not charged for durability Sozialatlas does not give.
    as_postgres "/usr/lib/postgresql/15/bin/pg_ctl -D $PGDIR -o '-p $PG_PORT -k /tmp -c fsync=off \
        -c listen_addresses=127.0.0.1 -c shared_buffers=2GB -c work_mem=256MB \
        -c maintenance_work_mem=1GB -c max_wal_size=8GB -c synchronous_commit=off \
        -c full_page_writes=off -c max_parallel_workers_per_gather=2' -l $PGDIR/log -w start" >/dev/null
}

# ---------------------------------------------------------------- helpers
median_of() { "$PY" "$HERE/py/tools.py" median "$1"; }
hf() { # hf NAME RUNS WARMUP COMMAND -> prints the median seconds
    local name=$1 runs=$2 warmup=$3; shift 3
    hyperfine --style basic --runs "$runs" --warmup "$warmup" --export-json "$OUT/$name.json" "$*" >&2
    median_of "$OUT/$name.json"
}

# ---------------------------------------------------------------- aggregation workloads
points_csv() {
    local f="$OUT/points_$N_POINTS.csv"
    if [ ! -s "$f" ]; then
        log "generate $N_POINTS points (seed $SEED, EPSG:25832)"
        "$SBENCH" points "$f.part" "$N_POINTS" "$SEED" && mv "$f.part" "$f"
    fi
    echo "$f"
}

aggregate_workload() { # NAME AREAS.geojson KEY LABEL
    local name=$1 areas=$2 key=$3 label=$4
    local points; points=$(points_csv)
    local size="$(printf "%'d" "$N_POINTS") points"
    "$PY" "$HERE/py/tools.py" areas-csv "$areas" "$key" "$OUT/${name}_areas.csv"
    load_note "$name"
    log "$label: Sozialatlas"
    local t_ours t_gpd t_pg agree_gpd agree_pg
    t_ours=$(hf "${name}_sozialatlas" "$RUNS" 1 \
        "$BIN aggregate --areas $areas --key $key --points $points --x x --y y --crs 25832 --group period,variable --out $OUT/${name}_sozialatlas.csv")
    log "$label: GeoPandas sjoin"
    t_gpd=$(hf "${name}_geopandas" "$CRUNS" 0 \
        "$PY $HERE/py/sjoin.py $areas $key $points $OUT/${name}_geopandas.csv")
    agree_gpd=$("$PY" "$HERE/py/tools.py" compare-counts "$OUT/${name}_sozialatlas.csv" "$OUT/${name}_geopandas.csv" || true)
    echo "GeoPandas vs Sozialatlas: $agree_gpd" >&2
    start_postgres postgis
    log "$label: PostGIS"
    t_pg=$(hf "${name}_postgis" "$CRUNS" 0 \
        "${PSQL[*]} -v areas_csv=$OUT/${name}_areas.csv -v points_csv=$points -f $HERE/py/postgis_agg.sql -o $OUT/${name}_postgis.csv")
    agree_pg=$("$PY" "$HERE/py/tools.py" compare-counts "$OUT/${name}_sozialatlas.csv" "$OUT/${name}_postgis.csv" || true)
    echo "PostGIS vs Sozialatlas: $agree_pg" >&2
    record "$label" "$size" "$t_ours" "GeoPandas sjoin" "$t_gpd" time ">=20x" "${agree_gpd%%:*}"
    record "$label" "$size" "$t_ours" "PostGIS ST_Contains" "$t_pg" time ">=5x" "${agree_pg%%:*}"
}

if wanted dortmund; then
    log "workload dortmund: points into Dortmund's 62 statistical districts"
    D25832="$OUT/dortmund_districts_25832.geojson"
    [ -s "$D25832" ] || "$PY" "$HERE/py/tools.py" districts "$DISTRICTS_SRC" "$D25832"
    aggregate_workload dortmund "$D25832" source_id "62 Dortmund districts"
fi

if wanted tessellation; then
    log "workload tessellation: points into $((TESS_NX * TESS_NY)) cells"
    TESS="$OUT/tessellation_${TESS_NX}x${TESS_NY}.geojson"
    [ -s "$TESS" ] || "$SBENCH" tessellation "$TESS" "$TESS_NX" "$TESS_NY" "$SEED"
    aggregate_workload tessellation "$TESS" id "$(printf "%'d" $((TESS_NX * TESS_NY)))-cell tessellation"
fi

# ---------------------------------------------------------------- natural breaks
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" | head -1; }
if wanted breaks; then
    for n in $BREAKS_SIZES; do
        load_note "breaks n=$n"
        log "natural breaks k = 6, n = $n"
        reps=7; [ "$n" -ge 1000000 ] && reps=5
        line=$("$SBENCH" breaks "$n" "$reps" "$OUT/breaks_$n.f64" "$OUT/breaks_${n}_bins.txt" | grep '^RESULT')
        echo "$line" >&2
        ours=$(echo "$line" | field median)
        if [ "$n" -le 100000 ]; then
            # mapclassify's exact FisherJenks is O(k·n²) in time and O(k·n) in memory: run at 10⁴.
            pl=$("$PY" "$HERE/py/tools.py" breaks "$OUT/breaks_$n.f64" "$OUT/breaks_${n}_bins.txt" 5 | grep '^RESULT')
            echo "$pl" >&2
            record "natural breaks k=6" "n = $(printf "%'d" "$n")" "$ours" "mapclassify FisherJenks (numba), after JIT" "$(echo "$pl" | field median)" time ">=100x" "$(echo "$pl" | field agree | tr _ " ")"
            record "natural breaks k=6" "n = $(printf "%'d" "$n")" "$ours" "mapclassify FisherJenks, import (numba JIT) + first call" "$(echo "$pl" | field first)" time "" "$(echo "$pl" | field agree | tr _ " ")"
        else
            record "natural breaks k=6" "n = $(printf "%'d" "$n")" "$ours" "(none: exact FisherJenks is O(n²))" "-" time "<1s" "–"
        fi
    done
fi

# ---------------------------------------------------------------- Ward
if wanted ward; then
    for n in $WARD_SIZES; do
        load_note "ward n=$n"
        log "Ward clustering, $n × 10"
        reps=3; [ "$n" -ge 20000 ] && reps=1
        line=$("$SBENCH" ward "$n" "$reps" "$OUT/ward_$n.f64" "$OUT/ward_${n}_heights.f64" | grep '^RESULT')
        echo "$line" >&2
        pl=$("$PY" "$HERE/py/tools.py" ward "$OUT/ward_$n.f64" "$n" "$OUT/ward_${n}_heights.f64" "$reps" | grep '^RESULT')
        echo "$pl" >&2
        record "Ward clustering" "$(printf "%'d" "$n") × 10" "$(echo "$line" | field median)" "SciPy linkage(method=\"ward\")" "$(echo "$pl" | field median)" time ">=1x" "$(echo "$pl" | field agree | tr _ " ")"
    done
fi

# ---------------------------------------------------------------- HTTP
# Two atlases built from reproducible folders (sozialatlas-bench http-atlas): Cologne's 86
# Stadtteile (real data) and a generated 5,000-cell tessellation. For each, the indicator page and
# its map SVG are fetched from `sozialatlas serve --db` and written to files that a private nginx
# serves; then wrk runs against both, alternating, with the same settings.
wrk_run() { # URL LOGNAME -> "requests/s p50-latency-ms" (2 threads, 4 connections)
    wrk -t2 -c4 -d"${WRK_SECONDS}s" --latency "$1" > "$OUT/$2" 2>&1
    if grep -qE 'Non-2xx|Socket errors' "$OUT/$2"; then echo "wrk: errors against $1" >&2; cat "$OUT/$2" >&2; fi
    local rate p50
    rate=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$OUT/$2")
    p50=$(awk '$1 == "50%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.3f", v }' "$OUT/$2")
    echo "$rate $p50"
}
median_list() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
if wanted http; then
    if ! "$BIN" serve --help >/dev/null 2>&1; then
        log "SKIP http: this build of sozialatlas has no 'serve' command"
        record "indicator page over HTTP" "-" "-" "nginx static" "-" rate ">=0.5x" "skipped: no serve command"
    else
        HTTP="$OUT/http"; rm -rf "$HTTP"; mkdir -p "$HTTP"
        log "HTTP atlases: Cologne (86 Stadtteile) and $((HTTP_NX * HTTP_NY)) generated cells"
        "$SBENCH" http-atlas koeln "$HTTP/koeln" "$ROOT/../shared/data/koeln-stadtteile-bevoelkerung"
        "$SBENCH" http-atlas tessellation "$HTTP/zellen" "$HTTP_NX" "$HTTP_NY" "$SEED"
        "$BIN" build "$HTTP/koeln" --db "$HTTP/koeln.db" > "$HTTP/koeln.build.log"
        "$BIN" build "$HTTP/zellen" --db "$HTTP/zellen.db" > "$HTTP/zellen.build.log"
        NGDIR=$(mktemp -d /tmp/bench-nginx.XXXXXX); mkdir -p "$NGDIR/root" "$NGDIR/logs"
        cat > "$NGDIR/nginx.conf" <<NGINX
worker_processes auto;
pid $NGDIR/nginx.pid;
error_log $NGDIR/logs/error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type text/html;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path $NGDIR/tmp_body;
    proxy_temp_path $NGDIR/tmp_proxy;
    fastcgi_temp_path $NGDIR/tmp_fastcgi;
    uwsgi_temp_path $NGDIR/tmp_uwsgi;
    scgi_temp_path $NGDIR/tmp_scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $NGDIR/root;
    }
}
NGINX
        : > "$OUT/http_latency.tsv"
        started_nginx=0
        for spec in "koeln|Köln, 86 Stadtteile|/indicators/auslaenderanteil/stadtteil/2012" \
                    "zellen|$(printf "%'d" $((HTTP_NX * HTTP_NY))) generated cells|/indicators/auslaenderanteil/zelle/2022"; do
            atlas=${spec%%|*}; rest=${spec#*|}; what=${rest%%|*}; page=${rest#*|}
            load_note "http $atlas"
            "$BIN" serve --db "$HTTP/$atlas.db" --listen "127.0.0.1:$HTTP_PORT" > "$OUT/serve_$atlas.log" 2>&1 &
            SERVE_PID=$!
            for _ in $(seq 1 150); do curl -fs -o /dev/null "http://127.0.0.1:$HTTP_PORT/" && break; sleep 0.2; done
            for pair in "indicator page|$page" "map SVG|$page.svg"; do
                label=${pair%%|*}; path=${pair#*|}
                file="$NGDIR/root/$atlas$path"
                mkdir -p "$(dirname "$file")"
                code=$(curl -s -o "$file" -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT$path")
                if [ "$code" != 200 ]; then
                    echo "GET $path from $atlas: HTTP $code" >&2
                    record "$label over HTTP ($what)" "$path" "-" "nginx static file" "-" rate ">=0.5x" "skipped: HTTP $code"
                    continue
                fi
                chmod -R a+rX "$NGDIR"
                if [ "$started_nginx" = 0 ]; then nginx -c "$NGDIR/nginx.conf" -p "$NGDIR"; started_nginx=1; sleep 0.5; fi
                same=$(cmp -s <(curl -s "http://127.0.0.1:$HTTP_PORT$path") <(curl -s "http://127.0.0.1:$NGINX_PORT/$atlas$path") && echo yes || echo no)
                log "wrk: $label ($what), $(stat -c %s "$file") bytes, $HTTP_ROUNDS rounds alternating"
                ours=""; theirs=""; ours_p50=""; theirs_p50=""
                for round in $(seq 1 "$HTTP_ROUNDS"); do
                    read -r r l < <(wrk_run "http://127.0.0.1:$HTTP_PORT$path" "wrk_${atlas}_${label// /_}_sozialatlas_$round.txt")
                    ours="$ours $r"; ours_p50="$ours_p50 $l"
                    read -r r l < <(wrk_run "http://127.0.0.1:$NGINX_PORT/$atlas$path" "wrk_${atlas}_${label// /_}_nginx_$round.txt")
                    theirs="$theirs $r"; theirs_p50="$theirs_p50 $l"
                    echo "round $round: Sozialatlas $(echo "$ours" | awk '{print $NF}') req/s, nginx $(echo "$theirs" | awk '{print $NF}') req/s" >&2
                done
                o=$(echo "$ours" | median_list); t=$(echo "$theirs" | median_list)
                op=$(echo "$ours_p50" | median_list); tp=$(echo "$theirs_p50" | median_list)
                printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$atlas" "$label" "$o" "$t" "$op" "$tp" >> "$OUT/http_latency.tsv"
                record "$label over HTTP ($what)" "$(printf "%'d" "$(stat -c %s "$file")") bytes; p50 $op ms vs $tp ms" "$o" "nginx static file" "$t" rate ">=0.5x" "same bytes: $same"
            done
            kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null || true; SERVE_PID=""
        done
    fi
fi

# ---------------------------------------------------------------- report workload
# The report on the social situation (`sozialatlas report`, release build) of the embedded demo
# (Flensburg, 13 Stadtteile) and of Cologne (86 Stadtteile, every indicator, one profile page per
# area), as PDF and as HTML. No competitor is named for this workload.
if wanted report; then
    REP="$OUT/report"; rm -rf "$REP"; mkdir -p "$REP"
    "$SBENCH" http-atlas koeln "$REP/koeln" "$ROOT/../shared/data/koeln-stadtteile-bevoelkerung"
    "$BIN" build "$REP/koeln" --db "$REP/koeln.db" > "$REP/koeln.build.log"
    for spec in "demo|Flensburg (demo), 13 Stadtteile|" "koeln|Köln, 86 Stadtteile|--db $REP/koeln.db"; do
        atlas=${spec%%|*}; rest=${spec#*|}; what=${rest%%|*}; db=${rest#*|}
        for fmt in pdf html; do
            load_note "report $atlas $fmt"
            log "report: $what, $fmt"
            t=$(hf "report_${atlas}_$fmt" "$RUNS" 1 "$BIN report $db --format $fmt --out $REP/$atlas.$fmt")
            size="$(printf "%'d" "$(stat -c %s "$REP/$atlas.$fmt")") bytes"
            if [ "$fmt" = pdf ] && command -v pdfinfo >/dev/null; then
                size="$(pdfinfo "$REP/$atlas.pdf" | sed -n 's/^Pages: *//p') pages, $size"
            fi
            record "report as ${fmt^^} ($what)" "$size" "$t" "(none named)" "-" time "" "–"
        done
    done
fi

# ---------------------------------------------------------------- operations (issue 16)
# Reads under 200 connections, 50 concurrent writers (SQLite; PostgreSQL with two instances on one
# database), a failed-sign-in storm against a quiet reader, and kill -9 under write load. The load
# generator is `sozialatlas-bench ops-*` (bench/rust/src/ops.rs); every writer has its own account.
OPS_TSV="$OUT/ops.tsv"; : > "$OPS_TSV"
ops_record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$OPS_TSV"; }
OPS_LAST_PID=""
ops_serve() { # PORT LOGFILE SERVE-ARGS… : starts `sozialatlas serve` (pid in OPS_LAST_PID), waits for /
    local port=$1 logf=$2; shift 2
    if ss -ltn | grep -q ":$port "; then echo "port $port is taken" >&2; return 1; fi
    "$BIN" serve --listen "127.0.0.1:$port" "$@" > "$logf" 2>&1 &
    OPS_LAST_PID=$!; OPS_PIDS="$OPS_PIDS $OPS_LAST_PID"
    for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$port/" && return 0; sleep 0.2; done
    echo "sozialatlas serve on port $port did not answer; its log:" >&2; cat "$logf" >&2; return 1
}
ops_stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null || true; }
code_count() { echo "$1" | tr ',' '\n' | awk -F: -v c="$2" '$1 == c { n = $2 } END { print n + 0 }'; }
other_codes() { echo "$1" | tr ',' '\n' | grep -vE "^($2):" | grep -v '^-$' | paste -sd, - | sed 's/^$/none/'; }
wrk_ms() { # FILE PERCENT -> milliseconds
    awk -v p="$2%" '$1 == p { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f", v }' "$1"
}
ops_writers_row() { # FIGURE SETTING RESULT-LINE
    local line=$3 codes s5 err
    if [ -z "$line" ]; then ops_record "$1" "$2" "failed: no RESULT line (see bench/out/ops/*.err)" "0 responses 5xx" "**no**"; return; fi
    codes=$(echo "$line" | field codes); s5=$(echo "$line" | field status_5xx); err=$(echo "$line" | field errors)
    ops_record "$1" "$2" "$(echo "$line" | field requests) writes in $(echo "$line" | field seconds) s ($(echo "$line" | field rate)/s); 303 to the account page (acknowledged): $(echo "$line" | field acknowledged); 5xx: $s5; other answers: $(other_codes "$codes" 303); other redirects: $(echo "$line" | field other_redirects); transport errors: $err; p50 $(echo "$line" | field p50_ms) ms, p99 $(echo "$line" | field p99_ms) ms" \
        "0 responses 5xx" "$([ "$s5" = 0 ] && [ "$err" = 0 ] && echo yes || echo "**no**")"
}
if wanted ops; then
    OPSD="$OUT/ops"; rm -rf "$OPSD"; mkdir -p "$OPSD"
    OPS_WRITERS=50; OPS_READERS=200; OPS_STORM_CLIENTS=100
    OPS_PW="bench-writer-password-2026"
    OPS_PAGE=/indicators/anteil_65plus/stadtteil/2022
    A="127.0.0.1:$OPS_PORT_A"; B="127.0.0.1:$OPS_PORT_B"
    add_writers() { # STORE: writer<i>@bench.example, i = 0 … OPS_WRITERS-1
        for i in $(seq 0 $((OPS_WRITERS - 1))); do
            echo "$OPS_PW" | "$BIN" user add --db "$1" --email "writer$i@bench.example" --name "Writer $i 0" --password-stdin > /dev/null
        done
    }
    log "ops: the Flensburg example atlas as two SQLite stores (ops.db, kill.db) with $OPS_WRITERS writer accounts each"
    for s in ops kill; do
        "$BIN" build "$ROOT/examples/flensburg" --db "$OPSD/$s.db" > "$OPSD/build_$s.log"
        add_writers "$OPSD/$s.db"
    done

    # 1. Reads: the indicator page (answered from the server's cache after the first request).
    ops_serve "$OPS_PORT_A" "$OPSD/serve_sqlite.log" --db "$OPSD/ops.db"; pid=$OPS_LAST_PID
    curl -s -o /dev/null "http://$A$OPS_PAGE"
    load_note "ops reads"
    log "ops: reads, wrk -t2 -c$OPS_READERS -d${OPS_SECONDS}s $OPS_PAGE"
    wrk -t2 -c"$OPS_READERS" -d"${OPS_SECONDS}s" --latency "http://$A$OPS_PAGE" > "$OPSD/wrk_reads.txt" 2>&1 || true
    cat "$OPSD/wrk_reads.txt" >&2
    non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: *//p' "$OPSD/wrk_reads.txt"); non2xx=${non2xx:-0}
    sockerr=$(sed -n 's/^ *Socket errors: *//p' "$OPSD/wrk_reads.txt" | tr -cs '0-9' ' ' | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s + 0 }')
    rate=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$OPSD/wrk_reads.txt")
    nreq=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$OPSD/wrk_reads.txt")
    ops_record "reads: $OPS_READERS connections, ${OPS_SECONDS} s" "\`wrk -t2 -c$OPS_READERS -d${OPS_SECONDS}s --latency\` on $OPS_PAGE (Flensburg, SQLite store, one instance)" \
        "${nreq:-?} requests, ${rate:-?} req/s; p50 $(wrk_ms "$OPSD/wrk_reads.txt" 50) ms, p99 $(wrk_ms "$OPSD/wrk_reads.txt" 99) ms; non-2xx: $non2xx; socket errors: $sockerr" \
        "0 errors" "$([ -n "$rate" ] && [ "$non2xx" = 0 ] && [ "$sockerr" = 0 ] && echo yes || echo "**no**")"

    # 2a. Writers on SQLite, the same instance.
    load_note "ops writers sqlite"
    log "ops: $OPS_WRITERS writers, ${OPS_SECONDS} s, SQLite, one instance"
    line=$("$SBENCH" ops-writers "$A" "$OPS_WRITERS" "$OPS_SECONDS" "$OPS_PW" "$OPSD/acks_sqlite.tsv" 2> "$OPSD/writers_sqlite.err" | grep '^RESULT' || true)
    echo "$line" >&2; head -c 3000 "$OPSD/writers_sqlite.err" >&2
    ops_writers_row "writes: $OPS_WRITERS writers, ${OPS_SECONDS} s, SQLite" "POST /account/name (one UPDATE each), each writer signed in on its own account, one instance, store file" "$line"
    ops_stop "$pid"

    # 3. Failed-sign-in storm: CLIENTS clients posting wrong passwords, a quiet prober reading the
    # indicator page sequentially; the prober's p99 alone and during the storm. With --trust-proxy
    # and an X-Forwarded-For address of its own per request (and an address without an account),
    # no request is turned away by the per-address or per-account limits: each one runs Argon2.
    ops_storm() { # LABEL SERVE-FLAGS… -> quiet and storm probes, the storm's answers
        local label=$1; shift
        ops_serve "$OPS_PORT_A" "$OPSD/serve_storm_$label.log" --db "$OPSD/ops.db" "$@"; local spid=$OPS_LAST_PID
        curl -s -o /dev/null "http://$A$OPS_PAGE"
        load_note "ops storm ($label)"
        log "ops: quiet prober, ${OPS_STORM_SECONDS} s"
        local quiet during storm
        quiet=$("$SBENCH" ops-probe "$A" "$OPS_PAGE" "$OPS_STORM_SECONDS" 2> "$OPSD/probe_quiet_$label.err" | grep '^RESULT' || true)
        echo "$quiet" >&2
        log "ops: storm of $OPS_STORM_CLIENTS clients ($label) with the prober, ${OPS_STORM_SECONDS} s"
        "$SBENCH" ops-storm "$A" "$OPS_STORM_CLIENTS" "$((OPS_STORM_SECONDS + 2))" > "$OPSD/storm_$label.txt" 2> "$OPSD/storm_$label.err" &
        local stpid=$!
        sleep 1
        during=$("$SBENCH" ops-probe "$A" "$OPS_PAGE" "$OPS_STORM_SECONDS" 2> "$OPSD/probe_storm_$label.err" | grep '^RESULT' || true)
        wait "$stpid" || true
        storm=$(grep '^RESULT' "$OPSD/storm_$label.txt" || true)
        echo "$during" >&2; echo "storm: $storm" >&2; head -c 3000 "$OPSD/storm_$label.err" >&2
        ops_stop "$spid"
        local q99 d99 ratio codes n s422 s429 s5 met
        q99=$(echo "$quiet" | field p99_ms); d99=$(echo "$during" | field p99_ms)
        ratio=$(awk -v a="$d99" -v b="$q99" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }')
        codes=$(echo "$storm" | field codes); n=$(echo "$storm" | field requests)
        s422=$(code_count "$codes" 422); s429=$(code_count "$codes" 429); s5=$(echo "$storm" | field status_5xx)
        met=$(awk -v r="$ratio" 'BEGIN { print (r != "?" && r <= 3) ? "yes" : "**no**" }')
        [ "$s5" = 0 ] || met="**no** (5xx)"
        ops_record "sign-in storm, $OPS_STORM_CLIENTS clients, ${OPS_STORM_SECONDS} s ($label)" \
            "prober: 1 client, sequential GET $OPS_PAGE; storm: POST /login, wrong password, an address without an account per request$( [ "$label" = proxied ] && echo ", its own X-Forwarded-For per request, serve --trust-proxy" || echo ", all from 127.0.0.1 (no --trust-proxy)")" \
            "prober p99 $q99 ms quiet → $d99 ms during the storm (${ratio}×; p50 $(echo "$quiet" | field p50_ms) → $(echo "$during" | field p50_ms) ms, $(echo "$quiet" | field requests) and $(echo "$during" | field requests) requests, prober errors $(echo "$quiet" | field errors)+$(echo "$during" | field errors)); storm: $n sign-ins ($(echo "$storm" | field rate)/s), 422 (failed, Argon2 ran): $s422 ($(awk -v a="$s422" -v n="$n" 'BEGIN { printf "%.1f", n ? 100 * a / n : 0 }') %), 429 (limited): $s429 ($(awk -v a="$s429" -v n="$n" 'BEGIN { printf "%.1f", n ? 100 * a / n : 0 }') %), other: $(other_codes "$codes" "422|429"), transport errors: $(echo "$storm" | field errors); storm p50 $(echo "$storm" | field p50_ms) ms, p99 $(echo "$storm" | field p99_ms) ms" \
            "p99 during ≤ 3× quiet" "$met"
    }
    ops_storm proxied --trust-proxy
    # The same storm as one address sends it: the per-address limit (10 failures a minute) answers.
    ops_storm direct

    # 4. kill -9 under write load (SQLite store file): no acknowledged write may be lost.
    ops_serve "$OPS_PORT_A" "$OPSD/serve_kill.log" --db "$OPSD/kill.db"; pid=$OPS_LAST_PID
    load_note "ops kill"
    log "ops: $OPS_WRITERS writers, kill -9 of the server after ${OPS_KILL_AFTER} s"
    "$SBENCH" ops-writers "$A" "$OPS_WRITERS" "$((OPS_KILL_AFTER + 5))" "$OPS_PW" "$OPSD/acks_kill.tsv" > "$OPSD/writers_kill.txt" 2> "$OPSD/writers_kill.err" &
    wpid=$!
    sleep "$OPS_KILL_AFTER"
    kill -9 "$pid"; wait "$pid" 2>/dev/null || true
    echo "killed $pid (kill -9) at $(date -u +%H:%M:%S)" >&2
    wait "$wpid" || true
    line=$(grep '^RESULT' "$OPSD/writers_kill.txt" || true); echo "$line" >&2
    "$BIN" user list --db "$OPSD/kill.db" > "$OPSD/kill_users.txt"
    check=$("$SBENCH" ops-check "$OPSD/acks_kill.tsv" "$OPSD/kill_users.txt" 2> "$OPSD/kill_check.err" | grep '^RESULT' || true)
    echo "$check" >&2; cat "$OPSD/kill_check.err" >&2
    lost=$(echo "$check" | field lost)
    ops_record "kill -9 under write load" "$OPS_WRITERS writers as above on a SQLite store file; \`kill -9\` of the instance ${OPS_KILL_AFTER} s after start (sign-ins included); then \`sozialatlas user list\`: each writer's stored k against its last acknowledged k" \
        "acknowledged writes: $(echo "$check" | field acknowledged); writers checked: $(echo "$check" | field checked) of $(echo "$check" | field writers); lost: ${lost:-?}; stored beyond the last acknowledgement (in flight at the kill): $(echo "$check" | field stored_beyond_last_ack); answers before the kill: $(echo "$line" | field codes), 5xx: $(echo "$line" | field status_5xx); transport errors (after the kill): $(echo "$line" | field errors)" \
        "0 acknowledged writes lost" "$([ "$lost" = 0 ] && [ "$(echo "$line" | field status_5xx)" = 0 ] && echo yes || echo "**no**")"

    # 2b. Writers on PostgreSQL: two instances on one database, each writer alternating between them.
    start_postgres
    psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c 'CREATE DATABASE ops'
    PGURL="postgres://postgres@127.0.0.1:$PG_PORT/ops"
    log "ops: the Flensburg example atlas into PostgreSQL ($PGURL), $OPS_WRITERS writer accounts"
    "$BIN" build "$ROOT/examples/flensburg" --db "$PGURL" > "$OPSD/build_pg.log"
    add_writers "$PGURL"
    ops_serve "$OPS_PORT_A" "$OPSD/serve_pg_a.log" --db "$PGURL"; pida=$OPS_LAST_PID
    ops_serve "$OPS_PORT_B" "$OPSD/serve_pg_b.log" --db "$PGURL"; pidb=$OPS_LAST_PID
    load_note "ops writers postgres"
    log "ops: $OPS_WRITERS writers, ${OPS_SECONDS} s, PostgreSQL, two instances"
    line=$("$SBENCH" ops-writers "$A,$B" "$OPS_WRITERS" "$OPS_SECONDS" "$OPS_PW" "$OPSD/acks_pg.tsv" 2> "$OPSD/writers_pg.err" | grep '^RESULT' || true)
    echo "$line" >&2; head -c 3000 "$OPSD/writers_pg.err" >&2
    ops_writers_row "writes: $OPS_WRITERS writers, ${OPS_SECONDS} s, PostgreSQL, 2 instances" "as above; two \`sozialatlas serve\` on one PostgreSQL database, each writer signs in on one and alternates its writes between both (PostgreSQL $(psql -X -At -h 127.0.0.1 -p "$PG_PORT" -U postgres -d ops -c 'SHOW server_version' 2>/dev/null || true), bench settings: fsync off, synchronous_commit off)" "$line"
    ops_stop "$pida"; ops_stop "$pidb"
fi

# ---------------------------------------------------------------- scale (issue 19)
# check and build on seeded grids of 1,000 to 50,000 cells (200,000 without --quick), counts
# raised to 3; then with small counts (heavy suppression) on smaller grids. Only when named.
if [[ ",$ONLY," == *",scale,"* ]]; then
    if [ "$QUICK" = 1 ]; then SCALE_SIZES="1000 10000"; SMALL_SIZES="100 400"; else SCALE_SIZES="1000 10000 50000 200000"; SMALL_SIZES="100 400 1000 4000"; fi
    load_note "scale"
    "$HERE/scale.sh" --bin "$BIN" --sizes "$SCALE_SIZES" --steps check,build,typology,moran
    "$HERE/scale.sh" --bin "$BIN" --sizes "$SMALL_SIZES" --small-counts
fi

# ---------------------------------------------------------------- report
{
    echo
    echo "## Results ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1))"
    echo
    echo "Command: \`bench/run.sh$([ "$QUICK" = 1 ] && echo " --quick")$([ -n "$ONLY" ] && echo " --only $ONLY") --runs $RUNS --competitor-runs $CRUNS$([ -n "$REV" ] && echo " --rev $REV")\` (medians; ratio = competitor's time / Sozialatlas's time, or Sozialatlas's throughput / nginx's)"
    echo
    if [ -s "$RESULTS" ]; then "$PY" "$HERE/py/tools.py" table "$RESULTS"; echo; fi
    for f in "$OUT/scale/scale-raised.md" "$OUT/scale/scale-small.md"; do
        if [[ ",$ONLY," == *",scale,"* ]] && [ -s "$f" ]; then cat "$f"; echo; fi
    done
    if [ -s "$OPS_TSV" ]; then
        echo "Operations (issue 16), sozialatlas: $BIN"
        echo
        echo "| figure | setting | measured | requirement | met |"
        echo "|---|---|---|---|---|"
        awk -F'\t' '{ printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5 }' "$OPS_TSV"
        echo
    fi
    echo "Load before each workload:"
    echo
    sed 's/^/    /' "$LOAD"
} | tee "$OUT/report.md"
}
main "$@"
