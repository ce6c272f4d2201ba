# shellcheck shell=bash
# Network test harness: a scanner and a target, each in a network namespace
# of its own, joined by one veth pair and nothing else. Sourced by the scan
# tests (tests/net/test_*.sh) and the scan benchmarks (bench/scan-*).
#
#   . tests/net/harness.sh
#   net_require_root              # SKIP and exit 0 unless root, ip, nft
#   net_setup                     # the two namespaces; cleanup on every exit
#   net_listen 22 80 8080         # listeners in the target (IPv4 and IPv6)
#   net_drop 81 82                # SYNs to these dropped: "filtered"
#   net_reject_admin 83           # rejected, ICMP admin-prohibited: "filtered"
#   net_scan -p- "$NET_TGT4" -oJ "$T/scan.jsonl"    # portscope scan, in NS_SCAN
#
# All the functions:
#   net_require_root, net_setup, net_cleanup (run by the EXIT trap)
#   net_listen PORT...         TCP listeners (ps-scan-target), v4 and v6
#   net_listen_udp PORT...     UDP responders: any datagram gets a reply
#   net_target SPEC...         ps-scan-target with its own arguments
#   net_drop PORT...           target drops TCP SYNs to these ports
#   net_drop_udp PORT...       target drops UDP datagrams to these ports
#   net_reject_admin PORT...   target answers TCP with ICMP admin-prohibited
#   net_reject_admin_udp PORT...   the same for UDP datagrams
#   net_random_ports N [EXCL]  N distinct random ports in 1..65535
#   net_random_ports_in LO HI N [EXCL]   the same in LO..HI
#   net_scan ARGS...           "$PORTSCOPE" scan ARGS in the scanner namespace
#   net_nmap ARGS...           nmap -n -Pn ARGS in the scanner namespace
#   net_exec_scan CMD... / net_exec_tgt CMD...   any command in either one
#   net_bg PID                 a background process cleanup must stop
#   net_sent                   packets the scanner sent (nft counter)
#   net_tx_packets             TX packets of the scanner's veth0
#   net_dropped_count / net_admin_count   packets the target's rules hit
#   net_dropped_udp_count / net_admin_udp_count   the same for UDP
#
# Addresses (X = this run's number, 1..254; see net_setup):
#   scanner  198.18.X.1/24  2001:db8:X::1/64   interface veth0 in NET_NS_SCAN
#   target   198.18.X.2/24  2001:db8:X::2/64   interface veth1 in NET_NS_TGT
# Only benchmark addresses (RFC 2544, RFC 3849) are used, on a link that
# ends in a namespace this run made; the scanner's namespace has no default
# route (checked, IPv4 and IPv6), so a wrong target cannot leave the host.
# Namespace names carry the PID of the shell that made them (and a random
# number should that name be taken), so runs can go in parallel (ctest -j).
#
# Environment:
#   PS_SCAN_TARGET  the ps-scan-target helper (tests/net/scan_target.c);
#                   needed by net_listen / net_listen_udp / net_target
#   PORTSCOPE       the portscope binary; needed by net_scan
#   NET_PREFIX      first part of the namespace names (default ps-net)
#   NET_SEED        seed of net_random_ports (default: random, printed by
#                   net_setup so a failing run can be repeated)
#   NET_SKIP_LABEL  when set, a skip prints "LABEL: skipped, WHY" (the
#                   benchmarks' style) instead of the tests' SKIP lines
#
# Exported by net_setup: NET_NS_SCAN, NET_NS_TGT, NET_SCAN4, NET_SCAN6,
# NET_TGT4, NET_TGT6, NET_TMP (a temporary directory removed at cleanup).
#
# Cleanup (net_cleanup) runs from the EXIT trap that net_setup installs,
# after any EXIT trap that was already set (such as tests/cli/lib.sh's);
# INT and TERM exit the shell (130, 143), so they clean up too. It stops
# the helpers and any process still inside either namespace, then deletes
# both namespaces. Works with `set -u`; does not use `set -e`.

NET_PREFIX=${NET_PREFIX:-ps-net}
NET_TABLE=psnet
NET_NS_SCAN=${NET_NS_SCAN:-}
NET_NS_TGT=${NET_NS_TGT:-}
NET_TMP=${NET_TMP:-}
NET_MADE=()          # namespaces this shell made
NET_HELPER_PIDS=()   # ps-scan-target processes
NET_HELPER_FDS=()    # write ends of their stdin FIFOs
NET_BG_PIDS=()       # other background processes to stop (net_bg)
NET_PREV_EXIT=

# net__skip WHY: the skip lines, then exit 0.
net__skip() {
    if [ -n "${NET_SKIP_LABEL:-}" ]; then
        echo "$NET_SKIP_LABEL: skipped, $1"
    else
        echo "SKIP: $1"
        echo "0 passed, 0 failed, 1 skipped"
    fi
    exit 0
}

# net__die WHY: setup could not be completed although it should have.
net__die() {
    echo "net harness: $1" >&2
    exit 3
}

# net_require_root: skip (exit 0) unless running as root with ip(8),
# `ip netns` and nft(8).
net_require_root() {
    [ "$(id -u)" = 0 ] || net__skip "needs root (network namespaces)"
    command -v ip >/dev/null || net__skip "needs ip (iproute2)"
    command -v nft >/dev/null || net__skip "needs nft (nftables)"
    ip netns list >/dev/null 2>&1 || net__skip "\`ip netns\` is not available"
}

# net__sysctl NS NAME=VALUE...: sets what exists, silently skips the rest.
net__sysctl() {
    local ns=$1
    shift
    ip netns exec "$ns" sysctl -q -e -w "$@" >/dev/null 2>&1
}

# net_setup: makes the scanner and target namespaces and the veth pair
# between them, loads the nftables rules of net_drop/net_reject_admin and
# the scanner's send counter (net_sent), and installs the cleanup traps.
# Skips (exit 0) when the namespaces or nftables cannot be made at all;
# exits 3 when a later step fails.
net_setup() {
    local id=$BASHPID
    NET_NS_SCAN=$NET_PREFIX-scan-$id
    NET_NS_TGT=$NET_PREFIX-tgt-$id
    NET_NUM=$((id % 254 + 1))
    NET_SCAN4=198.18.$NET_NUM.1
    NET_TGT4=198.18.$NET_NUM.2
    NET_SCAN6=2001:db8:$(printf %x "$NET_NUM")::1
    NET_TGT6=2001:db8:$(printf %x "$NET_NUM")::2
    NET_SEED=${NET_SEED:-$((RANDOM * 32768 + RANDOM))}
    export NET_NS_SCAN NET_NS_TGT NET_SCAN4 NET_SCAN6 NET_TGT4 NET_TGT6 NET_SEED

    # Chain the EXIT trap already set in this shell (not one a subshell
    # merely shows from its parent: that one belongs to the parent).
    if [ "$BASHPID" = "$$" ]; then
        local prev
        prev=$(trap -p EXIT)
        prev=${prev#"trap -- "}
        prev=${prev%" EXIT"}
        [ -n "$prev" ] && eval "NET_PREV_EXIT=$prev"
    fi
    trap 'net_cleanup; eval "$NET_PREV_EXIT"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    NET_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ps-net.XXXXXX") || net__die "mktemp failed"
    export NET_TMP

    # Another session with its own PIDs may share /run/netns: on a clash,
    # other names.
    local try
    for try in 1 2 3 4 5 6; do
        if [ -e "/run/netns/$NET_NS_SCAN" ] || [ -e "/run/netns/$NET_NS_TGT" ]; then
            NET_NS_SCAN=$NET_PREFIX-scan-$id-$RANDOM
            NET_NS_TGT=$NET_PREFIX-tgt-${NET_NS_SCAN##*-scan-}
            continue
        fi
        if ip netns add "$NET_NS_SCAN" 2>/dev/null; then
            NET_MADE+=("$NET_NS_SCAN")
            break
        fi
        [ -e "/run/netns/$NET_NS_SCAN" ] || net__skip "cannot create a network namespace"
    done
    [ ${#NET_MADE[@]} = 1 ] || net__die "no free namespace name"
    ip netns add "$NET_NS_TGT" 2>/dev/null || net__skip "cannot create a network namespace"
    NET_MADE+=("$NET_NS_TGT")

    # No duplicate address detection (addresses usable at once), no router
    # advertisements or solicitations (no routes learnt, no chatter that
    # would blur the send counters); the target answers with ICMP errors
    # as fast as asked (no rate limit), so rejects are seen every time.
    local ns
    for ns in "$NET_NS_SCAN" "$NET_NS_TGT"; do
        net__sysctl "$ns" net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
            net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
            net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0 \
            net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 net.ipv4.icmp_msgs_per_sec=100000 \
            net.ipv4.icmp_msgs_burst=100000
    done

    ip -n "$NET_NS_SCAN" link add veth0 type veth peer name veth1 netns "$NET_NS_TGT" ||
        net__die "cannot create the veth pair"
    # shellcheck disable=SC2015  # any step failing is fatal
    ip -n "$NET_NS_SCAN" addr add "$NET_SCAN4/24" dev veth0 &&
        ip -n "$NET_NS_SCAN" addr add "$NET_SCAN6/64" dev veth0 nodad &&
        ip -n "$NET_NS_TGT" addr add "$NET_TGT4/24" dev veth1 &&
        ip -n "$NET_NS_TGT" addr add "$NET_TGT6/64" dev veth1 nodad &&
        ip -n "$NET_NS_SCAN" link set lo up &&
        ip -n "$NET_NS_TGT" link set lo up &&
        ip -n "$NET_NS_SCAN" link set veth0 up &&
        ip -n "$NET_NS_TGT" link set veth1 up || net__die "cannot address the veth pair"

    if [ -n "$(ip -n "$NET_NS_SCAN" -4 route show default)" ] ||
        [ -n "$(ip -n "$NET_NS_SCAN" -6 route show default)" ]; then
        net__die "scanner namespace $NET_NS_SCAN has a default route; not going on"
    fi

    # The target: SYNs to @tcp_drop vanish, to @tcp_admin are refused with an ICMP
    # administratively-prohibited error (IPv4 type 3 code 13, IPv6 type 1
    # code 1); the same for UDP datagrams to @udp_drop and @udp_admin.
    # Each rule counts what it matched.
    if ! ip netns exec "$NET_NS_TGT" nft -f - 2>"$NET_TMP/nft.err" <<EOF; then
table inet $NET_TABLE {
    set tcp_drop { type inet_service; }
    set tcp_admin { type inet_service; }
    set udp_drop { type inet_service; }
    set udp_admin { type inet_service; }
    chain input {
        type filter hook input priority 0; policy accept;
        tcp dport @tcp_drop tcp flags & (syn | ack) == syn counter drop
        tcp dport @tcp_admin counter reject with icmpx type admin-prohibited
        udp dport @udp_drop counter drop
        udp dport @udp_admin counter reject with icmpx type admin-prohibited
    }
}
EOF
        net__skip "cannot use nftables in a namespace ($(head -n 1 "$NET_TMP/nft.err"))"
    fi
    # The scanner: a counter of every packet it sends but the IPv6
    # neighbour discovery and multicast listener reports the kernel sends
    # on its own (net_sent).
    ip netns exec "$NET_NS_SCAN" nft -f - <<EOF || net__die "cannot load the scanner's nftables counter"
table inet $NET_TABLE {
    counter sent { }
    chain output {
        type filter hook output priority 0; policy accept;
        icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld-listener-report, mld-listener-done, mld2-listener-report } accept
        counter name "sent"
    }
}
EOF

    # The link is up and no address is tentative.
    local i
    for i in $(seq 100); do
        if ip -n "$NET_NS_SCAN" link show veth0 | grep -q 'state UP' &&
            ip -n "$NET_NS_TGT" link show veth1 | grep -q 'state UP' &&
            [ -z "$(ip -n "$NET_NS_SCAN" addr show tentative)" ] &&
            [ -z "$(ip -n "$NET_NS_TGT" addr show tentative)" ]; then
            break
        fi
        [ "$i" = 100 ] && net__die "the veth pair did not come up"
        sleep 0.05
    done
    echo "net harness: scanner $NET_NS_SCAN ($NET_SCAN4, $NET_SCAN6), target $NET_NS_TGT ($NET_TGT4, $NET_TGT6), seed $NET_SEED"
    return 0
}

# net_target SPEC...: starts ps-scan-target in the target namespace with
# these arguments ("tcp:22,80", "udp:161", "dns:53": a DNS server that
# answers DNS requests only); returns when it is ready.
# Sets NET_LAST_PID (for the caller). Exits 3 when the helper does not
# start.
net_target() {
    : "${PS_SCAN_TARGET:?PS_SCAN_TARGET must name the ps-scan-target helper}"
    local i=${#NET_HELPER_PIDS[@]}
    local base=$NET_TMP/target$i fd pid
    mkfifo "$base.in" || net__die "mkfifo failed"
    # The helper gets none of the other helpers' FIFO write ends, so that
    # each one sees end of file when its own is closed.
    (
        for fd in "${NET_HELPER_FDS[@]}"; do exec {fd}>&-; done
        exec ip netns exec "$NET_NS_TGT" "$PS_SCAN_TARGET" "$@" <"$base.in" >"$base.out" 2>"$base.err"
    ) &
    pid=$!
    NET_HELPER_PIDS+=("$pid")
    exec {fd}>"$base.in"
    NET_HELPER_FDS+=("$fd")
    # shellcheck disable=SC2034  # for the caller
    NET_LAST_PID=$pid
    for i in $(seq 200); do
        grep -q '^ready' "$base.out" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    net__die "ps-scan-target $* did not get ready: $(cat "$base.err")"
}

# net__join PORT...: "P1,P2,...".
net__join() {
    local IFS=,
    echo "$*"
}

# net_listen PORT...: TCP listeners on these ports, IPv4 and IPv6.
net_listen() {
    [ $# -gt 0 ] || return 0
    net_target "tcp:$(net__join "$@")"
}

# net_listen_udp PORT...: UDP responders on these ports, IPv4 and IPv6.
net_listen_udp() {
    [ $# -gt 0 ] || return 0
    net_target "udp:$(net__join "$@")"
}

# net__add_set SET PORT...: adds ports to one of the target's nft sets.
net__add_set() {
    local set=$1
    shift
    [ $# -gt 0 ] || return 0
    ip netns exec "$NET_NS_TGT" nft add element inet "$NET_TABLE" "$set" "{ $(net__join "$@") }" ||
        net__die "cannot add ports to the $set set"
}

# net_drop PORT...: the target drops TCP SYNs to these ports ("filtered",
# reason no-response).
net_drop() { net__add_set tcp_drop "$@"; }

# net_drop_udp PORT...: the target drops UDP datagrams to these ports.
net_drop_udp() { net__add_set udp_drop "$@"; }

# net_reject_admin PORT...: the target answers TCP to these ports with ICMP
# (v6) administratively prohibited ("filtered" to a connect scan too).
net_reject_admin() { net__add_set tcp_admin "$@"; }

# net_reject_admin_udp PORT...: the same for UDP datagrams to these ports
# ("filtered", reason admin-prohibited, to a UDP scan).
net_reject_admin_udp() { net__add_set udp_admin "$@"; }

# net_random_ports N [EXCLUDE]: N distinct random ports in 1..65535, none of
# them in EXCLUDE (ports separated by spaces, commas or newlines), on one
# line separated by spaces. Deterministic for a given NET_SEED, N and
# EXCLUDE, so give later calls the earlier results as EXCLUDE.
net_random_ports() {
    net_random_ports_in 1 65535 "$@"
}

# net_random_ports_in LO HI N [EXCLUDE]: the same, from LO..HI.
net_random_ports_in() {
    local lo=$1 hi=$2 n=$3 exclude=${4:-}
    exclude=$(echo "$exclude" | tr ',\n' '  ')
    awk -v lo="$lo" -v hi="$hi" -v n="$n" -v ex="$exclude" -v seed="${NET_SEED:-$RANDOM}" 'BEGIN {
        k = split(ex, e, " "); s = seed + lo * 31 + hi; free = hi - lo + 1
        for (i = 1; i <= k; i++) {
            p = e[i] + 0; s += p * (i % 7 + 1)
            if (p >= lo && p <= hi && !(p in taken)) { taken[p] = 1; free-- }
        }
        if (n > free) { print "net_random_ports: only " free " ports left" > "/dev/stderr"; exit 1 }
        srand((s + n * 7919) % 2147483647)
        while (got < n) {
            p = lo + int(rand() * (hi - lo + 1))
            if (p > hi || (p in taken)) continue
            taken[p] = 1; out = out (got ? " " : "") p; got++
        }
        print out }'
}

# net_exec_scan CMD...: runs CMD inside the scanner namespace.
net_exec_scan() {
    ip netns exec "$NET_NS_SCAN" "$@"
}

# net_exec_tgt CMD...: runs CMD inside the target namespace.
net_exec_tgt() {
    ip netns exec "$NET_NS_TGT" "$@"
}

# net_scan ARGS...: `portscope scan ARGS...` inside the scanner namespace.
net_scan() {
    : "${PORTSCOPE:?PORTSCOPE must name the portscope binary}"
    ip netns exec "$NET_NS_SCAN" "$PORTSCOPE" scan "$@"
}

# net_nmap ARGS...: `nmap -n -Pn ARGS...` inside the scanner namespace.
net_nmap() {
    ip netns exec "$NET_NS_SCAN" nmap -n -Pn "$@"
}

# net_bg PID: a background process net_cleanup stops (TERM, then KILL).
net_bg() {
    NET_BG_PIDS+=("$1")
}

# net_sent: packets the scanner namespace has sent (the nft counter; the
# kernel's own IPv6 neighbour discovery and MLD reports are not counted).
net_sent() {
    ip netns exec "$NET_NS_SCAN" nft list counter inet "$NET_TABLE" sent |
        awk '/packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

# net_tx_packets: the TX packet count of the scanner's veth0.
net_tx_packets() {
    ip -n "$NET_NS_SCAN" -s link show veth0 | awk 'f == 1 { print $2; exit } /TX:/ { f = 1 }'
}

# net_dropped_count / net_admin_count: packets the target's drop / reject
# rules matched so far.
net__rule_count() {
    ip netns exec "$NET_NS_TGT" nft list chain inet "$NET_TABLE" input |
        awk -v set="@$1" '$0 ~ set { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}
net_dropped_count() { net__rule_count tcp_drop; }
net_admin_count() { net__rule_count tcp_admin; }
net_dropped_udp_count() { net__rule_count udp_drop; }
net_admin_udp_count() { net__rule_count udp_admin; }

# net__stop PID...: TERM, up to about 2 s of grace, then KILL; reaps.
net__stop() {
    local pid i
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "$@"; do
        for i in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
}

# net_cleanup: stops the helpers and background processes, then anything
# still running in either namespace, and deletes both namespaces and
# NET_TMP. Safe to call more than once.
net_cleanup() {
    local fd ns pids
    for fd in "${NET_HELPER_FDS[@]}"; do exec {fd}>&-; done
    NET_HELPER_FDS=()
    [ ${#NET_BG_PIDS[@]} -gt 0 ] && net__stop "${NET_BG_PIDS[@]}"
    NET_BG_PIDS=()
    [ ${#NET_HELPER_PIDS[@]} -gt 0 ] && net__stop "${NET_HELPER_PIDS[@]}"
    NET_HELPER_PIDS=()
    for ns in "${NET_MADE[@]}"; do
        # Whatever is left inside was started by this run.
        pids=$(ip netns pids "$ns" 2>/dev/null)
        # shellcheck disable=SC2086
        [ -n "$pids" ] && net__stop $pids
        ip netns del "$ns" 2>/dev/null || echo "net harness: could not remove namespace $ns" >&2
    done
    NET_MADE=()
    [ -n "$NET_TMP" ] && rm -rf "$NET_TMP"
    NET_TMP=
    return 0
}
