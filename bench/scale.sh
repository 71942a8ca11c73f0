#!/usr/bin/env bash
# The scale workload (issue 19): `sozialatlas check`, `build` and the analyses (`analyse typology`,
# `analyse moran`, on the cells) on seeded square grids of growing size, wall time and peak memory
# of each, and the growth exponent between sizes. See bench/README.md.
#
#   bench/scale.sh --bin PATH [--sizes "1000 10000 50000"] [--small-counts] [--files K]
#                  [--timeout SECONDS] [--steps check,build,typology,moran] [--seed N] [--label TEXT]
#
# typology and moran read (and store their run in) the store the build step wrote: list build
# before them.
# The atlas folders are written by bench/py/grid_atlas.py (standard-library Python) into
# bench/out/scale/ and kept for the next run with the same size and options.
set -euo pipefail
main() {

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT="$HERE/out/scale"
BIN=""
SIZES="1000 10000 50000"
SMALL=0
FILES=1
TIMEOUT=600
STEPS="check,build"
SEED=42
LABEL=""
while [ $# -gt 0 ]; do
    case "$1" in
        --bin) BIN="$2"; shift ;;
        --sizes) SIZES="$2"; shift ;;
        --small-counts) SMALL=1 ;;
        --files) FILES="$2"; shift ;;
        --timeout) TIMEOUT="$2"; shift ;;
        --steps) STEPS="$2"; shift ;;
        --seed) SEED="$2"; shift ;;
        --label) LABEL="$2"; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[ -x "$BIN" ] || { echo "--bin PATH: a sozialatlas binary is needed" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing (Debian package: time)" >&2; exit 1; }
mkdir -p "$OUT"
counts=$([ "$SMALL" = 1 ] && echo small || echo raised)
TSV="$OUT/scale-$counts.tsv"; : > "$TSV"

measure() { # NAME COMMAND… -> "seconds rss_mb status" (status ok, exit N or timeout)
    local name=$1; shift
    local tf="$OUT/$name.time" status=ok rc=0
    timeout --signal=KILL "$TIMEOUT" /usr/bin/time -v -o "$tf" "$@" > "$OUT/$name.log" 2>&1 || rc=$?
    if [ "$rc" = 137 ]; then status="timeout"; elif [ "$rc" != 0 ]; then status="exit $rc"; fi
    if [ "$status" = timeout ] || [ ! -s "$tf" ]; then
        echo "$TIMEOUT - $status"
        return
    fi
    local wall rss
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tf" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }')
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tf" | awk '{ printf "%.0f", $1 / 1024 }')
    echo "$wall $rss $status"
}

for n in $SIZES; do
    dir="$OUT/grid-$n-$counts-f$FILES-s$SEED"
    if [ ! -f "$dir/atlas.toml" ]; then
        rm -rf "$dir.part"
        python3 "$HERE/py/grid_atlas.py" "$dir.part" "$n" --seed "$SEED" --files "$FILES" \
            $([ "$SMALL" = 1 ] && echo --small-counts) >&2
        mv "$dir.part" "$dir"
    fi
    echo "$n cells ($counts counts, $FILES data file(s)): $(uptime)" >&2
    for step in ${STEPS//,/ }; do
        case "$step" in
            check) cmd=("$BIN" check "$dir") ;;
            build) rm -f "$dir.db" "$dir.db-wal" "$dir.db-shm"; cmd=("$BIN" build "$dir" --db "$dir.db") ;;
            typology) cmd=("$BIN" analyse typology --db "$dir.db" --level zelle --k 5 \
                --indicators arbeitslosenanteil,sgb2_quote,anteil_u18,anteil_65plus,altenquotient,migrationshintergrund) ;;
            moran) cmd=("$BIN" analyse moran --db "$dir.db" --level zelle --indicator sgb2_quote) ;;
            *) echo "unknown step $step" >&2; exit 2 ;;
        esac
        read -r secs rss status < <(measure "$step-$n-$counts" "${cmd[@]}")
        echo "  $step: $secs s, $rss MB, $status" >&2
        printf '%s\t%s\t%s\t%s\t%s\n' "$step" "$n" "$secs" "$rss" "$status" >> "$TSV"
    done
    rm -f "$dir.db" "$dir.db-wal" "$dir.db-shm"
done

# The table: per step, time and peak memory at each size, and the log-log slope of the time
# between neighbouring sizes (1 = linear, 2 = quadratic; a timeout gives a lower bound).
{
    echo
    echo "Scale workload ($counts counts, $FILES data file(s), seed $SEED$([ -n "$LABEL" ] && echo ", $LABEL"); $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores): \`$BIN\`"
    echo
    printf '| step |'; for n in $SIZES; do printf ' %s cells |' "$(printf "%'d" "$n")"; done; echo ' growth exponent (time) |'
    printf '|---|'; for _ in $SIZES; do printf -- '---|'; done; echo '---|'
    for step in ${STEPS//,/ }; do
        awk -F'\t' -v step="$step" -v timeout="$TIMEOUT" '
            $1 == step {
                k++; n[k] = $2; t[k] = $3; r[k] = $4; s[k] = $5
            }
            END {
                printf "| %s |", step
                for (i = 1; i <= k; i++) {
                    if (s[i] == "ok") printf " %s s, %s MB |", t[i], r[i]
                    else if (s[i] == "timeout") printf " > %s s (killed) |", timeout
                    else printf " %s |", s[i]
                }
                sep = " "
                for (i = 2; i <= k; i++) {
                    if (s[i-1] != "ok" || t[i-1] <= 0) continue
                    e = log(t[i] / t[i-1]) / log(n[i] / n[i-1])
                    printf "%s%s→%s: %s%.2f", sep, n[i-1], n[i], (s[i] == "ok" ? "" : "≥ "), e
                    sep = "; "
                }
                print " |"
            }' "$TSV"
    done
    echo
    echo "Load: $(uptime)"
} | tee "$OUT/scale-$counts.md"
}
main "$@"
