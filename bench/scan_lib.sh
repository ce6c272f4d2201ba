# shellcheck shell=bash
# (shellcheck -x -P SCRIPTDIR bench/scan-* follows the sourced files.)
# Shared parts of the scan benchmarks (bench/scan-connect, bench/scan-syn,
# bench/scan-udp), sourced by them after `set -uo pipefail`:
#
#   . "$repo/bench/scan_lib.sh"
#   scan_bench_init NAME "$@"     # [PORTSCOPE_BINARY [ROUNDS]], BENCH_SCAN_*
#   scan_bench_setup LABEL TOOL... # skip checks, namespaces, target
#   scan_bench_timed NAME CMD...  # CMD in the scanner namespace; ELAPSED
#   scan_bench_open_nmap GNMAP OUT / scan_bench_open_portscope JSONL OUT
#   scan_bench_compare NAME WANT GOT [STATE]   # "nmap 30/30 [exact]"
#   scan_bench_wrong WANT GOT     # how many ports differ
#   scan_bench_median VALUE...    # the median
#
# scan_bench_init sets SB_NAME, SB_BIN, SB_ROUNDS, SB_OPEN, SB_DROP (port
# counts: BENCH_SCAN_OPEN, BENCH_SCAN_DROPPED, defaults 30 and 300) and
# SB_TARGET (bench-scan-target). scan_bench_setup sources the network test
# harness (tests/net/harness.sh; its NET_* variables and net_* functions,
# cleanup on every exit), skips (exit 0, "LABEL: skipped, WHY") without
# root, ip, nft, `portscope scan` or one of the TOOLs, then makes the two
# namespaces, the listeners on SB_OPEN random ports and the drops of SB_DROP
# others, and writes the truth: $NET_TMP/open.want and
# $NET_TMP/filtered.want (one port a line, sorted as comm(1) wants them).
# Exit status of the benchmarks: 0 done (goal met or not), 2 bad usage,
# 3 something cannot run.

# scan_bench_init NAME [PORTSCOPE_BINARY [ROUNDS]]: arguments and defaults.
scan_bench_init() {
    SB_NAME=$1
    local repo
    repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    SB_BIN=${2:-$repo/build/portscope}
    SB_ROUNDS=${3:-${BENCH_SCAN_ROUNDS:-1}}
    SB_OPEN=${BENCH_SCAN_OPEN:-30}
    SB_DROP=${BENCH_SCAN_DROPPED:-300}
    SB_HARNESS=$repo/tests/net/harness.sh
    local v
    for v in "$SB_ROUNDS" "$SB_OPEN" "$SB_DROP"; do
        [[ $v =~ ^[0-9]+$ ]] || scan_bench_usage "ROUNDS and the port counts must be numbers"
    done
    [ "$SB_ROUNDS" -ge 1 ] || scan_bench_usage "ROUNDS must be at least 1"
    [ -x "$SB_BIN" ] || scan_bench_usage "no portscope binary at $SB_BIN (build first, or pass its path)"
    SB_BIN=$(cd "$(dirname "$SB_BIN")" && pwd)/$(basename "$SB_BIN")
    SB_TARGET=$(dirname "$SB_BIN")/bench/bench-scan-target
    [ -x "$SB_TARGET" ] || SB_TARGET=$(dirname "$SB_BIN")/tests/ps-scan-target
    [ -x "$SB_TARGET" ] || scan_bench_usage "no bench-scan-target in $(dirname "$SB_BIN")/bench (make builds it)"
}

# scan_bench_usage WHY: exit 2.
scan_bench_usage() {
    echo "bench/$SB_NAME: $1" >&2
    exit 2
}

# scan_bench_fail WHY: exit 3 (something cannot run).
scan_bench_fail() {
    echo "bench/$SB_NAME: $1" >&2
    exit 3
}

# scan_bench_setup LABEL TOOL...: see the top of this file.
scan_bench_setup() {
    local label=$1 tool
    shift
    NET_SKIP_LABEL=$label
    NET_PREFIX=portscope-bench
    PS_SCAN_TARGET=$SB_TARGET
    PORTSCOPE=$SB_BIN
    # shellcheck source=../tests/net/harness.sh
    . "$SB_HARNESS"
    net_require_root
    "$SB_BIN" scan --help >/dev/null 2>&1 ||
        net__skip "\`portscope scan\` is not available ($SB_BIN scan --help fails)"
    for tool in "$@"; do
        command -v "$tool" >/dev/null || net__skip "needs $tool"
    done
    net_setup >/dev/null
    export PORTSCOPE_CACHE_DIR=$NET_TMP/cache XDG_CACHE_HOME=$NET_TMP/cache
    unset PORTSCOPE_REGISTRY

    local open drop
    open=$(net_random_ports "$SB_OPEN")
    drop=$(net_random_ports "$SB_DROP" "$open")
    # shellcheck disable=SC2086
    net_listen $open
    # shellcheck disable=SC2086
    net_drop $drop
    tr ' ' '\n' <<<"$open" | grep . | sort >"$NET_TMP/open.want"
    tr ' ' '\n' <<<"$drop" | grep . | sort >"$NET_TMP/filtered.want"
    echo "$label: target $NET_TGT4 in $NET_NS_TGT, seed $NET_SEED"
}

# scan_bench_timed NAME CMD...: runs CMD in the scanner namespace, its
# output in $NET_TMP/NAME.out and .err; sets ELAPSED (seconds, 3 decimals).
# Exits 3 when CMD fails.
scan_bench_timed() {
    local name=$1 t0 rc
    shift
    t0=$EPOCHREALTIME
    ip netns exec "$NET_NS_SCAN" "$@" >"$NET_TMP/$name.out" 2>"$NET_TMP/$name.err"
    rc=$?
    # shellcheck disable=SC2034  # for the caller
    ELAPSED=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
    if [ "$rc" -ne 0 ]; then
        echo "bench/$SB_NAME: $name exited $rc:" >&2
        tr '\r' '\n' <"$NET_TMP/$name.err" | grep . | head -n 5 >&2
        exit 3
    fi
}

# scan_bench_open_nmap GNMAP OUT [STATE]: the ports nmap's grepable output
# calls STATE (default open), one a line, in OUT.
scan_bench_open_nmap() {
    grep -o "[0-9]*/${3:-open}/tcp" "$1" | cut -d/ -f1 | sort -u >"$2"
}

# scan_bench_open_portscope JSONL OUT [STATE]: the same from portscope -oJ.
scan_bench_open_portscope() {
    grep '"type": *"port"' "$1" | grep "\"state\": *\"${3:-open}\"" |
        grep -o '"port": *[0-9]*' | grep -o '[0-9]*$' | sort -u >"$2"
}

# scan_bench_compare NAME WANT GOT [STATE]: "NAME F/N" (F of the N ports in
# WANT are in GOT), then the ports missed and those GOT has wrongly ("not
# STATE", default open), at most 10 of each, or [exact]. WANT and GOT
# sorted as comm wants.
scan_bench_compare() {
    local miss extra
    miss=$(comm -23 "$2" "$3" | scan_bench__list)
    extra=$(comm -13 "$2" "$3" | scan_bench__list)
    printf '%s %d/%d' "$1" "$(comm -12 "$2" "$3" | wc -l)" "$(wc -l <"$2")"
    [ -n "$miss" ] && printf ' (missed: %s)' "$miss"
    [ -n "$extra" ] && printf ' (not %s: %s)' "${4:-open}" "$extra"
    [ -z "$miss$extra" ] && printf ' [exact]'
    return 0
}

# scan_bench__list: the ports on stdin in order, at most 10 named.
scan_bench__list() {
    sort -n | awk 'NR <= 10 { s = s (NR > 1 ? " " : "") $1 }
        END { if (NR > 10) s = s " ... (" NR " in all)"; printf "%s", s }'
}

# scan_bench_wrong WANT GOT: how many ports differ (missed plus wrongly found).
scan_bench_wrong() {
    comm -3 "$1" "$2" | wc -l
}

# scan_bench_median VALUE...: the median of the numbers.
scan_bench_median() {
    printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
        END { printf "%.3f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
