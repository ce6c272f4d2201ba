#!/usr/bin/env bash
# Self-test of the network harness (tests/net/harness.sh), checked with
# nmap run inside the scanner namespace: listening ports are open, dropped
# and admin-prohibited ports filtered, the rest closed, over IPv4 and IPv6;
# UDP responders answer; the listener keeps accepting however many
# connections come; the scanner namespace has no default route; random
# ports are distinct and avoid what they must; and cleanup leaves no
# namespace or process behind, on a normal exit, SIGTERM and SIGINT.
# Needs root, ip, nft and nmap; skips cleanly without them.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../cli/lib.sh"
. "$HERE/harness.sh"
: "${PS_SCAN_TARGET:?PS_SCAN_TARGET must name the ps-scan-target helper}"

net_require_root
command -v nmap >/dev/null || net__skip "needs nmap"
net_setup

# --- the namespaces -------------------------------------------------------
LAST="ip netns list"
ip netns list >"$T/out" 2>"$T/err"
check ns_scan_exists grep -q "^$NET_NS_SCAN\b" "$T/out"
check ns_tgt_exists grep -q "^$NET_NS_TGT\b" "$T/out"
LAST="ip -n $NET_NS_SCAN route show default"
expect_eq no_default_route4 "$(ip -n "$NET_NS_SCAN" -4 route show default)" ""
expect_eq no_default_route6 "$(ip -n "$NET_NS_SCAN" -6 route show default)" ""
expect_eq tgt_no_default_route4 "$(ip -n "$NET_NS_TGT" -4 route show default)" ""
expect_eq tgt_no_default_route6 "$(ip -n "$NET_NS_TGT" -6 route show default)" ""
expect_eq scan_no_tentative "$(ip -n "$NET_NS_SCAN" addr show tentative)" ""
expect_eq tgt_no_tentative "$(ip -n "$NET_NS_TGT" addr show tentative)" ""
expect_eq scan_has_addr4 "$(ip -n "$NET_NS_SCAN" -4 -o addr show dev veth0 to "$NET_SCAN4" | wc -l)" 1
expect_eq scan_has_addr6 "$(ip -n "$NET_NS_SCAN" -6 -o addr show dev veth0 to "$NET_SCAN6" | wc -l)" 1
# Only the veth pair and loopback: nothing else reaches either namespace.
expect_eq scan_links "$(ip -n "$NET_NS_SCAN" -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | tr '\n' ' ')" "lo veth0 "
case $NET_TGT4 in 198.18.*|198.19.*) pass ;; *) fail tgt4_benchmark_range "$NET_TGT4" ;; esac
case $NET_TGT6 in 2001:db8:*) pass ;; *) fail tgt6_documentation_range "$NET_TGT6" ;; esac

# --- random ports ---------------------------------------------------------
OPEN=$(net_random_ports 6)
DROP=$(net_random_ports 6 "$OPEN")
ADMIN=$(net_random_ports 3 "$OPEN $DROP")
CLOSED=$(net_random_ports 5 "$OPEN $DROP $ADMIN")
UOPEN=$(net_random_ports 3 "$OPEN $DROP $ADMIN $CLOSED")
UDROP=$(net_random_ports 2 "$OPEN $DROP $ADMIN $CLOSED $UOPEN")
UCLOSED=$(net_random_ports 2 "$OPEN $DROP $ADMIN $CLOSED $UOPEN $UDROP")
ALL="$OPEN $DROP $ADMIN $CLOSED $UOPEN $UDROP $UCLOSED"
LAST="net_random_ports"
# shellcheck disable=SC2086
expect_eq random_distinct "$(printf '%s\n' $ALL | sort -u | wc -l)" 27
# shellcheck disable=SC2086
expect_eq random_in_range "$(printf '%s\n' $ALL | awk '$1 < 1 || $1 > 65535 || $1 != int($1)' | wc -l)" 0
expect_eq random_repeatable "$(net_random_ports 6 "$OPEN")" "$DROP"
BIG=$(net_random_ports 2000 "$OPEN")
# shellcheck disable=SC2086
expect_eq random_many "$(printf '%s\n' $BIG | sort -u | wc -l)" 2000
# shellcheck disable=SC2086
expect_eq random_excludes "$(printf '%s\n' $BIG $OPEN | sort | uniq -d | wc -l)" 0
# Nearly the whole range: every port but the excluded ones.
# shellcheck disable=SC2086
expect_eq random_whole_range "$(net_random_ports 65529 "$OPEN" | tr ' ' '\n' | sort -u | wc -l)" 65529

# --- the helper -----------------------------------------------------------
# shellcheck disable=SC2086
net_listen $OPEN
# shellcheck disable=SC2086
net_listen_udp $UOPEN
# shellcheck disable=SC2086
net_drop $DROP
# shellcheck disable=SC2086
net_reject_admin $ADMIN
# shellcheck disable=SC2086
net_drop_udp $UDROP
read -r P1 _ <<<"$OPEN"

LAST="ps-scan-target (bad arguments, in the target namespace)"
for bad in "tcp:0" "tcp:70000" "tcp:80x" "sctp:80" "tcp:" "tcp:90-80"; do
    net_exec_tgt "$PS_SCAN_TARGET" "$bad" </dev/null >"$T/out" 2>"$T/err"
    RC=$?
    expect_rc "helper_bad_spec_$bad" 2
done
net_exec_tgt "$PS_SCAN_TARGET" >"$T/out" 2>"$T/err" </dev/null
RC=$?
expect_rc helper_no_args 2
LAST="ps-scan-target tcp:$P1 (already bound)"
net_exec_tgt "$PS_SCAN_TARGET" "tcp:$P1" </dev/null >"$T/out" 2>"$T/err"
RC=$?
expect_rc helper_port_in_use 1
expect_err_has helper_port_in_use_msg "port $P1"
# Both address families, v6-only on the IPv6 socket, for every port.
LAST="ss -tlnH (target)"
net_exec_tgt ss -tlnH >"$T/out"
for p in $OPEN; do
    check "helper_listens4_$p" grep -q "0.0.0.0:$p " "$T/out"
    check "helper_listens6_$p" grep -q "\[::\]:$p " "$T/out"
done
net_exec_tgt ss -ulnH >"$T/out"
for p in $UOPEN; do
    check "helper_udp4_$p" grep -q "0.0.0.0:$p " "$T/out"
    check "helper_udp6_$p" grep -q "\[::\]:$p " "$T/out"
done

# The helper exits on end of file on stdin, and on SIGTERM.
net_target "tcp:$(net_random_ports 1 "$ALL")"
EOF_PID=$NET_LAST_PID
fd=${NET_HELPER_FDS[-1]}
exec {fd}>&-
unset 'NET_HELPER_FDS[-1]'
for _ in $(seq 40); do kill -0 "$EOF_PID" 2>/dev/null || break; sleep 0.05; done
LAST="ps-scan-target, stdin closed"
if kill -0 "$EOF_PID" 2>/dev/null; then fail helper_exits_on_eof "still running"; else pass; fi
wait "$EOF_PID"
RC=$?
expect_rc helper_eof_status 0
net_target "tcp:$(net_random_ports 1 "$ALL")"
TERM_PID=$NET_LAST_PID
kill -TERM "$TERM_PID"
for _ in $(seq 40); do kill -0 "$TERM_PID" 2>/dev/null || break; sleep 0.05; done
LAST="ps-scan-target, SIGTERM"
if kill -0 "$TERM_PID" 2>/dev/null; then fail helper_exits_on_term "still running"; else pass; fi
wait "$TERM_PID"
RC=$?
expect_rc helper_term_status 0

# --- nmap's view ----------------------------------------------------------
# expected FILE: "PORT STATE" lines for the TCP ports, sorted.
{
    for p in $OPEN; do echo "$p open"; done
    for p in $DROP $ADMIN; do echo "$p filtered"; done
    for p in $CLOSED; do echo "$p closed"; done
} | sort >"$T/expect.tcp"
{
    for p in $UOPEN; do echo "$p open"; done
    for p in $UDROP; do echo "$p open|filtered"; done
    for p in $UCLOSED; do echo "$p closed"; done
} | sort >"$T/expect.udp"
TCP_LIST=$(echo "$OPEN $DROP $ADMIN $CLOSED" | tr ' ' ,)
UDP_LIST=$(echo "$UOPEN $UDROP $UCLOSED" | tr ' ' ,)

# gnmap_states FILE: "PORT STATE" from nmap's grepable output, sorted.
gnmap_states() {
    grep -o 'Ports: [^	]*' "$1" | sed 's/^Ports: //' | tr ',' '\n' |
        awk -F/ '{ gsub(/ /, "", $1); print $1, $2 }' | sort
}

# nmap_check NAME EXPECT NMAP-ARGS...: runs nmap in the scanner namespace
# with -oG and compares the states of the ports.
nmap_check() {
    local name=$1 expect=$2
    shift 2
    LAST="(scanner netns) nmap -n -Pn $* -oG -"
    net_nmap "$@" -oG - >"$T/out" 2>"$T/err"
    RC=$?
    expect_rc "${name}_rc" 0
    gnmap_states "$T/out" >"$T/got"
    if cmp -s "$T/got" "$expect"; then
        pass
    else
        fail "$name" "port states differ (< got, > expected): $(diff "$T/got" "$expect" | grep '^[<>]' | tr '\n' ' ')"
    fi
}
SENT0=$(net_sent)
nmap_check nmap_tcp4 "$T/expect.tcp" -sT -p "$TCP_LIST" "$NET_TGT4"
nmap_check nmap_tcp6 "$T/expect.tcp" -6 -sT -p "$TCP_LIST" "$NET_TGT6"
# Repeated scans find the same (no backlog fills up).
nmap_check nmap_tcp4_again "$T/expect.tcp" -sT -p "$TCP_LIST" "$NET_TGT4"
nmap_check nmap_udp4 "$T/expect.udp" -sU --max-retries 1 -p "$UDP_LIST" "$NET_TGT4"
nmap_check nmap_udp6 "$T/expect.udp" -6 -sU --max-retries 1 -p "$UDP_LIST" "$NET_TGT6"

LAST="counters"
SENT1=$(net_sent)
if [ "$SENT1" -gt "$SENT0" ]; then pass; else fail sent_counter_counts "$SENT0 -> $SENT1"; fi
if [ "$(net_dropped_count)" -ge 12 ]; then pass; else fail drop_rule_counts "$(net_dropped_count)"; fi
if [ "$(net_admin_count)" -ge 6 ]; then pass; else fail admin_rule_counts "$(net_admin_count)"; fi

# Many connections in a row to one listener, none refused.
LAST="600 connections to $NET_TGT4:$P1 and [$NET_TGT6]:$P1"
net_exec_scan bash -c 'for i in $(seq 300); do
        exec 3<>"/dev/tcp/$1/$3" || exit 1; exec 3>&-
        exec 3<>"/dev/tcp/$2/$3" || exit 1; exec 3>&-
    done' _ "$NET_TGT4" "$NET_TGT6" "$P1" >"$T/out" 2>"$T/err"
RC=$?
expect_rc accept_loop 0
# A UDP responder answers.
LAST="UDP datagram to $NET_TGT4:${UOPEN%% *}"
net_exec_scan timeout 5 bash -c 'exec 3<>"/dev/udp/$1/$2" && echo hi >&3 && head -c 15 <&3' \
    _ "$NET_TGT4" "${UOPEN%% *}" >"$T/out" 2>"$T/err"
RC=$?
expect_rc udp_reply_rc 0
expect_out_has udp_reply "ps-scan-target"

# --- cleanup --------------------------------------------------------------
# The child: a shell that sets up, starts a listener and a process inside
# the scanner namespace, then exits normally or waits to be signalled.
# Writes "NS_SCAN NS_TGT HELPER_PID NET_TMP INSIDE_PID" to $T/child.
cat >"$T/child.sh" <<'EOF'
. "$1"
PS_SCAN_TARGET=$2
net_setup >/dev/null
net_listen 80 443
net_exec_scan sleep 60 &
echo "$NET_NS_SCAN $NET_NS_TGT $NET_LAST_PID $NET_TMP $!" >"$3.tmp"
mv "$3.tmp" "$3"
[ "$4" = exit ] && exit 0
wait
EOF
for mode in exit TERM INT; do
    rm -f "$T/child"
    LAST="harness in a child shell, $mode"
    # Signals back to their defaults: a background job of a script starts
    # with SIGINT ignored, and bash could not trap it then.
    env --default-signal=INT,TERM bash "$T/child.sh" "$HERE/harness.sh" "$PS_SCAN_TARGET" \
        "$T/child" "$mode" >"$T/out" 2>"$T/err" &
    CPID=$!
    for _ in $(seq 200); do [ -s "$T/child" ] && break; sleep 0.05; done
    if [ "$mode" != exit ]; then
        kill -"$mode" "$CPID"
    fi
    wait "$CPID"
    RC=$?
    case $mode in
        exit) expect_rc cleanup_exit_status 0 ;;
        TERM) expect_rc cleanup_term_status 143 ;;
        INT) expect_rc cleanup_int_status 130 ;;
    esac
    read -r CNS_SCAN CNS_TGT CHELPER CTMP CSLEEP <"$T/child"
    LEFT=$(ip netns list | awk -v a="$CNS_SCAN" -v b="$CNS_TGT" '$1 == a || $1 == b')
    expect_eq "cleanup_${mode}_namespaces" "$LEFT" ""
    if kill -0 "$CHELPER" 2>/dev/null; then fail "cleanup_${mode}_helper" "pid $CHELPER alive"; else pass; fi
    if kill -0 "$CSLEEP" 2>/dev/null; then fail "cleanup_${mode}_inside" "pid $CSLEEP alive"; else pass; fi
    if [ -e "$CTMP" ]; then fail "cleanup_${mode}_tmp" "$CTMP left"; else pass; fi
done

finish
