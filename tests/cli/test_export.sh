#!/usr/bin/env bash
# portscope export: the three formats, -o FILE, and the services round trip.
. "$(dirname "$0")/lib.sh"

run "${FIX[@]}" summary --json
records=$("$PS_JSON_CHECK" --print records <"$T/out")
check export_records_known test "$records" -gt 600

# services (the default)
run "${FIX[@]}" export
expect_rc export_services 0
cp "$T/out" "$T/default.txt"
run "${FIX[@]}" export --format services
expect_rc export_services_explicit 0
check export_services_is_default cmp -s "$T/out" "$T/default.txt"
check export_services_comment grep -q '^# ' "$T/out"
check export_services_ssh grep -qE '^ssh +22/tcp secure-shell'$'\t''# ' "$T/out"
check export_services_fixture grep -qE '^pst-alpha +47001/udp pst-a'$'\t''# Portscope test alpha over UDP$' "$T/out"
check export_services_range_expanded grep -qE '^x11 +6063/tcp' "$T/out"
check export_services_only_entries awk '!/^#/ && !/^[^ \t#]+ +[0-9]+\/(tcp|udp|sctp|dccp|ddp)( |\t|$)/ { bad = 1 } END { exit bad }' "$T/out"
expect_err_empty export_services_stderr
cp "$T/out" "$T/export1.txt"

# Round trip: the services export read back as the services file.
run --no-system --services "$T/export1.txt" export --format services
expect_rc export_round_trip 0
cp "$T/out" "$T/export2.txt"
expect_err_empty export_round_trip_no_bad_lines
# Ranges come back one record per port, beside the built-in range record,
# so their lines are doubled; apart from that the export is unchanged.
awk '!seen[$0]++' "$T/export2.txt" >"$T/export2.dedup"
check export_round_trip_same_lines cmp -s "$T/export1.txt" "$T/export2.dedup"
# Was a bug: the strict round trip failed: every re-import doubled the lines of
# range records (kdeconnect 1714-1764, x11 6000-6063, ...).
if regression "export | --services | export is not stable for range records"; then
    check export_round_trip_identical cmp -s "$T/export1.txt" "$T/export2.txt"
fi

# csv
run "${FIX[@]}" export --format csv
expect_rc export_csv 0
expect_eq export_csv_header "$(head -n 1 "$T/out")" \
    '"port","port_end","proto","name","aliases","description","source","class","frequency"'
expect_out_has export_csv_quotes \
    '"47002","47002","tcp","pst-beta","","Beta test service, says ""hi"", then waits","services","user",""'
expect_out_has export_csv_alias '"47001","47001","tcp","pst-alpha","pst-a alphasvc",'
expect_out_has export_csv_range '"6000","6063","tcp","x11",'
expect_eq export_csv_rows "$(($(wc -l <"$T/out") - 1))" "$records"

# json, by --format or --json
run "${FIX[@]}" export --format json
expect_rc export_json 0
check export_json_valid json_check --lines "$records" --require port \
    --require proto --require name --require aliases --require description \
    --require source --require class
cp "$T/out" "$T/export.json"
run "${FIX[@]}" --json export
check export_json_flag cmp -s "$T/out" "$T/export.json"
grep '"name":"x11"' "$T/export.json" >"$T/out"
check export_json_range json_check --lines 1 --require port_end
grep '"name":"pst-beta"' "$T/export.json" >"$T/out"
check export_json_single json_check --lines 1 --forbid port_end
expect_eq export_json_ports "$(json_values port)/$(json_values proto)" "47002/tcp"

# -o FILE writes the file (atomically) and nothing on stdout.
mkdir "$T/dir"
run "${FIX[@]}" export --format csv -o "$T/dir/out.csv"
expect_rc export_output 0
expect_out_empty export_output_stdout
check export_output_file test -s "$T/dir/out.csv"
expect_eq export_output_first_line "$(head -n 1 "$T/dir/out.csv")" \
    '"port","port_end","proto","name","aliases","description","source","class","frequency"'
expect_eq export_output_no_temp "$(ls "$T/dir")" "out.csv"
run "${FIX[@]}" export --output="$T/dir/out.txt"
check export_output_services cmp -s "$T/dir/out.txt" "$T/default.txt"
echo stale >"$T/dir/out.txt"
run "${FIX[@]}" export -o "$T/dir/out.txt"
check export_output_replaces cmp -s "$T/dir/out.txt" "$T/default.txt"
run "${FIX[@]}" export -o -
check export_output_dash cmp -s "$T/out" "$T/default.txt"
# A symbolic link is followed: the file it names gets the export.
echo old >"$T/dir/target.txt"
ln -s target.txt "$T/dir/link"
run "${FIX[@]}" export -o "$T/dir/link"
expect_rc export_output_link 0
check export_output_link_kept test -L "$T/dir/link"
check export_output_link_target cmp -s "$T/dir/target.txt" "$T/default.txt"
# Something that is not a regular file is written to, not replaced.
mkfifo "$T/fifo"
cat "$T/fifo" >"$T/fifo.out" &
reader=$!
run "${FIX[@]}" export --format csv -o "$T/fifo"
expect_rc export_output_fifo 0
if [ -p "$T/fifo" ]; then
    pass
    # The reader sees the end once a writer closes; if the export failed,
    # maybe before opening the FIFO, be that writer (read-write: no wait).
    [ "$RC" -eq 0 ] || (exec 3<>"$T/fifo")
    wait "$reader"
else
    fail export_output_fifo_kept "the FIFO was replaced"
    kill "$reader" 2>/dev/null # it would wait for a writer forever
    wait "$reader" 2>/dev/null
fi
expect_eq export_output_fifo_data "$(head -n 1 "$T/fifo.out")" \
    '"port","port_end","proto","name","aliases","description","source","class","frequency"'
run "${FIX[@]}" export -o "$T/no-such-dir/out.txt"
expect_rc export_output_bad_dir 2
expect_err_has export_output_bad_dir_msg "$T/no-such-dir/out.txt"

# Usage errors.
run "${FIX[@]}" export --format xml
expect_rc export_bad_format 2
expect_err_has export_bad_format_msg "unknown format 'xml'"
run "${FIX[@]}" export extra
expect_rc export_extra 2
expect_err_has export_extra_msg "unexpected argument 'extra'"
run "${FIX[@]}" export --format
expect_rc export_format_no_value 2
expect_err_has export_format_no_value_msg "needs a value"

finish
