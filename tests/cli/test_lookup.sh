#!/usr/bin/env bash
# portscope lookup: keys, order, exit statuses 0/1/2, error messages, --json.
. "$(dirname "$0")/lib.sh"

# One port: every transport, the fixture merged into the built-in record.
run "${FIX[@]}" lookup 22
expect_rc lookup_port 0
expect_eq lookup_port_rows "$(table_column 1)" "22/tcp 22/sctp"
expect_out_has lookup_port_header "PORT"
expect_out_has lookup_port_sources "builtin,services"
expect_out_has lookup_port_alias "secure-shell"
expect_err_empty lookup_port_stderr
expect_no_escapes lookup_port_plain

# Several keys: answers in the order of the keys.
run "${FIX[@]}" lookup pst-beta 22/tcp pst-alpha/udp 47003
expect_rc lookup_order 0
expect_eq lookup_order_rows "$(table_column 1)" "47002/tcp 22/tcp 47001/udp 47003/tcp"
expect_eq lookup_order_names "$(table_column 2)" "pst-beta ssh pst-alpha pst-gamma"

# Names: any case, aliases, with a transport on either side.
run "${FIX[@]}" lookup PST-Alpha
expect_rc lookup_name_case 0
expect_eq lookup_name_case_rows "$(table_column 1)" "47001/tcp 47001/udp"
run "${FIX[@]}" lookup alphasvc
expect_eq lookup_alias_rows "$(table_column 1)" "47001/tcp"
run "${FIX[@]}" lookup ssh/tcp
expect_eq lookup_name_proto "$(table_column 1)" "22/tcp"
run "${FIX[@]}" lookup udp/pst-a
expect_eq lookup_proto_first "$(table_column 1)" "47001/udp"
run "${FIX[@]}" lookup 47001/udp
expect_eq lookup_port_proto "$(table_column 2)" "pst-alpha"

# A range key lists each port's records; a range record shows once.
run "${FIX[@]}" lookup 47001-47003
expect_rc lookup_range 0
expect_eq lookup_range_rows "$(table_column 1)" "47001/tcp 47001/udp 47002/tcp 47003/tcp"
run "${FIX[@]}" --registry "$IANA" lookup 47101-47103
expect_rc lookup_range_record 0
expect_eq lookup_range_record_rows "$(table_column 1)" "47100-47103/tcp"
run "${FIX[@]}" --registry "$IANA" lookup 47099-47101
expect_eq lookup_range_record_inside "$(table_column 1)" "47100-47103/tcp"

# Exit 1: a key matched nothing; the other keys are still answered.
run "${FIX[@]}" lookup 47999
expect_rc lookup_nomatch 1
expect_err_has lookup_nomatch_msg "nothing known about '47999'"
expect_out_empty lookup_nomatch_stdout
run "${FIX[@]}" lookup 22/tcp no-such-service-pst
expect_rc lookup_partial 1
expect_eq lookup_partial_rows "$(table_column 1)" "22/tcp"
expect_err_has lookup_partial_msg "no-such-service-pst"
run "${FIX[@]}" lookup pst-delta/udp
expect_rc lookup_wrong_proto 1

# Exit 2: malformed keys, each named with its problem; nothing printed.
run "${FIX[@]}" lookup 70000
expect_rc lookup_range_error 2
expect_err_has lookup_range_error_key "'70000'"
expect_err_has lookup_range_error_why "out of range"
run "${FIX[@]}" lookup 100-50
expect_rc lookup_reversed 2
expect_err_has lookup_reversed_key "100-50"
expect_err_has lookup_reversed_why "reversed"
run "${FIX[@]}" lookup 53/xyz
expect_rc lookup_transport 2
expect_err_has lookup_transport_key "53/xyz"
expect_err_has lookup_transport_why "unknown transport"
run "${FIX[@]}" lookup 22x
expect_rc lookup_junk 2
expect_err_has lookup_junk_key "'22x'"
expect_err_has lookup_junk_why "trailing junk"
run "${FIX[@]}" lookup 80-
expect_rc lookup_no_last 2
expect_err_has lookup_no_last_why "no last port"
run "${FIX[@]}" lookup a/b/c
expect_rc lookup_slashes 2
run "${FIX[@]}" lookup 22 70000 ssh
expect_rc lookup_bad_among_good 2
expect_out_empty lookup_bad_among_good_stdout
expect_err_has lookup_bad_among_good_msg "70000"
run "${FIX[@]}" lookup 70000 100-50
expect_rc lookup_two_bad 2
expect_err_has lookup_two_bad_first "70000"
expect_err_has lookup_two_bad_second "100-50"
run "${FIX[@]}" lookup
expect_rc lookup_no_key 2
expect_err_has lookup_no_key_msg "no key given"

# A name that starts like a number is fine when a service has that name.
printf 'pst-web 47070/tcp 8080x # odd alias\n' >"$T/numeric.txt"
run --no-system --services "$T/numeric.txt" lookup 8080x
expect_rc lookup_numeric_name 0
expect_eq lookup_numeric_name_rows "$(table_column 1)" "47070/tcp"

# --json: one object per record, with the documented keys.
run "${FIX[@]}" lookup --json 22 pst-alpha
expect_rc lookup_json 0
check lookup_json_valid json_check --lines 4 --require port --require proto \
    --require name --require aliases --require description --require source \
    --require sources --require class --forbid port_end
expect_eq lookup_json_names "$(json_values name)" "ssh ssh pst-alpha pst-alpha"
expect_eq lookup_json_ports "$(json_values port)" "22 22 47001 47001"
expect_eq lookup_json_protos "$(json_values proto)" "tcp sctp tcp udp"
expect_eq lookup_json_sources "$(json_values sources)" \
    '["builtin","services"] ["builtin"] ["services"] ["services"]'
expect_out_lacks lookup_json_no_table "PORT"
run "${FIX[@]}" --registry "$IANA" --json lookup 47102
check lookup_json_range json_check --lines 1 --require port_end
expect_eq lookup_json_range_ports "$(json_values port)-$(json_values port_end)" "47100-47103"
expect_eq lookup_json_range_source "$(json_values source)" "iana"
run "${FIX[@]}" --nmap-services "$NMAP" lookup --json 22/tcp
expect_eq lookup_json_frequency "$(json_values frequency)" "0.182286"

finish
