#!/usr/bin/env bash
# portscope scan on loopback, without root: options, usage errors (exit 2,
# the bad part named, before any probe), and every output format of a small
# scan of closed ports. Open and filtered ports, IPv6 and interruption are
# covered in namespaces by tests/net/test_scan_connect.sh.
. "$(dirname "$0")/lib.sh"

run scan --help
expect_rc scan_help 0
expect_out_has scan_help_usage "Usage: portscope scan [OPTIONS] TARGET..."
expect_out_has scan_help_oj "-oJ FILE"
expect_out_has scan_help_shard "--shard K/N"

run "${FIX[@]}" scan
expect_rc scan_no_target 2
expect_err_has scan_no_target_msg "no target given"

run "${FIX[@]}" scan -p 70000 127.0.0.1
expect_rc scan_bad_port 2
expect_err_has scan_bad_port_msg "70000"

run "${FIX[@]}" scan -p 1 127.0.0.300
expect_rc scan_bad_target 2
expect_err_has scan_bad_target_msg "127.0.0.300"

run "${FIX[@]}" scan -sT -sS -p 1 127.0.0.1
expect_rc scan_two_tcp_types 2
expect_err_has scan_two_tcp_types_msg "choose one"

# Without CAP_NET_RAW, -sS says so and points at -sT; nothing else is
# chosen in its place.
if [ "$(id -u)" -ne 0 ]; then
    run "${FIX[@]}" scan -sS -n -p 1 127.0.0.1
    expect_rc scan_syn_unprivileged 3
    expect_err_has scan_syn_suggests_st "-sT"
else
    # -S of the other family than the target: refused, not ignored.
    run "${FIX[@]}" scan -sS -n -p 1 -S ::1 127.0.0.1
    expect_rc scan_syn_source_family 3
    expect_err_has scan_syn_source_family_msg "-S ::1 cannot be the source"
fi
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    LAST="(as nobody) portscope --no-system scan -sS -n -p 1 127.0.0.1"
    (cd / && setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
        "$PORTSCOPE" --no-system scan -sS -n -p 1 127.0.0.1) >"$T/out" 2>"$T/err"
    RC=$?
    expect_rc scan_syn_unprivileged 3
    expect_err_has scan_syn_suggests_st "-sT"
fi

run "${FIX[@]}" scan -sX -p 1 127.0.0.1
expect_rc scan_bad_type 2
expect_err_has scan_bad_type_msg "-sX"

run "${FIX[@]}" scan -T7 -p 1 127.0.0.1
expect_rc scan_bad_template 2
expect_err_has scan_bad_template_msg "-T0 to -T5"

run "${FIX[@]}" scan --shard 3/2 -p 1 127.0.0.1
expect_rc scan_bad_shard 2
expect_err_has scan_bad_shard_msg "--shard"

run "${FIX[@]}" scan --host-timeout 5x -p 1 127.0.0.1
expect_rc scan_bad_time 2
expect_err_has scan_bad_time_msg "not a time"

run "${FIX[@]}" scan -p 1 -oX "$T/no/such/dir/out.xml" 127.0.0.1
expect_rc scan_unwritable_output 2
expect_err_has scan_unwritable_output_msg "$T/no/such/dir/out.xml"

# Ports 1-3 of 127.0.0.1: nothing listens there on any sane host.
run "${FIX[@]}" scan -n -p 1-3 -oA "$T/all" 127.0.0.1
expect_rc scan_closed 0
expect_out_has scan_closed_report "portscope scan report for 127.0.0.1"
expect_out_has scan_closed_ports "closed"
for ext in nmap xml gnmap jsonl; do
    check "scan_oa_$ext" test -s "$T/all.$ext"
done
if command -v xmllint >/dev/null && [ -r /usr/share/nmap/nmap.dtd ]; then
    check scan_xml_valid xmllint --noout --dtdvalid /usr/share/nmap/nmap.dtd "$T/all.xml"
fi
check scan_grep_ports grep -q "1/closed/tcp" "$T/all.gnmap"
"$PS_JSON_CHECK" --require type --print type --print port --print state \
    <"$T/all.jsonl" >"$T/json.tsv" 2>"$T/json.err"
expect_eq scan_json_lines "$(tr '\t' ' ' <"$T/json.tsv")" "port 1 closed
port 2 closed
port 3 closed
summary (missing) (missing)"

# -oJ - puts JSON Lines on standard output instead of the normal text.
run "${FIX[@]}" scan -n -p 1 -oJ - 127.0.0.1
expect_rc scan_json_stdout 0
expect_out_has scan_json_stdout_port '"type":"port"'
expect_out_lacks scan_json_stdout_no_text "scan report"

# A UDP port without a UDP scan is skipped with a warning, not an error.
run "${FIX[@]}" scan -n -p T:1,U:53 127.0.0.1
expect_rc scan_udp_warning 0
expect_err_has scan_udp_warning_msg "UDP ports given"

# nmap's one-dash long options and option clusters are understood.
run "${FIX[@]}" scan -n -Pn -sT -T4 --max-retries 1 -p1 127.0.0.1 --reason
expect_rc scan_nmap_style 0
expect_out_has scan_reason_column "conn-refused"

# --stats-every prints progress lines on standard error (not a terminal
# here, so no bar). Regression: the callback read the wrong struct.
run "${FIX[@]}" scan -n -p 1-300 --stats-every 1ms 127.0.0.1
expect_rc scan_stats_every 0
expect_err_has scan_stats_every_line "Stats: "
expect_err_has scan_stats_every_done "100.0% done"

# A usage error found while setting the scan up (timing bounds) leaves an
# existing output file alone: files are created only for a scan that runs.
echo keep >"$T/prev.nmap"
run "${FIX[@]}" scan -n -p 1 --min-rtt-timeout 2s --max-rtt-timeout 1s -oN "$T/prev.nmap" 127.0.0.1
expect_rc scan_timing_conflict 2
expect_eq scan_timing_conflict_file_kept "$(cat "$T/prev.nmap")" keep

# One bound past the template's other is not a conflict: the other follows
# it, as in nmap (bug: --max-rtt-timeout 20ms was "a minimum is above its
# maximum", against the template's 100 ms minimum).
run "${FIX[@]}" scan -n -p 1 --max-rtt-timeout 20ms 127.0.0.1
expect_rc scan_max_rtt_below_template_min 0
run "${FIX[@]}" scan -n -p 1 -T5 --min-rtt-timeout 2s 127.0.0.1
expect_rc scan_min_rtt_above_template_max 0

finish
