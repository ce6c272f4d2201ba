#!/usr/bin/env bash
# audit, list and who in a network namespace this test builds, with
# listeners it starts: a trojan port rates critical, Telnet on every
# interface high, Redis on loopback below high; list names each owner, one
# of them an unprivileged user; who names the owner and fails on a free
# port. Needs root and ip(8); skips cleanly without them.
set -u
. "$(dirname "$0")/../cli/lib.sh"
: "${PS_LISTEN:?PS_LISTEN must name the ps-listen helper}"

# skip WHY: the SKIP lines of the other namespace tests, then exit 77,
# which ctest reports as skipped (SKIP_RETURN_CODE in list.cmake).
skip() {
    echo "SKIP: $1"
    echo "0 passed, 0 failed, 1 skipped"
    exit 77
}
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! command -v runuser >/dev/null ||
    ! command -v setpriv >/dev/null; then
    skip "needs root, ip, runuser and setpriv"
fi
NS=ps-audit-$$
NS2=ps-audit2-$$ # a second one, that an unprivileged user cannot enter
ip netns add "$NS" 2>/dev/null || skip "cannot create a network namespace"

HOLDERS=()
cleanup() {
    for fd in "${HOLDERS[@]}"; do exec {fd}>&-; done
    wait 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    ip netns del "$NS2" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip -n "$NS" link set lo up
ip netns add "$NS2" || exit 1

# listen NAME [runuser-user] PROTO ADDR PORT: starts ps-listen in the
# namespace; sets PORT_<NAME> and PID_<NAME>.
listen() {
    local name=$1 user=$2
    shift 2
    local fifo=$T/fifo.$name
    mkfifo "$fifo"
    chmod 644 "$fifo"
    if [ "$user" = - ]; then
        ip netns exec "$NS" "$PS_LISTEN" "$@" <"$fifo" >"$T/port.$name" &
    else
        ip netns exec "$NS" runuser -u "$user" -- "$PS_LISTEN" "$@" <"$fifo" >"$T/port.$name" &
    fi
    exec {holder}>"$fifo"
    HOLDERS+=("$holder")
    for _ in $(seq 100); do [ -s "$T/port.$name" ] && break; sleep 0.05; done
    printf -v "PORT_$name" '%s' "$(cat "$T/port.$name")"
}
chmod 755 "$T"
listen telnet - tcp 0.0.0.0 23
listen trojan - udp 0.0.0.0 31337
listen trojan_lo - tcp 127.0.0.1 12345
listen redis - tcp 127.0.0.1 6379
listen mine nobody tcp 127.0.0.1 0
# Bound to a device: RDP on every address, but through lo only; a VNC
# server on every address of one veth end only.
PS_LISTEN_DEVICE=lo listen rdp_lo - tcp 0.0.0.0 3389
ip -n "$NS" link add ps-v0 type veth peer name ps-v1 2>/dev/null && HAVE_VETH=1 || HAVE_VETH=0
[ "$HAVE_VETH" = 1 ] && PS_LISTEN_DEVICE=ps-v0 listen vnc_v0 - tcp 0.0.0.0 5900

run_ns() {
    LAST="(netns) portscope $*"
    ip netns exec "$NS" "$PORTSCOPE" "$@" >"$T/out" 2>"$T/err"
    RC=$?
}
# severity_of PORT PROTO: the severity of the audit finding for it, or "none".
severity_of() {
    awk -v p="\"port\":$1," -v pr="\"proto\":\"$2\"" 'index($0, p) && index($0, pr) {
        match($0, /"severity":"[a-z]*"/); print substr($0, RSTART + 12, RLENGTH - 13); f = 1 }
        END { if (!f) print "none" }' "$T/out"
}

run_ns audit --json
expect_rc audit_rc 0
expect_eq audit_trojan_critical "$(severity_of 31337 udp)" critical
expect_eq audit_telnet_high "$(severity_of 23 tcp)" high
# A trojan's port is critical even on loopback: the listener is the harm.
expect_eq audit_trojan_loopback_critical "$(severity_of 12345 tcp)" critical
# Redis on loopback still deserves a finding (no password by default), below high.
case $(severity_of 6379 tcp) in
    low|medium) pass ;;
    *) fail audit_redis_loopback "Redis on loopback rated $(severity_of 6379 tcp)" ;;
esac
check audit_json_keys "$PS_JSON_CHECK" --require severity --require port --require proto \
    --require process --require reason --require action <"$T/out"
# field_of PORT PROTO KEY: KEY of the finding for PORT/PROTO.
field_of() {
    grep "\"port\":$1,\"proto\":\"$2\"" "$T/out" | "$PS_JSON_CHECK" --print "$3"
}
# ...with advice that fits a socket already on loopback.
case $(field_of 6379 tcp action) in
    *"bind 127.0.0.1"*) fail audit_redis_loopback_action "advice: $(field_of 6379 tcp action)" ;;
    *requirepass*protected-mode*) pass ;;
    *) fail audit_redis_loopback_action "advice: $(field_of 6379 tcp action)" ;;
esac
case $(severity_of 3389 tcp) in
    none|info|low|medium) pass ;;
    *) fail audit_rdp_on_lo "RDP bound to lo rated $(severity_of 3389 tcp)" ;;
esac
expect_eq audit_rdp_on_lo_exposure "$(field_of 3389 tcp exposure) $(field_of 3389 tcp interface)" \
    "loopback lo"
if [ "$HAVE_VETH" = 1 ]; then
    expect_eq audit_vnc_on_veth "$(field_of 5900 tcp exposure) $(field_of 5900 tcp interface)" \
        "interface ps-v0"
fi

run_ns audit --fail-on high
expect_rc audit_fail_on_high 1
expect_out_has audit_text_critical "CRITICAL  31337/udp"
expect_out_has audit_text_action "fix: "
run_ns audit --fail-on severe
expect_rc audit_bad_level 2

run_ns
expect_rc default_job_is_audit 0
expect_out_has default_job_summary "portscope audit: "
# The default job takes the audit's options without the word.
run_ns --fail-on high
expect_rc default_job_fail_on 1
expect_out_has default_job_fail_on_text "CRITICAL  31337/udp"
run_ns --json --fail-on critical
expect_rc default_job_json_fail_on 1
expect_eq default_job_json_trojan "$(severity_of 31337 udp)" critical

run_ns list --json --port "$PORT_mine"
expect_eq list_nobody_owner "$(json_values user) $(json_values process)" "nobody ps-listen"
# A device-bound socket shows its interface, as ss does.
run_ns --no-color list -t --port 3389
expect_out_has list_rdp_lo_local "*%lo:3389"
run_ns list --json --port 3389
expect_eq list_rdp_lo_interface "$(json_values local_addr) $(json_values interface)" "* lo"
run_ns list --json --port 23
expect_eq list_unbound_interface "$(json_values interface)" "null"
if [ "$HAVE_VETH" = 1 ]; then
    run_ns who --json 5900
    expect_eq who_vnc_interface "$(json_values interface)" "ps-v0"
fi
# In a registered range (kube-nodeport), a port is named by its own record.
run_ns list --json --port 31337
expect_eq list_service_in_range "$(json_values service)" "back-orifice"
run_ns list --json --port 23
expect_eq list_root_owner "$(json_values user) $(json_values local_addr)" "root *"

run_ns who 23
expect_rc who_rc 0
expect_out_has who_process "process  ps-listen"
expect_out_has who_since "since "
run_ns who --json telnet
expect_rc who_by_name 0
run_ns who 24
expect_rc who_free_port 1
expect_err_has who_free_msg "nothing uses 24"
run_ns who 70000
expect_rc who_bad_port 2

# From outside: --netns agrees with running inside (but for the label).
run_ns list --json --port 23
sed 's/"netns":null/"netns":"'"$NS"'"/' "$T/out" >"$T/inside"
run --netns "$NS" list --json --port 23
check netns_agrees cmp -s "$T/out" "$T/inside"
run --netns "/var/run/netns/$NS" who 23
expect_rc netns_path 0
run --all-netns list --json --port 31337
expect_rc all_netns 0
expect_out_has all_netns_label "\"netns\":\"$NS\""
run --all-netns audit --json
expect_out_has all_netns_audit_label "\"netns\":\"$NS\""
run --netns "$NS" who --json 23
expect_out_has netns_who_label "\"netns\":\"$NS\""
run --netns no-such-netns-zz list
expect_rc netns_missing 2
expect_err_has netns_missing_msg "no-such-netns-zz"
run --netns "$NS" --all-netns list
expect_rc netns_and_all_netns 2
expect_err_has netns_and_all_netns_msg "cannot be used together"

# --all-netns as an unprivileged user: its own namespace is read without
# entering it; the others are skipped, with one warning saying how many.
LAST="(netns, nobody) portscope --all-netns list --json --port $PORT_mine"
ip netns exec "$NS" setpriv --reuid=65534 --regid=65534 --clear-groups \
    env PORTSCOPE_CACHE_DIR="$T/nobody-cache" \
    "$PORTSCOPE" --all-netns list --json --port "$PORT_mine" >"$T/out" 2>"$T/err"
RC=$?
expect_rc all_netns_nobody_rc 0
expect_eq all_netns_nobody_row "$(json_values local_port) $(json_values netns)" "$PORT_mine $NS"
expect_err_has all_netns_nobody_why "needs root"
check all_netns_nobody_one_warning test "$(grep -c 'skipped' "$T/err")" -eq 1
expect_err_lacks all_netns_nobody_no_error "cannot enter"

# As an unprivileged user: its own socket's owner is seen, and the hidden
# owners of other users' sockets are mentioned.
LAST="(netns, nobody) portscope list --json --port $PORT_mine"
ip netns exec "$NS" runuser -u nobody -- env PORTSCOPE_CACHE_DIR="$T/nobody-cache" \
    "$PORTSCOPE" list --json --port "$PORT_mine" >"$T/out" 2>"$T/err"
RC=$?
expect_rc nobody_rc 0
expect_eq nobody_owner "$(json_values user) $(json_values process)" "nobody ps-listen"
expect_err_has nobody_hidden_note "could not be inspected"
# Root's socket: its owner is hidden from nobody, but not whose it is.
LAST="(netns, nobody) portscope list --port 23"
ip netns exec "$NS" runuser -u nobody -- env PORTSCOPE_CACHE_DIR="$T/nobody-cache" \
    "$PORTSCOPE" --no-color list --port 23 >"$T/out" 2>"$T/err"
RC=$?
expect_eq nobody_sees_root_user "$(table_column 6) $(table_column 7)" "- root"
ip netns exec "$NS" runuser -u nobody -- env PORTSCOPE_CACHE_DIR="$T/nobody-cache" \
    "$PORTSCOPE" list --json --port 23 >"$T/out" 2>"$T/err"
expect_eq nobody_sees_root_user_json "$(json_values pid) $(json_values user)" "null root"
ip netns exec "$NS" runuser -u nobody -- env PORTSCOPE_CACHE_DIR="$T/nobody-cache" \
    "$PORTSCOPE" audit --json >"$T/out" 2>"$T/err"
expect_eq nobody_audit_root_user "$(field_of 23 tcp pid) $(field_of 23 tcp user)" "null root"

# Outside the namespace, none of these sockets is seen.
run list --json --port 31337
check netns_isolated test ! -s "$T/out"
finish
