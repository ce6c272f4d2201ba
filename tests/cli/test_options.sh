#!/usr/bin/env bash
# Global options, help, usage errors, registry sources, colour.
. "$(dirname "$0")/lib.sh"

# Help and version.
run --help
expect_rc help 0
expect_out_has help_usage "Usage: portscope"
expect_out_has help_lists_lookup "  lookup "
expect_err_empty help_stderr
run help
expect_rc help_cmd 0
expect_out_has help_cmd_usage "Usage: portscope"
run help lookup
expect_rc help_lookup 0
expect_out_has help_lookup_usage "Usage: portscope lookup"
run lookup --help
expect_rc lookup_help 0
expect_out_has lookup_help_usage "Usage: portscope lookup"
run export -h
expect_rc export_help 0
expect_out_has export_help_usage "Usage: portscope export"
run help frobnicate
expect_rc help_unknown 2
expect_err_has help_unknown_msg "unknown command 'frobnicate'"
run --version
expect_rc version 0
check version_format grep -qE '^portscope [0-9]+\.[0-9]+\.[0-9]+$' "$T/out"

# Unknown options, commands, missing values: exit 2 and a message. Before
# a command there is no command to name in the message or the hint.
run --bogus
expect_rc unknown_option 2
expect_err_has unknown_option_msg "portscope: unknown option '--bogus'"
expect_err_has unknown_option_hint "Try 'portscope --help'."
expect_err_lacks unknown_option_doubled "portscope: portscope:"
expect_out_empty unknown_option_stdout
run lookup --bogus 22
expect_rc unknown_option_sub 2
expect_err_has unknown_option_sub_msg "lookup: unknown option '--bogus'"
expect_err_has unknown_option_sub_hint "Try 'portscope lookup --help'."
run -x
expect_rc unknown_short 2
expect_err_has unknown_short_msg "unknown option '-x'"
run frobnicate
expect_rc unknown_command 2
expect_err_has unknown_command_msg "unknown command 'frobnicate'"
expect_err_has unknown_command_hint "Try 'portscope --help'."
run --registry
expect_rc missing_value 2
expect_err_has missing_value_msg "option '--registry' needs a value"
expect_err_has missing_value_hint "Try 'portscope --help'."
run lookup 22 --services
expect_rc missing_value_sub 2
expect_err_has missing_value_sub_msg "option '--services' needs a value"
run search -n
expect_rc missing_value_short 2
expect_err_has missing_value_short_msg "option '-n' needs a value"
run "${FIX[@]}" summary extra
expect_rc summary_extra 2

# Global options before or after the command, in any order.
run "${FIX[@]}" lookup pst-beta
expect_rc global_before 0
cp "$T/out" "$T/expected"
check global_before_found grep -q '^47002/tcp  *pst-beta' "$T/expected"
run lookup pst-beta --no-system --services "$SERVICES"
check global_after cmp -s "$T/out" "$T/expected"
run lookup --services="$SERVICES" pst-beta --no-system
check global_mixed cmp -s "$T/out" "$T/expected"
run --no-system lookup --services "$SERVICES" pst-beta
check global_split cmp -s "$T/out" "$T/expected"
run --json "${FIX[@]}" lookup pst-beta
check global_json_before json_check --lines 1
run "${FIX[@]}" lookup pst-beta --json
check global_json_after json_check --lines 1
# Without the fixture the name is unknown.
run --no-system lookup pst-beta
expect_rc fixture_needed 1

# The summary of the registry.
run "${FIX[@]}" summary
expect_rc summary_default 0
expect_out_has summary_builtin "builtin"
expect_out_has summary_services "$SERVICES"
# No command: the audit of this host.
run "${FIX[@]}"
expect_rc no_command_audit 0
expect_out_has no_command_audit_summary "portscope audit: "
run "${FIX[@]}" --json summary
check summary_json json_check --lines 1 --require sources --require records \
    --require by_proto.tcp --require by_class.system
expect_eq summary_json_sources "$(json_values sources.0.source) $(json_values sources.1.source)" \
    "builtin services"
expect_eq summary_json_skipped "$(json_values sources.1.skipped)" "0"

# A named file with malformed lines: a one-line warning, or each with -v.
BAD=$DATA/services-malformed.txt
run "${FIX[@]}" lookup 22
expect_err_empty services_clean
run --no-system --services "$BAD" lookup 47085
expect_rc services_malformed 0
expect_err_has services_malformed_warning \
    "$BAD: 2 malformed lines skipped (first at line 4; -v lists them)"
run --no-system --registry "$BAD" lookup 47080
expect_rc registry_malformed 0
expect_err_has registry_malformed_warning "$BAD: 2 malformed lines skipped"
run -v --no-system --registry "$BAD" lookup 47080
expect_err_has registry_verbose_line4 "$BAD:4:"
expect_err_has registry_verbose_line6 "$BAD:6:"
expect_err_lacks registry_verbose_no_summary "malformed lines skipped"

# --registry and PORTSCOPE_REGISTRY add sources, detected by content.
run "${FIX[@]}" --registry "$IANA" --registry "$NMAP" lookup 47040/udp 47031
expect_rc registry_files 0
expect_eq registry_files_rows "$(table_column 2)" "pst-iana pst-nmaponly"
expect_out_has registry_iana_label "iana"
run_env PORTSCOPE_REGISTRY="$IANA:$NMAP" -- --no-system lookup 47040/tcp 47031
expect_rc env_registry 0
expect_eq env_registry_rows "$(table_column 2)" "pst-iana pst-nmaponly"
expect_out_has env_registry_nmap_label "$NMAP"
run_env PORTSCOPE_REGISTRY="$IANA" -- --no-system --json summary
expect_eq env_registry_source "$(json_values sources.1.format)" "iana-csv"
run_env PORTSCOPE_REGISTRY= -- --no-system lookup 47040
expect_rc env_registry_empty 1
run_env PORTSCOPE_REGISTRY="$T/missing-env.csv" -- --no-system lookup 22
expect_rc env_registry_missing 2
expect_err_has env_registry_missing_msg "PORTSCOPE_REGISTRY $T/missing-env.csv"
run "${FIX[@]}" --registry "$T/missing.csv" lookup 22
expect_rc registry_missing 2
expect_err_has registry_missing_msg "$T/missing.csv"
expect_out_empty registry_missing_stdout
run --services "$T/missing-services" lookup 22
expect_rc services_missing 2
expect_err_has services_missing_msg "$T/missing-services"
printf 'not a registry\nat all\n' >"$T/junk.txt"
run "${FIX[@]}" --registry "$T/junk.txt" lookup 22
expect_rc registry_junk 2
expect_err_has registry_junk_msg "--registry $T/junk.txt: "
run "${FIX[@]}" --nmap-services "$NMAP" lookup 47031/udp
expect_rc nmap_services 0
expect_out_has nmap_services_source "nmap"

# Colour: never when stdout is not a terminal; on a terminal unless
# NO_COLOR (non-empty) or --no-color.
run "${FIX[@]}" lookup 22
expect_no_escapes color_not_tty
if command -v script >/dev/null 2>&1 &&
   script -qec true /dev/null </dev/null >/dev/null 2>&1; then
    tty_run() { # ENV... -- ARGS: portscope on a pseudo-terminal
        local envs=()
        while [ "$1" != "--" ]; do envs+=("$1"); shift; done
        shift
        LAST="(tty) ${envs[*]} portscope $*"
        env "${envs[@]}" script -qec "$(printf '%q ' "$PORTSCOPE" "$@")" /dev/null \
            </dev/null >"$T/out" 2>"$T/err"
        RC=$?
    }
    tty_run TERM=dumb -- "${FIX[@]}" lookup 22
    check color_tty grep -q $'\033\\[1mPORT' "$T/out"
    tty_run NO_COLOR=1 -- "${FIX[@]}" lookup 22
    expect_no_escapes color_no_color_env
    check color_no_color_env_output grep -q 'PORT' "$T/out"
    tty_run -- "${FIX[@]}" --no-color lookup 22
    expect_no_escapes color_no_color_flag
    tty_run NO_COLOR= -- "${FIX[@]}" lookup 22
    check color_empty_no_color grep -q $'\033\\[1m' "$T/out"

    # On a terminal the last column is cut to its width.
    tty_cols() { # COLS ARGS...: portscope on a pseudo-terminal COLS wide
        local cols=$1
        shift
        LAST="(tty, $cols columns) portscope $*"
        script -qec "stty cols $cols; $(printf '%q ' "$PORTSCOPE" "$@")" /dev/null \
            </dev/null | tr -d '\r' >"$T/out"
        RC=${PIPESTATUS[0]}
    }
    # Room for 15 characters of description: the first column to cut.
    run --no-color "${FIX[@]}" lookup 22 pst-beta
    expect_out_has no_tty_no_cut 'Beta test service, says "hi", then waits'
    cols=$(awk 'NR == 1 { print index($0, "DESCRIPTION") + 15 }' "$T/out")
    tty_cols "$cols" --no-color "${FIX[@]}" lookup 22 pst-beta
    check tty_width awk -v w="$cols" 'length($0) > w { bad = 1 } END { exit bad }' "$T/out"
    check tty_width_cut grep -q '^47002/tcp .* Beta test.*\.\.\.$' "$T/out"
    # Was a bug: the cut counted bytes, so it could split a UTF-8 character.
    if command -v iconv >/dev/null 2>&1 &&
       regression "table cut at the terminal width splits UTF-8 characters"; then
        printf 'pst-u 47400/tcp # %s\n' "$(printf '\303\251%.0s' $(seq 1 40))" >"$T/utf8.txt"
        run --no-color --no-system --services "$T/utf8.txt" lookup 47400
        at=$(awk 'NR == 1 { print index($0, "DESCRIPTION") }' "$T/out")
        for cols in $((at + 10)) $((at + 11)); do # an odd and an even cut
            tty_cols "$cols" --no-color --no-system --services "$T/utf8.txt" lookup 47400
            check "tty_utf8_cut_$cols" iconv -f UTF-8 -t UTF-8 "$T/out" -o /dev/null
        done
    fi
else
    echo "note: no usable 'script' command; terminal colour checks skipped"
fi

finish
