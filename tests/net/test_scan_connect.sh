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
# The checks themselves are in scan_checks.sh (shared with test_scan_syn.sh).
# Needs root, ip, nft and `portscope scan`; skips cleanly without them.
# NET_SEED=N repeats a run's choice of ports (net_setup prints it).
set -u
# shellcheck source=scan_checks.sh
. "$(dirname "$0")/scan_checks.sh"
# A connect scan: connect(2) refuses closed ports; of an ICMP
# admin-prohibited it learns only an error (or nothing), not checked.
scan_checks_init conn-refused
net_setup

# --- the target -----------------------------------------------------------
scan_target_random

# --- full scans -----------------------------------------------------------
scan full4 -sT -p- -n -Pn "$NET_TGT4" -oJ "$T/full4.jsonl" -oX "$T/full4.xml" \
    -oG "$T/full4.gnmap" -oN "$T/full4.nmap"
expect_rc full4_rc 0
check_open_list full4_stdout_open "$T/out" "$NORMAL_OPEN_RE"
check_outputs full4 "$T/full4" "$NET_TGT4" 1 65535 xml gnmap nmap
echo "reason given for the admin-prohibited ports (IPv4): $(admin_reasons full4)"

# IPv6: a literal needs no -6.
scan full6 -p- -n -Pn "$NET_TGT6" -oJ "$T/full6.jsonl" -oX "$T/full6.xml"
expect_rc full6_rc 0
check_open_list full6_stdout_open "$T/out" "$NORMAL_OPEN_RE"
check_outputs full6 "$T/full6" "$NET_TGT6" 1 65535 xml
echo "reason given for the admin-prohibited ports (IPv6): $(admin_reasons full6)"

# -oA BASE, with -6, over the first 5000 ports.
scan all6 -6 -sT -p 1-5000 -n -Pn "$NET_TGT6" -oA "$T/base"
expect_rc all6_rc 0
for ext in nmap xml gnmap jsonl; do
    check "all6_file_$ext" test -s "$T/base.$ext"
done
ports_sorted "$(awk '$1 <= 5000' "$T/open.want")" >"$T/open5000.want"
cp "$T/open.want" "$T/open.all"
cp "$T/open5000.want" "$T/open.want"
check_outputs all6 "$T/base" "$NET_TGT6" 1 5000 xml gnmap nmap

# --- shards ---------------------------------------------------------------
check_shards 3 1 5000 "$NET_TGT4" -sT
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
    local sig=$1 name=$2 extra=${3:-}
    LAST="(scanner netns) portscope scan --max-rate 200 -p- $NET_TGT4 -oX -oJ -oG, then SIG$sig"
    # shellcheck disable=SC2086  # extra: words
    scan_bg "$PORTSCOPE" scan -sT -p- -n -Pn --max-rate 200 $extra "$NET_TGT4" \
        -oX "$T/$name.xml" -oJ "$T/$name.jsonl" -oG "$T/$name.gnmap"
    sleep 1
    stop_scan "$name" "$sig" "$BG_PID"
    check_interrupted "$name" "$sig" xml gnmap
}
interrupted INT sigint
interrupted TERM sigterm
# Two event loops: partial hosts of both are merged when the scan stops.
interrupted INT sigint_threads "--threads 2"

# --- bad specifications: exit 2, the bad part named, nothing sent -----------
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
