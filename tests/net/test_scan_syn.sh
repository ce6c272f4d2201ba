#!/usr/bin/env bash
# `portscope scan -sS` (the SYN scan: crafted SYNs on a raw socket, answers
# from a capture) against a target the harness builds, with exact results.
# The target is test_scan_connect.sh's: each run draws 30 open ports
# (listeners), 300 dropped (filtered, no response) and 4 rejected with ICMP
# admin-prohibited (filtered); every other port is closed. Checks:
#   - full -sS -p- scans over IPv4 and over IPv6, SYN_RUNS (3) of each
#     (-oJ): every port once, with the exact state and reason (open
#     syn-ack, closed reset, dropped no-response, rejected admin-prohibited
#     from the ICMP or ICMPv6 error), and the summary object;
#   - -oX valid against nmap.dtd with scaninfo type="syn"; -oG, -oN and
#     stdout list the open ports;
#   - the scanner's kernel resets each SYN-ACK: no half-open (nor any)
#     connection is left on the target;
#   - --shard 1/2 and 2/2 with one --seed cover -p- exactly once;
#   - the privilege drop: while a slow scan runs (started as root, and
#     started as nobody with only CAP_NET_RAW), no thread of portscope has
#     uid or gid 0, a supplementary group or any capability, and all have
#     no_new_privs; SIGINT then stops it with 130 and well-formed files;
#   - without the privilege: exit 3, stderr names -sT and root or
#     CAP_NET_RAW, not one packet sent;
#   - -sT with -sS exits 2; -e with no such interface fails clearly (exit
#     2 or 3, the name on stderr, nothing sent); -e veth0 scans as usual.
# The checks are in scan_checks.sh (shared with test_scan_connect.sh).
# Needs root, ip, nft and `portscope scan -sS`; skips cleanly without them.
# NET_SEED=N repeats a run's choice of ports (net_setup prints it).
set -u
SYN_RUNS=${SYN_RUNS:-3}
# shellcheck source=scan_checks.sh
. "$(dirname "$0")/scan_checks.sh"
# A SYN scan reads the answers itself: a reset for a closed port, the ICMP
# error's own type and code for a rejected one.
scan_checks_init reset admin-prohibited
scan_checks_need -sS setpriv ss
net_setup

# --- the target -----------------------------------------------------------
scan_target_random

# check_no_half_open NAME: within 3 s the target has no connection in
# SYN-RECV (without the scanner kernel's reset to each SYN-ACK, one would
# stay for a minute of SYN-ACK retransmissions) and none established (a
# SYN scan never completes a handshake).
check_no_half_open() {
    local i half
    for i in $(seq 30); do
        half=$(net_exec_tgt ss -Htn state syn-recv | wc -l)
        [ "$half" = 0 ] && break
        sleep 0.1
    done
    LAST="(target netns) ss -tn state syn-recv"
    expect_eq "${1}_no_half_open" "$half" 0
    expect_eq "${1}_no_connection" "$(net_exec_tgt ss -Htn state established | wc -l)" 0
}

# --- full scans, repeated -------------------------------------------------
# The first run of each family writes every format; the others -oJ only.
for run in $(seq "$SYN_RUNS"); do
    for fam in 4 6; do
        name=full${fam}_$run
        scan_outputs "$name" "$run" "$fam"
        scan "$name" -sS -p- -n -Pn "$IP" "${OUTS[@]}"
        expect_rc "${name}_rc" 0
        check_open_list "${name}_stdout_open" "$T/out" "$NORMAL_OPEN_RE"
        check_outputs "$name" "$T/$name" "$IP" 1 65535 "${FORMATS[@]}"
        # check_json has checked every reason; this one says it plainly.
        expect_eq "${name}_admin_prohibited" "$(admin_reasons "$name")" "admin-prohibited "
        if [ "$run" = 1 ]; then
            expect_eq "${name}_scaninfo_syn" \
                "$(grep -o '<scaninfo [^>]*>' "$T/$name.xml" | grep -o ' type="[^"]*"')" ' type="syn"'
            check_no_half_open "$name"
        fi
    done
done

# --- shards ---------------------------------------------------------------
check_shards 2 1 65535 "$NET_TGT6" -sS

# --- -e: the interface the probes leave on --------------------------------
scan iface -sS -e veth0 -p 1-5000 -n -Pn "$NET_TGT4" -oJ "$T/iface.jsonl"
expect_rc iface_rc 0
check_json iface "$T/iface.jsonl" "$NET_TGT4" 1 5000

# --- the privilege drop ---------------------------------------------------
# scan_pid: the one portscope process in the scanner namespace.
scan_pid() {
    local p found=
    for p in $(ip netns pids "$NET_NS_SCAN"); do
        if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = portscope ]; then
            [ -n "$found" ] && return 1
            found=$p
        fi
    done
    [ -n "$found" ] && echo "$found"
}

# check_dropped NAME SIG CMD...: CMD (a slow -sS scan) in the background;
# once it is sending (its privileged setup is over), every thread of
# portscope must have given up uid and gid 0, its supplementary groups and
# every capability, and have no_new_privs; then SIG stops it (exit 130).
check_dropped() {
    local name=$1 sig=$2 pid i tasks creds
    shift 2
    LAST="(scanner netns) $*, then SIG$sig"
    sent_mark
    scan_bg "$@"
    for i in $(seq 100); do
        [ "$(net_sent)" -gt $((SENT0 + 20)) ] && break
        kill -0 "$BG_PID" 2>/dev/null || break
        sleep 0.1
    done
    pid=$(scan_pid)
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
        fail "${name}_running" "no (or more than one) portscope process running in $NET_NS_SCAN"
        stop_scan "$name" KILL "$BG_PID"
        return
    fi
    pass
    # Every thread: the credentials are each thread's own.
    cat "/proc/$pid/task/"*/status >"$T/$name.status" 2>/dev/null
    tasks=$(grep -c '^Uid:' "$T/$name.status")
    check "${name}_read_while_running" kill -0 "$pid"
    creds=$(grep -E '^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapAmb|NoNewPrivs):' "$T/$name.status" |
        sort | uniq -c | sed 's/^ *//; s/\t/ /g' | tr '\n' ';')
    echo "$name: pid $pid, $tasks threads; $creds"
    expect_eq "${name}_no_uid0" "$(awk '/^Uid:/ { for (i = 2; i <= 5; i++) if ($i == 0) print }' "$T/$name.status" | head -n 2)" ""
    expect_eq "${name}_no_gid0" "$(awk '/^Gid:/ { for (i = 2; i <= 5; i++) if ($i == 0) print }' "$T/$name.status" | head -n 2)" ""
    expect_eq "${name}_no_groups" "$(awk '/^Groups:/ && NF > 1' "$T/$name.status" | head -n 2)" ""
    expect_eq "${name}_no_caps" "$(awk '/^Cap(Inh|Prm|Eff|Amb):/ && $2 != "0000000000000000"' "$T/$name.status" | sort -u)" ""
    expect_eq "${name}_no_new_privs" "$(awk '/^NoNewPrivs:/ && $2 != 1' "$T/$name.status" | sort -u)" ""
    stop_scan "$name" "$sig" "$BG_PID"
}

# As root.
check_dropped priv_root INT "$PORTSCOPE" scan -sS -p- -n -Pn --max-rate 200 "$NET_TGT4" \
    -oX "$T/priv_root.xml" -oJ "$T/priv_root.jsonl" -oG "$T/priv_root.gnmap"
check_interrupted priv_root INT xml gnmap

# As nobody with CAP_NET_RAW only (ambient, as a file capability would
# give it): the capability must go too. Nobody cannot write into $T: the
# JSON goes to standard output.
check_dropped priv_cap INT setpriv --reuid=65534 --regid=65534 --clear-groups \
    --inh-caps=+net_raw --ambient-caps=+net_raw \
    "$PORTSCOPE" scan -sS -p- -n -Pn --max-rate 200 "$NET_TGT6" -oJ -
cp "$T/out" "$T/priv_cap.jsonl"
check_interrupted priv_cap INT

# --- refusals: nothing sent -----------------------------------------------
sleep 1 # the kernel's own IPv6 multicast reports are over

# Without root or CAP_NET_RAW: exit 3, a pointer to -sT, not one packet.
sent_mark
LAST="(scanner netns) setpriv --reuid=65534 ... --inh-caps=-all portscope scan -sS -p 1-1000 $NET_TGT4 $NET_TGT6"
net_exec_scan setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
    "$PORTSCOPE" scan -sS -p 1-1000 -n -Pn "$NET_TGT4" "$NET_TGT6" >"$T/out" 2>"$T/err"
RC=$?
expect_rc unprivileged_rc 3
expect_err_has unprivileged_names_sT -sT
check unprivileged_names_privilege grep -qiE 'root|cap_net_raw' "$T/err"
expect_out_lacks unprivileged_no_results "/tcp"
expect_nothing_sent unprivileged

# Two TCP scan types at once.
bad types_sT_sS -sS -sT -sS -p 80 -n -Pn "$NET_TGT4"
bad types_sS_sT -sS -sS -sT -p 80 -n -Pn "$NET_TGT4"

# No such interface: a clear error, no crash.
sent_mark
scan bad_iface -sS -e nosuchif0 -p 1-100 -n -Pn "$NET_TGT4"
if [ "$RC" = 2 ] || [ "$RC" = 3 ]; then pass; else fail bad_iface_rc "exit status $RC, expected 2 or 3"; fi
expect_err_has bad_iface_names_it nosuchif0
expect_nothing_sent bad_iface

finish
