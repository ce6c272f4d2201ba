#!/usr/bin/env bash
# portscope list on real sockets: listeners this test opens are found with
# their port, state, address and owner.
set -u
. "$(dirname "$0")/../cli/lib.sh"
: "${PS_LISTEN:?PS_LISTEN must name the ps-listen helper}"

# start_listener PROTO ADDR: starts ps-listen, sets LPORT and LPID; the
# listener lives until its stdin (a FIFO held open here) is closed.
start_listener() {
    local fifo=$T/fifo.$1.$RANDOM
    mkfifo "$fifo"
    "$PS_LISTEN" "$1" "$2" <"$fifo" >"$T/port.$1" &
    LPID=$!
    exec {holder}>"$fifo"
    HOLDERS+=("$holder")
    for _ in $(seq 50); do [ -s "$T/port.$1" ] && break; sleep 0.05; done
    LPORT=$(cat "$T/port.$1")
}
HOLDERS=()
# fields KEY...: the values of KEYs in the single JSON line of the output.
fields() { for k; do json_values "$k"; echo; done | tr '\n' ' ' | sed 's/ $//'; }
stop_all() { for fd in "${HOLDERS[@]}"; do exec {fd}>&-; done; wait; }

start_listener tcp 127.0.0.1
TPORT=$LPORT TPID=$LPID
start_listener udp ::1
UPORT=$LPORT UPID=$LPID

run list --port "$TPORT" --json
expect_rc list_tcp 0
expect_eq list_tcp_fields "$(fields proto state local_addr local_port pid process)" \
    "tcp LISTEN 127.0.0.1 $TPORT $TPID ps-listen"

run list -up --port "$UPORT" --json
expect_rc list_udp 0
expect_eq list_udp_fields "$(fields proto state local_addr local_port pid)" \
    "udp UNCONN ::1 $UPORT $UPID"

# As with ss, selection flags without -p leave owners out; the socket's
# user is still known (the kernel says whose socket it is), in the table
# as in JSON.
run list -u --port "$UPORT" --json
expect_eq list_no_p_no_owner "$(json_values pid)" "null"
expect_eq list_no_p_user "$(json_values user)" "$(id -un)"
run --no-color list -u --port "$UPORT"
expect_eq list_no_p_user_column "$(table_column 7)" "$(id -un)"

run list -t --port "$UPORT"
expect_rc list_tcp_only 0
expect_out_lacks list_tcp_only_no_udp ":$UPORT "

run list -4 --port "$UPORT" --json
check list_v4_excludes_v6 test ! -s "$T/out"

run --no-color list
expect_rc list_table 0
expect_out_has list_table_header "PROTO  STATE"
expect_out_has list_table_tcp "127.0.0.1:$TPORT"
expect_out_has list_table_udp "[::1]:$UPORT"
expect_out_has list_table_owner "ps-listen/$TPID"

run list --user "$(id -un)" --port "$TPORT" --json
expect_eq list_user "$(json_values local_port)" "$TPORT"
run list --user no-such-user-zz
expect_rc list_bad_user 2
expect_err_has list_bad_user_msg "no-such-user-zz"
run list --port 70000
expect_rc list_bad_port 2
run list --proto icmp
expect_rc list_bad_proto 2
run list extra
expect_rc list_extra_arg 2

# A socket shared after fork has two owners; who shows both.
PS_LISTEN_FORK=1 start_listener tcp 127.0.0.1
run who --json "$LPORT"
expect_rc who_shared 0
check who_two_owners test "$(wc -l <"$T/out")" -eq 2
check who_two_pids test "$("$PS_JSON_CHECK" --print pid <"$T/out" | sort -u | wc -l)" -eq 2

run who 0
expect_rc who_port_zero 2
run list --port 0
expect_rc list_port_zero 2
run list --user 4294967296
expect_rc list_uid_range 2

# A process name with an escape character reaches no terminal raw.
BAD="$T/bad$(printf '\033')[2J"
cp "$PS_LISTEN" "$BAD"
PS_LISTEN=$BAD start_listener tcp 127.0.0.1
BPORT=$LPORT
run --no-color list --port "$BPORT"
expect_out_has list_escaped_name 'bad\x1b[2J'
check list_no_raw_escape bash -c "! grep -q \$'\\033' '$T/out'"
run list --json --port "$BPORT"
expect_eq list_escaped_json "$(json_values process)" 'bad\x1b[2J'

# Out of descriptors for the owner walk (it needs three at once, so two
# spare are too few): the sockets are still listed, without owners, and
# stderr names the real cause; never a usage error about a missing file.
# The dump runs beside the walk and needs one descriptor too, so a run may
# lose it to the walk (exit 3); one run in five must get through.
few_fds_ok=0
for _ in 1 2 3 4 5; do
    LAST="(ulimit -n 5) portscope list -tp --port $TPORT --json"
    (ulimit -n 5 && exec "$PORTSCOPE" list -tp --port "$TPORT" --json) >"$T/out" 2>"$T/err"
    RC=$?
    check list_few_fds_not_usage test "$RC" -ne 2
    expect_err_lacks list_few_fds_not_enoent "no such file"
    if [ "$RC" = 0 ]; then
        few_fds_ok=1
        break
    fi
done
expect_rc list_few_fds 0
check list_few_fds_one_run test "$few_fds_ok" = 1
expect_eq list_few_fds_socket "$(json_values local_port) $(json_values pid)" "$TPORT null"
expect_err_has list_few_fds_msg "out of file descriptors"
expect_err_has list_few_fds_note "listed without owners"

stop_all
run list --port "$TPORT" --json
check list_gone test ! -s "$T/out"
finish
