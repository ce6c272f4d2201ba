#!/usr/bin/env bash
# `portscope scan` (connect scan) against a target the harness builds, with
# exact results. Each run draws its own ports: 30 open (listeners), 300
# dropped (filtered, no response) and 4 rejected with ICMP
# admin-prohibited (filtered too); every other port is closed. Checks:
#   - full -p- scans over IPv4 and IPv6 (-oJ): every port reported once,
#     with the right state and reason, and the summary object;
#   - -oX valid against nmap.dtd, -oG, -oN and stdout list the open ports;
#     -oA writes its four files;
#   - --shard 1/3, 2/3, 3/3 with one --seed cover -p 1-5000 exactly once;
#   - -iL with --exclude / --excludefile, --exclude-ports;
#   - SIGINT and SIGTERM stop a slow scan with status 130 and well-formed
#     files, the JSON ending in a summary with "interrupted": true;
#   - bad port specs, targets and shards exit 2 naming the bad part, with
#     not one packet sent.
# Needs root, ip, nft and `portscope scan`; skips cleanly without them.
# NET_SEED=N repeats a run's choice of ports (net_setup prints it).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../cli/lib.sh"
. "$HERE/harness.sh"
: "${PS_SCAN_TARGET:?PS_SCAN_TARGET must name the ps-scan-target helper}"

net_require_root
"$PORTSCOPE" scan --help >/dev/null 2>&1 ||
    net__skip "\`portscope scan\` is not available yet ($PORTSCOPE scan --help fails)"
DTD=/usr/share/nmap/nmap.dtd
HAVE_XMLLINT=0
if command -v xmllint >/dev/null && [ -r "$DTD" ]; then
    HAVE_XMLLINT=1
else
    echo "note: no xmllint or $DTD: the XML checks are skipped"
fi
net_setup

# --- the target -----------------------------------------------------------
# Some of each kind fall in 1..5000, the range of the shard checks.
OPEN=$(net_random_ports_in 1 5000 6)
DROP=$(net_random_ports_in 1 5000 30 "$OPEN")
ADMIN=$(net_random_ports_in 1 5000 2 "$OPEN $DROP")
OPEN="$OPEN $(net_random_ports 24 "$OPEN $DROP $ADMIN")"
DROP="$DROP $(net_random_ports 270 "$OPEN $DROP $ADMIN")"
ADMIN="$ADMIN $(net_random_ports 2 "$OPEN $DROP $ADMIN")"
# shellcheck disable=SC2086
net_listen $OPEN
# shellcheck disable=SC2086
net_drop $DROP
# shellcheck disable=SC2086
net_reject_admin $ADMIN
N_OPEN=$(wc -w <<<"$OPEN")
N_FILT=$(wc -w <<<"$DROP $ADMIN")
echo "target: $N_OPEN open, $(wc -w <<<"$DROP") dropped, $(wc -w <<<"$ADMIN") admin-prohibited"
echo "open ports: $OPEN"
echo "admin-prohibited ports: $ADMIN"

# ports_sorted WORDS: one port a line, sorted numerically.
ports_sorted() {
    tr ' ' '\n' <<<"$1" | grep . | sort -n
}
ports_sorted "$OPEN" >"$T/open.want"

# --- running scans --------------------------------------------------------
# scan NAME ARGS...: `portscope scan ARGS` in the scanner namespace; stdout,
# stderr, status in $T/out, $T/err, RC; prints how long it took.
scan() {
    local name=$1 t0 t1
    shift
    LAST="(scanner netns) portscope scan $*"
    t0=$EPOCHREALTIME
    net_scan "$@" >"$T/out" 2>"$T/err"
    RC=$?
    t1=$EPOCHREALTIME
    awk -v n="$name" -v a="$t0" -v b="$t1" -v rc="$RC" \
        'BEGIN { printf "time %s: %.2f s (exit %d)\n", n, b - a, rc }'
}

# expect_states LO HI: "PORT STATE" for LO..HI as the target is built.
expect_states() {
    awk -v lo="$1" -v hi="$2" -v open="$OPEN" -v filt="$DROP $ADMIN" 'BEGIN {
        n = split(open, o, " "); for (i = 1; i <= n; i++) st[o[i]] = "open"
        n = split(filt, f, " "); for (i = 1; i <= n; i++) st[f[i]] = "filtered"
        for (p = lo; p <= hi; p++) print p, (p in st ? st[p] : "closed") }'
}

# diff_head GOT WANT: the first differences, on one line.
diff_head() {
    diff "$1" "$2" | grep '^[<>]' | head -n 12 | tr '\n' ' '
}

# check_json NAME FILE IP LO HI: FILE is the JSON Lines of a finished scan
# of IP, ports LO..HI: one "port" object per port with the right state and
# reason, then one "summary" object that adds up.
check_json() {
    local name=$1 file=$2 ip=$3 lo=$4 hi=$5 n
    n=$((hi - lo + 1))
    LAST="$LAST [$file]"
    if [ ! -s "$file" ]; then
        fail "${name}_json_file" "no output in $file"
        return
    fi
    if ! "$PS_JSON_CHECK" --require type <"$file" >/dev/null 2>"$T/json.err"; then
        fail "${name}_json_lines" "$(head -c 300 "$T/json.err")"
        return
    fi
    pass
    "$PS_JSON_CHECK" --print type --print ip --print port --print proto --print state \
        --print reason --print service --print rtt_ms <"$file" >"$T/$name.tsv"
    awk -F'\t' '$1 == "port"' "$T/$name.tsv" >"$T/$name.ports"
    expect_eq "${name}_port_count" "$(wc -l <"$T/$name.ports")" "$n"
    expect_eq "${name}_no_port_twice" "$(cut -f3 "$T/$name.ports" | sort | uniq -d | head -n 5 | tr '\n' ' ')" ""
    expect_eq "${name}_ip" "$(awk -F'\t' -v ip="$ip" '$2 != ip { print $2 }' "$T/$name.ports" | sort -u | head -n 3 | tr '\n' ' ')" ""
    expect_eq "${name}_proto" "$(awk -F'\t' '$4 != "tcp" { print $4 }' "$T/$name.ports" | sort -u | head -n 3 | tr '\n' ' ')" ""
    expect_eq "${name}_keys" "$(awk -F'\t' '$7 == "(missing)" || $8 == "(missing)" { print $3 }' "$T/$name.ports" | head -n 3 | tr '\n' ' ')" ""
    # The states, port by port.
    awk -F'\t' '{ print $3, $5 }' "$T/$name.ports" | sort -n -k1,1 >"$T/$name.got"
    expect_states "$lo" "$hi" >"$T/$name.want"
    if cmp -s "$T/$name.got" "$T/$name.want"; then
        pass
    else
        fail "${name}_states" "(< got, > expected): $(diff_head "$T/$name.got" "$T/$name.want")"
    fi
    # The reasons: open syn-ack, closed conn-refused, dropped no-response.
    local bad
    bad=$(awk -F'\t' -v drop=" $DROP " '
        ($5 == "open" && $6 != "syn-ack") || ($5 == "closed" && $6 != "conn-refused") ||
        ($5 == "filtered" && index(drop, " " $3 " ") && $6 != "no-response") {
            print $3 "/" $5 "/" $6 }' "$T/$name.ports" | head -n 5 | tr '\n' ' ')
    expect_eq "${name}_reasons" "$bad" ""
    # The summary: once, last, and adding up.
    expect_eq "${name}_one_summary" "$(awk -F'\t' '$1 != "port"' "$T/$name.tsv" | cut -f1 | tr '\n' ' ')" "summary "
    local open closed filt
    open=$(awk -F'\t' '$5 == "open"' "$T/$name.ports" | wc -l)
    closed=$(awk -F'\t' '$5 == "closed"' "$T/$name.ports" | wc -l)
    filt=$(awk -F'\t' '$5 == "filtered"' "$T/$name.ports" | wc -l)
    tail -n 1 "$file" | "$PS_JSON_CHECK" --print type --print hosts_total --print hosts_up \
        --print open --print closed --print filtered --print interrupted \
        --print probes_sent --print elapsed_s >"$T/$name.summary" 2>&1
    local s_type s_tot s_up s_open s_closed s_filt s_int s_probes s_el
    IFS=$'\t' read -r s_type s_tot s_up s_open s_closed s_filt s_int s_probes s_el <"$T/$name.summary"
    expect_eq "${name}_summary" "$s_type $s_tot $s_up $s_open $s_closed $s_filt $s_int" \
        "summary 1 1 $open $closed $filt false"
    if [[ $s_probes =~ ^[0-9]+$ ]] && [ "$s_probes" -ge "$n" ]; then
        pass
    else
        fail "${name}_summary_probes" "probes_sent '$s_probes', expected at least $n"
    fi
    if [[ $s_el =~ ^[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$ ]]; then
        pass
    else
        fail "${name}_summary_elapsed" "elapsed_s '$s_el'"
    fi
}

# check_xml NAME FILE: valid against nmap.dtd.
check_xml() {
    [ "$HAVE_XMLLINT" = 1 ] || return 0
    LAST="xmllint --noout --dtdvalid $DTD $2"
    if [ ! -s "$2" ]; then
        fail "$1" "no XML in $2"
    elif xmllint --noout --dtdvalid "$DTD" "$2" >"$T/xml.err" 2>&1; then
        pass
    else
        fail "$1" "not valid: $(head -c 400 "$T/xml.err")"
    fi
}

# check_xml_open NAME FILE: the open ports in the XML are the target's.
check_xml_open() {
    [ "$HAVE_XMLLINT" = 1 ] || return 0
    xmllint --xpath "//port[state/@state='open']/@portid" "$2" 2>/dev/null |
        grep -o '[0-9]\+' | sort -n >"$T/xml.open"
    if cmp -s "$T/xml.open" "$T/open.want"; then
        pass
    else
        fail "$1" "open ports in $2 (< got, > expected): $(diff_head "$T/xml.open" "$T/open.want")"
    fi
}

# check_open_list NAME FILE REGEX: the ports that match the sed REGEX (its
# \1 the port) in FILE are exactly the open ones.
check_open_list() {
    local name=$1 file=$2 re=$3
    if [ ! -s "$file" ]; then
        fail "$name" "no output in $file"
        return
    fi
    sed -n "s/$re/\\1/p" "$file" | sort -n >"$T/list.open"
    if cmp -s "$T/list.open" "$T/open.want"; then
        pass
    else
        fail "$name" "open ports in $file (< got, > expected): $(diff_head "$T/list.open" "$T/open.want")"
    fi
}

# check_gnmap_open NAME FILE: the open ports in grepable output
# ("Ports: 22/open/tcp//ssh///, ...") are the target's.
check_gnmap_open() {
    [ -s "$2" ] || { fail "$1" "no output in $2"; return; }
    grep -o '[0-9]\+/open/tcp' "$2" | cut -d/ -f1 | sort -n >"$T/list.open"
    if cmp -s "$T/list.open" "$T/open.want"; then
        pass
    else
        fail "$1" "open ports in $2 (< got, > expected): $(diff_head "$T/list.open" "$T/open.want")"
    fi
}
# Normal output: "22/tcp  open  ssh".
NORMAL_OPEN_RE='^\([0-9][0-9]*\)\/tcp  *open\( .*\)\{0,1\}$'

# --- full scans -----------------------------------------------------------
scan full4 -sT -p- -n -Pn "$NET_TGT4" -oJ "$T/full4.jsonl" -oX "$T/full4.xml" \
    -oG "$T/full4.gnmap" -oN "$T/full4.nmap"
expect_rc full4_rc 0
check_open_list full4_stdout_open "$T/out" "$NORMAL_OPEN_RE"
check_json full4 "$T/full4.jsonl" "$NET_TGT4" 1 65535
check_xml full4_xml_valid "$T/full4.xml"
check_xml_open full4_xml_open "$T/full4.xml"
check_gnmap_open full4_gnmap_open "$T/full4.gnmap"
check_open_list full4_normal_open "$T/full4.nmap" "$NORMAL_OPEN_RE"
ADMIN_REASON=$(awk -F'\t' -v a=" $ADMIN " 'index(a, " " $3 " ") { print $6 }' "$T/full4.ports" 2>/dev/null | sort -u | tr '\n' ' ')
echo "reason given for the admin-prohibited ports (IPv4): $ADMIN_REASON"

# IPv6: a literal needs no -6.
scan full6 -p- -n -Pn "$NET_TGT6" -oJ "$T/full6.jsonl" -oX "$T/full6.xml"
expect_rc full6_rc 0
check_open_list full6_stdout_open "$T/out" "$NORMAL_OPEN_RE"
check_json full6 "$T/full6.jsonl" "$NET_TGT6" 1 65535
check_xml full6_xml_valid "$T/full6.xml"
check_xml_open full6_xml_open "$T/full6.xml"
ADMIN_REASON=$(awk -F'\t' -v a=" $ADMIN " 'index(a, " " $3 " ") { print $6 }' "$T/full6.ports" 2>/dev/null | sort -u | tr '\n' ' ')
echo "reason given for the admin-prohibited ports (IPv6): $ADMIN_REASON"

# -oA BASE, with -6, over the first 5000 ports.
scan all6 -6 -sT -p 1-5000 -n -Pn "$NET_TGT6" -oA "$T/base"
expect_rc all6_rc 0
for ext in nmap xml gnmap jsonl; do
    check "all6_file_$ext" test -s "$T/base.$ext"
done
ports_sorted "$(awk '$1 <= 5000' "$T/open.want")" >"$T/open5000.want"
cp "$T/open.want" "$T/open.all"
cp "$T/open5000.want" "$T/open.want"
check_json all6 "$T/base.jsonl" "$NET_TGT6" 1 5000
check_xml all6_xml_valid "$T/base.xml"
check_xml_open all6_xml_open "$T/base.xml"
check_gnmap_open all6_gnmap_open "$T/base.gnmap"
check_open_list all6_normal_open "$T/base.nmap" "$NORMAL_OPEN_RE"

# --- shards ---------------------------------------------------------------
SEED=$((NET_SEED % 100000 + 1))
: >"$T/shards.ports"
for k in 1 2 3; do
    scan "shard$k" -sT -p 1-5000 -n -Pn --seed "$SEED" --shard "$k/3" "$NET_TGT4" -oJ "$T/shard$k.jsonl"
    expect_rc "shard${k}_rc" 0
    "$PS_JSON_CHECK" --print type --print port --print state <"$T/shard$k.jsonl" 2>"$T/json.err" |
        awk -F'\t' '$1 == "port" { print $2, $3 }' >"$T/shard$k.got"
    if [ -s "$T/shard$k.got" ]; then pass; else fail "shard${k}_has_ports" "no port results"; fi
    tail -n 1 "$T/shard$k.jsonl" | "$PS_JSON_CHECK" --print type --print interrupted >"$T/shard$k.summary" 2>&1
    expect_eq "shard${k}_summary" "$(cat "$T/shard$k.summary")" "summary	false"
    cat "$T/shard$k.got" >>"$T/shards.ports"
    echo "shard $k/3: $(wc -l <"$T/shard$k.got") ports"
done
LAST="the three shards of -p 1-5000 together"
expect_eq shards_no_port_twice "$(cut -d' ' -f1 "$T/shards.ports" | sort | uniq -d | head -n 5 | tr '\n' ' ')" ""
sort -n -k1,1 "$T/shards.ports" >"$T/shards.got"
expect_states 1 5000 >"$T/shards.want"
if cmp -s "$T/shards.got" "$T/shards.want"; then
    pass
else
    fail shards_cover_range "(< got, > expected): $(diff_head "$T/shards.got" "$T/shards.want")"
fi
cp "$T/open.all" "$T/open.want"

# --- targets from a file, exclusions -----------------------------------------
# The open ports only (quick: nothing to wait for), both targets from -iL,
# one of them excluded by --exclude or --excludefile, some ports by
# --exclude-ports.
OPEN_LIST=$(tr ' ' ',' <<<"$OPEN")
printf '%s\n' "$NET_TGT4" "$NET_TGT6" >"$T/targets"
echo "$NET_TGT4" >"$T/exclude"
read -r X1 X2 _ <<<"$OPEN"
# scanned_pairs FILE: "IP PORT STATE" of the port results, sorted.
scanned_pairs() {
    "$PS_JSON_CHECK" --print type --print ip --print port --print state <"$1" 2>/dev/null |
        awk -F'\t' '$1 == "port" { print $2, $3, $4 }' | sort
}
# want_pairs IP... : "IP PORT open" for every open port but X1 and X2.
want_pairs() {
    local ip p
    for ip in "$@"; do
        for p in $OPEN; do
            [ "$p" = "$X1" ] || [ "$p" = "$X2" ] || echo "$ip $p open"
        done
    done | sort
}
scan targets_file -p "$OPEN_LIST" --exclude-ports "$X1,$X2" -n -Pn -iL "$T/targets" -oJ "$T/il.jsonl"
expect_rc targets_file_rc 0
expect_eq targets_file_results "$(scanned_pairs "$T/il.jsonl")" "$(want_pairs "$NET_TGT4" "$NET_TGT6")"
scan targets_exclude -p "$OPEN_LIST" --exclude-ports "$X1,$X2" -n -Pn -iL "$T/targets" \
    --exclude "$NET_TGT6" -oJ "$T/ex.jsonl"
expect_rc targets_exclude_rc 0
expect_eq targets_exclude_results "$(scanned_pairs "$T/ex.jsonl")" "$(want_pairs "$NET_TGT4")"
scan targets_excludefile -p "$OPEN_LIST" --exclude-ports "$X1,$X2" -n -Pn -iL "$T/targets" \
    --excludefile "$T/exclude" -oJ "$T/exf.jsonl"
expect_rc targets_excludefile_rc 0
expect_eq targets_excludefile_results "$(scanned_pairs "$T/exf.jsonl")" "$(want_pairs "$NET_TGT6")"

# --- host timeout (regression: the limit was compared across clocks and
# never applied) -------------------------------------------------------------
# A dropped port with -T3 would wait 1 s per try; --host-timeout 200ms must
# end the host within it, its port undecided (absent) and the XML host
# marked timed out.
D1=${DROP%% *}
t0=$EPOCHREALTIME
scan host_timeout -p "$D1" -n -Pn --host-timeout 200ms "$NET_TGT4" \
    -oJ "$T/hto.jsonl" -oX "$T/hto.xml"
t1=$EPOCHREALTIME
expect_rc host_timeout_rc 0
expect_eq host_timeout_fast "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a < 0.9) ? "yes" : "no" }')" yes
expect_eq host_timeout_no_port "$(grep -c '"type":"port"' "$T/hto.jsonl")" 0
check host_timeout_xml_marked grep -q 'timedout="true"' "$T/hto.xml"
check_xml host_timeout_xml_valid "$T/hto.xml"

# --- early retry --------------------------------------------------------------
# With the timeout pinned at 1 s, the silent ports of -p 1-5000 would
# take two timeouts (2 s and more) if each retry waited for its first
# probe's timeout; the early retry races the first probe once the host's
# round-trip time is long past, so the scan ends about one timeout after
# the last first probe (1.6 s leaves room for a loaded machine and ASan).
# States must stay exact.
t0=$EPOCHREALTIME
scan early_retry -p 1-5000 -n -Pn --initial-rtt-timeout 1s \
    --min-rtt-timeout 1s --max-rtt-timeout 1s "$NET_TGT4" -oJ "$T/early.jsonl"
t1=$EPOCHREALTIME
expect_rc early_retry_rc 0
expect_eq early_retry_one_timeout "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a < 1.6) ? "yes" : "no: " b - a " s" }')" yes
"$PS_JSON_CHECK" --print type --print port --print state <"$T/early.jsonl" 2>/dev/null |
    awk -F'\t' '$1 == "port" { print $2, $3 }' | sort -n >"$T/early.got"
expect_states 1 5000 >"$T/early.want"
expect_eq early_retry_states "$(diff_head "$T/early.got" "$T/early.want")" ""

# --- a small open-file limit ----------------------------------------------
# 100 descriptors, and 30 silent ports in 1-5000 that each hold a socket
# for a whole timeout: the engine keeps within the limit (or rides out
# EMFILE) and the results stay exact.
LAST="(scanner netns, ulimit -n 100) portscope scan -p 1-5000 $NET_TGT4"
ip netns exec "$NET_NS_SCAN" bash -c 'ulimit -n 100 && exec "$0" "$@"' \
    "$PORTSCOPE" scan -p 1-5000 -n -Pn "$NET_TGT4" -oJ "$T/fd.jsonl" >"$T/out" 2>"$T/err"
RC=$?
expect_rc small_fd_limit_rc 0
"$PS_JSON_CHECK" --print type --print port --print state <"$T/fd.jsonl" 2>/dev/null |
    awk -F'\t' '$1 == "port" { print $2, $3 }' | sort -n >"$T/fd.got"
expect_eq small_fd_limit_states "$(diff_head "$T/fd.got" "$T/early.want")" ""

# --- interruption ---------------------------------------------------------
# interrupted SIG NAME: a slow full scan, SIG after about a second; exit
# 130, files well-formed, the JSON ends in an interrupted summary.
interrupted() {
    local sig=$1 name=$2 extra=${3:-} pid i
    LAST="(scanner netns) portscope scan --max-rate 200 -p- $NET_TGT4 -oX -oJ -oG, then SIG$sig"
    # Signals at their defaults: a background job of a script would start
    # with SIGINT ignored.
    env --default-signal=INT,TERM ip netns exec "$NET_NS_SCAN" "$PORTSCOPE" scan -sT -p- -n -Pn \
        --max-rate 200 $extra "$NET_TGT4" -oX "$T/$name.xml" -oJ "$T/$name.jsonl" \
        -oG "$T/$name.gnmap" >"$T/out" 2>"$T/err" &
    pid=$!
    net_bg "$pid"
    sleep 1
    kill "-$sig" "$pid"
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        fail "${name}_stops" "still running 10 s after SIG$sig"
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid"
    RC=$?
    expect_rc "${name}_rc" 130
    check_xml "${name}_xml_valid" "$T/$name.xml"
    check "${name}_gnmap_file" test -s "$T/$name.gnmap"
    if [ ! -s "$T/$name.jsonl" ]; then
        fail "${name}_json" "no JSON written"
        return
    fi
    if "$PS_JSON_CHECK" --require type <"$T/$name.jsonl" >/dev/null 2>"$T/json.err"; then
        pass
    else
        fail "${name}_json_lines" "$(head -c 300 "$T/json.err")"
    fi
    "$PS_JSON_CHECK" --print type --print port <"$T/$name.jsonl" >"$T/$name.tsv" 2>/dev/null
    local nports
    nports=$(awk -F'\t' '$1 == "port"' "$T/$name.tsv" | wc -l)
    echo "SIG$sig: $nports port results before the interruption"
    if [ "$nports" -lt 65535 ]; then pass; else fail "${name}_partial" "$nports port results: the scan was not interrupted"; fi
    expect_eq "${name}_no_port_twice" "$(awk -F'\t' '$1 == "port" { print $2 }' "$T/$name.tsv" | sort | uniq -d | head -n 5 | tr '\n' ' ')" ""
    tail -n 1 "$T/$name.jsonl" | "$PS_JSON_CHECK" --print type --print interrupted >"$T/$name.summary" 2>&1
    expect_eq "${name}_summary" "$(cat "$T/$name.summary")" "summary	true"
}
interrupted INT sigint
interrupted TERM sigterm
# Two event loops: partial hosts of both are merged when the scan stops.
interrupted INT sigint_threads "--threads 2"


# --- bad specifications: exit 2, the bad part named, nothing sent -----------
# bad NAME WORD ARGS...: scan ARGS must exit 2 naming WORD on stderr, and
# neither the scanner's nft counter nor its veth TX count may move.
bad() {
    local name=$1 word=$2 sent0 tx0
    shift 2
    sent0=$(net_sent)
    tx0=$(net_tx_packets)
    scan "$name" "$@"
    expect_rc "${name}_rc" 2
    expect_err_has "${name}_names_it" "$word"
    expect_eq "${name}_nothing_sent" "$(net_sent)" "$sent0"
    expect_eq "${name}_no_tx" "$(net_tx_packets)" "$tx0"
}
sleep 1 # the kernel's own IPv6 multicast reports are over
bad bad_port 70000 -p 70000 -n -Pn "$NET_TGT4"
bad bad_port_range 65536 -p 1-65536 -n -Pn "$NET_TGT4"
bad bad_port_later 70000 -p 80,70000 -n -Pn "$NET_TGT4" "$NET_TGT6"
bad bad_target4 "$NET_TGT4/33" -p 80 -n -Pn "$NET_TGT4/33"
bad bad_target4_later "$NET_TGT4/33" -p 80 -n -Pn "$NET_TGT4" "$NET_TGT4/33"
bad bad_target6 "$NET_TGT6/129" -p 80 -n -Pn "$NET_TGT6" "$NET_TGT6/129"
bad bad_shard "4/3" -p 80 -n -Pn --shard 4/3 "$NET_TGT4"
bad bad_shard_zero "0/3" -p 80 -n -Pn --shard 0/3 "$NET_TGT4"

finish
