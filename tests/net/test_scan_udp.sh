#!/usr/bin/env bash
# `portscope scan -sU` (the UDP scan: a payload per well-known port from an
# ordinary UDP socket, answers and ICMP errors through that socket) against
# a target the harness builds, with exact results. Each run draws, on the
# target's UDP side: 8 responders (any datagram answered) and a DNS server
# on 53 (answers DNS requests only), all open (udp-response); 20 ports
# whose datagrams are dropped and one more DNS server on a port without a
# payload (an empty datagram gets no answer), both open|filtered
# (no-response); 10 rejected with ICMP admin-prohibited, filtered
# (admin-prohibited); 200 more with nothing bound, closed (the target's
# kernel answers port unreachable: port-unreach). About 240 ports are
# scanned, never -p-. The TCP side is test_scan_syn.sh's target. Checks:
#   - UDP_RUNS (3) scans of those ports over IPv4 and over IPv6 with the
#     target's ICMP rate limit off (the harness's default): every port
#     once, exact state and reason (-oJ), the summary object; the first
#     run of each family: -oX valid against nmap.dtd with scaninfo
#     type="udp", -oG, -oN and stdout list the open ports; the DNS server
#     is open on 53 and open|filtered where no payload is sent (payloads
#     matter); 53 is named domain; each dropped port was tried twice;
#   - -sS -sU in one run (root), IPv4 and IPv6: TCP and UDP results
#     both exact, XML valid with two scaninfo elements (syn/tcp, udp/udp);
#   - as nobody without any capability: -sU, and -sT -sU, give the same
#     exact results;
#   - SIGINT stops a slow -sU scan: exit 130, well-formed files;
#   - with the kernel's default ICMP rate limit in the target (one error
#     a second per destination after a burst of 6): 20 closed, 2
#     rejected, 2 open and 2 dropped ports, exact states over IPv4 and
#     IPv6 (a scanner that does not wait for the errors calls most closed
#     ports open|filtered; see src/scan/rounds.c);
#   - late answers: 10 ports that answer 150 ms after each datagram, far
#     past the timeouts, among 390 closed ones, scanned at --max-rate 400
#     (about 2 s): an answer that comes after its port was called silent,
#     or between two tries, still decides it while the host has not been
#     reported; at least 3 of the 10 are open (about 8 are: those probed in
#     the last 150 ms cannot be), the closed ones closed, nothing else;
#   - an mDNS responder on 5353 that answers only the DNS-SD query (the
#     third payload nmap-payloads has for 5353) is open: every payload
#     of a port goes out on each try.
# The checks are in scan_checks.sh (shared with the TCP scan tests).
# Needs root, ip, nft and `portscope scan -sU`; skips cleanly without them.
# NET_SEED=N repeats a run's choice of ports (net_setup prints it).
set -u
UDP_RUNS=${UDP_RUNS:-3}
# shellcheck source=scan_checks.sh
. "$(dirname "$0")/scan_checks.sh"
# The TCP reasons, for -sS -sU (a SYN scan reads the ICMP error itself).
scan_checks_init reset admin-prohibited
scan_checks_need -sU setpriv
net_setup

# --- the target -----------------------------------------------------------
# udp_target_random: the UDP side (see the top). Sets UDP_OPEN, UDP_SILENT,
# UDP_ADMIN, UDP_CLOSED, UDP_PORTS (all of them: what is scanned) and
# UDP_LIST (the same, for -p), UDP_DROP and UDP_DNS_HIGH (the DNS server
# without a payload); writes the open ports to $T/open.udp.want.
udp_target_random() {
    # 53 and 5353 are the DNS and mDNS servers' (5353: the last check).
    UDP_OPEN=$(net_random_ports 8 "53 5353")
    UDP_DROP=$(net_random_ports 20 "53 5353 $UDP_OPEN")
    UDP_ADMIN=$(net_random_ports 10 "53 5353 $UDP_OPEN $UDP_DROP")
    # No payload is sent to 18000-25999 (neither built-in nor in nmap's
    # nmap-payloads), so a DNS server there gets an empty datagram.
    UDP_DNS_HIGH=$(net_random_ports_in 18000 25999 1 "$UDP_OPEN $UDP_DROP $UDP_ADMIN")
    UDP_CLOSED=$(net_random_ports 200 "53 5353 $UDP_OPEN $UDP_DROP $UDP_ADMIN $UDP_DNS_HIGH")
    # shellcheck disable=SC2086
    net_listen_udp $UDP_OPEN
    net_target "dns:53,$UDP_DNS_HIGH"
    # shellcheck disable=SC2086
    net_drop_udp $UDP_DROP
    # shellcheck disable=SC2086
    net_reject_admin_udp $UDP_ADMIN
    UDP_OPEN="53 $UDP_OPEN"
    UDP_SILENT="$UDP_DROP $UDP_DNS_HIGH"
    UDP_PORTS="$UDP_OPEN $UDP_SILENT $UDP_ADMIN $UDP_CLOSED"
    UDP_LIST=$(tr ' ' ',' <<<"$UDP_PORTS")
    ports_sorted "$UDP_OPEN" >"$T/open.udp.want"
    echo "UDP target: $(wc -w <<<"$UDP_OPEN") open (DNS on 53), $(wc -w <<<"$UDP_DROP") dropped," \
        "DNS without a payload on $UDP_DNS_HIGH, $(wc -w <<<"$UDP_ADMIN") admin-prohibited," \
        "$(wc -w <<<"$UDP_CLOSED") closed"
    echo "UDP open ports: $UDP_OPEN"
    echo "UDP admin-prohibited ports: $UDP_ADMIN"
}

scan_target_random
udp_target_random
CHECK_PROTO=udp

# check_udp_extras NAME: what check_json NAME does not say by itself.
check_udp_extras() {
    local name=$1
    LAST="$LAST [$T/$name.ports]"
    expect_eq "${name}_dns_payload" "$(awk -F'\t' -v h="$UDP_DNS_HIGH" \
        '$3 == 53 || $3 == h { print $3, $5, $6 }' "$T/$name.ports" | sort -n | tr '\n' ';')" \
        "53 open udp-response;$UDP_DNS_HIGH open|filtered no-response;"
    expect_eq "${name}_service_53" "$(awk -F'\t' '$3 == 53 { print $7 }' "$T/$name.ports")" domain
    expect_eq "${name}_admin_prohibited" "$(admin_reasons "$name")" "admin-prohibited "
}

# --- -sU over IPv4 and IPv6, no ICMP rate limit ---------------------------
# The first run of each family writes every format; the others -oJ only.
for run in $(seq "$UDP_RUNS"); do
    for fam in 4 6; do
        name=udp${fam}_$run
        scan_outputs "$name" "$run" "$fam"
        drops0=$(net_dropped_udp_count)
        scan "$name" -sU -p "$UDP_LIST" -n -Pn "$IP" "${OUTS[@]}"
        expect_rc "${name}_rc" 0
        check_open_list "${name}_stdout_open" "$T/out" "$NORMAL_OPEN_RE_UDP"
        check_outputs "$name" "$T/$name" "$IP" 1 65535 "${FORMATS[@]}"
        check_udp_extras "$name"
        # open|filtered only after a second try (nmap's rule).
        drops=$(($(net_dropped_udp_count) - drops0))
        LAST="(target netns) nft list chain inet $NET_TABLE input"
        if [ "$drops" -ge $((2 * $(wc -w <<<"$UDP_DROP"))) ]; then
            pass
        else
            fail "${name}_silent_retried" "$drops datagrams to the $(wc -w <<<"$UDP_DROP") dropped ports"
        fi
        if [ "$run" = 1 ]; then
            expect_eq "${name}_scaninfo_udp" "$(grep -o '<scaninfo [^>]*>' "$T/$name.xml" |
                grep -o ' type="[^"]*" protocol="[^"]*"')" ' type="udp" protocol="udp"'
        fi
    done
done

# --- -sS -sU: both protocols in one run -----------------------------------
for fam in 4 6; do
    name=both$fam
    scan_outputs "$name" 1 "$fam"
    scan "$name" -sS -sU -p "T:1-65535,U:$UDP_LIST" -n -Pn "$IP" "${OUTS[@]}"
    expect_rc "${name}_rc" 0
    CHECK_PROTOS="tcp udp" CHECK_PROTO=tcp check_outputs "${name}_tcp" "$T/$name" "$IP" 1 65535 "${FORMATS[@]}"
    CHECK_PROTOS="tcp udp" check_outputs "${name}_udp" "$T/$name" "$IP" 1 65535 "${FORMATS[@]}"
    check_udp_extras "${name}_udp"
    expect_eq "${name}_scaninfo" "$(grep -o '<scaninfo [^>]*>' "$T/$name.xml" |
        grep -o ' type="[^"]*" protocol="[^"]*"' | tr '\n' ';')" \
        ' type="syn" protocol="tcp"; type="udp" protocol="udp";'
    # TCP first, then UDP (nmap's order).
    expect_eq "${name}_order" "$(awk -F'\t' '{ print $4 }' "$T/${name}_udp.all" | uniq | tr '\n' ' ')" "tcp udp "
done

# --- as nobody, no capability ---------------------------------------------
# nobody cannot write into $T: the JSON goes to standard output.
nobody_scan() {
    local name=$1
    shift
    LAST="(scanner netns) setpriv --reuid=65534 ... --inh-caps=-all portscope scan $*"
    net_exec_scan setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
        "$PORTSCOPE" scan "$@" -oJ - >"$T/out" 2>"$T/err"
    RC=$?
    cp "$T/out" "$T/$name.jsonl"
    expect_rc "${name}_rc" 0
}
nobody_scan nobody4 -sU -p "$UDP_LIST" -n -Pn "$NET_TGT4"
check_json nobody4 "$T/nobody4.jsonl" "$NET_TGT4" 1 65535
nobody_scan nobody6 -sT -sU -p "T:1-5000,U:$UDP_LIST" -n -Pn "$NET_TGT6"
CHECK_PROTOS="tcp udp" check_json nobody6_udp "$T/nobody6.jsonl" "$NET_TGT6" 1 65535
# A connect scan: connect(2) says refused, and no ICMP reason.
CHECK_PROTOS="tcp udp" CHECK_PROTO=tcp CHECK_CLOSED_REASON=conn-refused CHECK_ADMIN_REASON='' \
    check_json nobody6_tcp "$T/nobody6.jsonl" "$NET_TGT6" 1 5000

# --- SIGINT ---------------------------------------------------------------
LAST="(scanner netns) portscope scan -sU --max-rate 200 -p- $NET_TGT6 -oX -oJ -oG, then SIGINT"
scan_bg "$PORTSCOPE" scan -sU -p- -n -Pn --max-rate 200 "$NET_TGT6" \
    -oX "$T/sigint.xml" -oJ "$T/sigint.jsonl" -oG "$T/sigint.gnmap"
sleep 1
stop_scan sigint INT "$BG_PID"
check_interrupted sigint INT xml gnmap

# --- the kernel's default ICMP rate limit ---------------------------------
# Linux sends one ICMP error a second to a destination after a burst of 6
# (net.ipv4.icmp_ratelimit, net.ipv6.icmp.ratelimit: 1000 ms; and at most
# icmp_msgs_per_sec, 1000, with a burst of 50, in all), so a scanner that
# does not wait for the errors still to come calls closed ports
# open|filtered. A small set: 20 closed ports (with 2 rejected, 2 open and
# 2 dropped ones), exact states required.
net__sysctl "$NET_NS_TGT" net.ipv4.icmp_ratelimit=1000 net.ipv6.icmp.ratelimit=1000 \
    net.ipv4.icmp_msgs_per_sec=1000 net.ipv4.icmp_msgs_burst=50
read -r _ o1 o2 _ <<<"$UDP_OPEN"
read -r d1 d2 _ <<<"$UDP_DROP"
read -r a1 a2 _ <<<"$UDP_ADMIN"
rl_open="$o1 $o2"
rl_closed=$(net_random_ports 20 "5353 $UDP_PORTS")
rl_ports="$rl_open $d1 $d2 $a1 $a2 $rl_closed"
ports_sorted "$rl_open" >"$T/open.udp.want"
for fam in 4 6; do
    scan_outputs "ratelimit$fam" 2 "$fam"
    scan "ratelimit$fam" -sU -p "$(tr ' ' ',' <<<"$rl_ports")" -n -Pn "$IP" "${OUTS[@]}"
    expect_rc "ratelimit${fam}_rc" 0
    UDP_PORTS=$rl_ports check_json "ratelimit$fam" "$T/ratelimit$fam.jsonl" "$IP" 1 65535
    awk -F'\t' -v c=" $rl_closed " -v a=" $a1 $a2 " -v t="$fam" '
        index(c, " " $3 " ") { nc++; if ($5 == "open|filtered") bc++ }
        index(a, " " $3 " ") { na++; if ($5 == "open|filtered") ba++ }
        END { printf "rate limit, IPv%s: open|filtered: %d of %d closed ports, %d of %d rejected\n",
              t, bc, nc, ba, na }' "$T/ratelimit$fam.ports"
done
# Straight after, over IPv6 (scanned last): the target's bucket is empty
# when the next scan starts, so its first probes get no error whatever the
# port (bug: at -T4 a host that had sent no error yet had its silence
# trusted, and closed ports came out open|filtered); and one probe at a
# time (bug: with no slot for a canary, --max-parallelism 1 spun at full
# CPU and never ended).
read -r c1 c2 c3 c4 _ <<<"$rl_closed"
ports_sorted "" >"$T/open.udp.want"
scan drained -sU -T4 -p "$c1,$c2,$c3,$c4,$d1" -n -Pn "$NET_TGT6" -oJ "$T/drained.jsonl"
expect_rc drained_rc 0
UDP_PORTS="$c1 $c2 $c3 $c4 $d1" check_json drained "$T/drained.jsonl" "$NET_TGT6" 1 65535
LAST="(scanner netns) timeout 60 portscope scan -sU --max-parallelism 1"
net_exec_scan timeout 60 "$PORTSCOPE" scan -sU --max-parallelism 1 -p "$c1,$c2,$d1" -n -Pn \
    "$NET_TGT6" -oJ "$T/one.jsonl" >"$T/out" 2>"$T/err"
expect_eq one_at_a_time_rc $? 0
UDP_PORTS="$c1 $c2 $d1" check_json one_at_a_time "$T/one.jsonl" "$NET_TGT6" 1 65535
net__sysctl "$NET_NS_TGT" net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 \
    net.ipv4.icmp_msgs_per_sec=100000 net.ipv4.icmp_msgs_burst=100000

# --- late answers -----------------------------------------------------------
# ps-scan-target late:PORTS answers 150 ms after each datagram: after the
# scan's timeouts (some 10 ms here), so each answer finds its port decided
# open|filtered, or waiting for its next try. The host is reported only at
# the end of the scan, about 2 s later at --max-rate 400; until then the
# answer still decides the port. Ports probed in the last 150 ms cannot be
# found, so at least 3 of 10 is the bar (8 or so come out open); without
# the late answers none is.
late_ports=$(net_random_ports 10 "5353 $UDP_PORTS")
late_closed=$(net_random_ports 390 "5353 $UDP_PORTS $late_ports")
net_target late:"$(tr ' ' ',' <<<"$late_ports")"
LAST="(scanner netns) portscope -v -v scan -sU --max-rate 400 (10 late ports, 390 closed)"
net_exec_scan "$PORTSCOPE" -v -v scan -sU -n -Pn --max-rate 400 \
    -p "$(tr ' ' ',' <<<"$late_ports $late_closed")" "$NET_TGT4" -oJ "$T/late.jsonl" \
    >"$T/out" 2>"$T/err"
expect_eq late_rc $? 0
"$PS_JSON_CHECK" --print type --print port --print state --print reason <"$T/late.jsonl" |
    awk -F'\t' '$1 == "port"' >"$T/late.tsv"
expect_eq late_port_count "$(wc -l <"$T/late.tsv")" 400
late_open=$(awk -F'\t' -v l=" $late_ports " 'index(l, " " $2 " ") && $3 == "open" && $4 == "udp-response"' \
    "$T/late.tsv" | wc -l)
echo "late answers: $late_open of 10 late ports open"
expect_eq late_found "$((late_open >= 3))" 1
expect_eq late_others "$(awk -F'\t' -v l=" $late_ports " '
    index(l, " " $2 " ") ? ($3 != "open" && $3 != "open|filtered") : ($3 != "closed" || $4 != "port-unreach") { print $2 "/" $3 }' \
    "$T/late.tsv" | head -n 5 | tr '\n' ' ')" ""
expect_eq late_logged "$(grep -c 'still counted (late answers)' "$T/err")" 1

# --- every payload of a port ----------------------------------------------
# An mDNS responder on 5353 answers only the DNS-SD browse query, which is
# the third and fourth of nmap-payloads' four payloads for 5353 (the
# built-in one when that file is absent). nmap sends all four in one try,
# and so does portscope (a bug once: one payload a try, two tries, so
# never that query).
net_target mdns:5353
scan mdns -sU -p 5353 -n -Pn "$NET_TGT4" -oJ "$T/mdns.jsonl"
expect_rc mdns_rc 0
ports_sorted 5353 >"$T/open.udp.want"
UDP_PORTS=5353 UDP_OPEN=5353 check_json mdns "$T/mdns.jsonl" "$NET_TGT4" 1 65535

finish
