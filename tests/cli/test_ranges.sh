#!/usr/bin/env bash
# portscope ranges: RFC 6335 classes and host settings from a fake /proc.
. "$(dirname "$0")/lib.sh"

# make_proc DIR RANGE UNPRIV RESERVED: a fake proc root; "-" leaves a file out.
make_proc() {
    local d=$1/sys/net/ipv4
    mkdir -p "$d"
    [ "$2" = - ] || printf '%s' "$2" >"$d/ip_local_port_range"
    [ "$3" = - ] || printf '%s' "$3" >"$d/ip_unprivileged_port_start"
    [ "$4" = - ] || printf '%s' "$4" >"$d/ip_local_reserved_ports"
}

make_proc "$T/full" $'32768\t60999\n' $'1024\n' $'8080,9000-9100\n'
make_proc "$T/empty" - - -
make_proc "$T/bad" $'60999 32768\n' $'abc\n' $'x\n'
make_proc "$T/none" $'1024 65535\n' $'0\n' $'\n'

run "${FIX[@]}" ranges --proc-root "$T/full"
expect_rc ranges_text 0
expect_out_has ranges_text_system "system       0-1023"
expect_out_has ranges_text_user "user      1024-49151"
expect_out_has ranges_text_dynamic "dynamic  49152-65535"
expect_out_has ranges_text_root "This host ($T/full)"
expect_out_has ranges_text_ephemeral "ephemeral range     32768-60999 (28232 ports)"
expect_out_has ranges_text_unpriv "unprivileged start  1024 (ports below need privilege)"
expect_out_has ranges_text_reserved "reserved ports      8080,9000-9100"
expect_err_empty ranges_text_stderr
expect_no_escapes ranges_text_plain

# The class record counts add up to the registry's record count.
run "${FIX[@]}" summary --json
total=$("$PS_JSON_CHECK" --print records <"$T/out")
run "${FIX[@]}" --json ranges --proc-root "$T/full"
expect_rc ranges_json 0
check ranges_json_valid json_check --lines 1 --require classes --require host \
    --require host.ephemeral --require host.reserved
expect_eq ranges_json_classes \
    "$(json_values classes.0.class) $(json_values classes.1.class) $(json_values classes.2.class)" \
    "system user dynamic"
expect_eq ranges_json_bounds \
    "$(json_values classes.1.first)-$(json_values classes.1.last)" "1024-49151"
sum=$(( $(json_values classes.0.records) + $(json_values classes.1.records) + \
        $(json_values classes.2.records) ))
expect_eq ranges_json_counts "$sum" "$total"
expect_eq ranges_json_ephemeral \
    "$(json_values host.ephemeral.first)-$(json_values host.ephemeral.last)" "32768-60999"
expect_eq ranges_json_unpriv "$(json_values host.unprivileged_port_start)" "1024"
expect_eq ranges_json_reserved "$(json_values host.reserved)" \
    '[{"first":8080,"last":8080},{"first":9000,"last":9100}]'

# Missing files: unknown / null, and no complaint.
run "${FIX[@]}" ranges --proc-root "$T/empty"
expect_rc ranges_missing 0
expect_out_has ranges_missing_ephemeral "ephemeral range     unknown"
expect_out_has ranges_missing_unpriv "unprivileged start  unknown"
expect_out_has ranges_missing_reserved "reserved ports      unknown"
expect_err_empty ranges_missing_stderr
mkdir -p "$T/empty"
run "${FIX[@]}" ranges --json --proc-root "$T/empty"
expect_rc ranges_missing_json_rc 0
expect_eq ranges_missing_json "$(json_values host)" \
    '{"ephemeral":null,"unprivileged_port_start":null,"reserved":null}'
# A root that does not exist is a usage error, not three unknowns.
run "${FIX[@]}" ranges --json --proc-root "$T/does-not-exist"
expect_rc ranges_missing_root 2
expect_err_has ranges_missing_root_msg "does-not-exist is not a directory"

# Malformed files: unknown; warnings only with -v.
run "${FIX[@]}" ranges --proc-root "$T/bad"
expect_rc ranges_bad 0
expect_eq ranges_bad_unknowns "$(grep -c 'unknown$' "$T/out")" "3"
run "${FIX[@]}" -v ranges --proc-root "$T/bad"
expect_rc ranges_bad_verbose 0
expect_err_has ranges_bad_warn_range "$T/bad/sys/net/ipv4/ip_local_port_range"
expect_err_has ranges_bad_warn_unpriv "ip_unprivileged_port_start"
expect_err_has ranges_bad_warn_reserved "ip_local_reserved_ports"
run "${FIX[@]}" ranges --json --proc-root "$T/bad"
expect_eq ranges_bad_json "$(json_values host)" \
    '{"ephemeral":null,"unprivileged_port_start":null,"reserved":null}'

# An empty reserved list.
run "${FIX[@]}" ranges --proc-root "$T/none"
expect_out_has ranges_none_reserved "reserved ports      none"
expect_out_has ranges_none_unpriv "unprivileged start  0 "
run "${FIX[@]}" ranges --proc-root "$T/none" --json
expect_eq ranges_none_json "$(json_values host.reserved)" "[]"

# Usage errors.
run "${FIX[@]}" ranges extra
expect_rc ranges_extra 2
expect_err_has ranges_extra_msg "unexpected argument 'extra'"
run "${FIX[@]}" ranges --proc-root
expect_rc ranges_no_value 2
expect_err_has ranges_no_value_msg "needs a value"

finish
