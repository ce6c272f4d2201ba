#!/usr/bin/env bash
# portscope audit options on this host's sockets, without root: a bare
# `portscope` is the audit, so the audit's own options work without the
# word (`portscope --fail-on high`), as the synopsis says. What listens
# here is not known, so these checks hold for any finding.
set -u
. "$(dirname "$0")/../cli/lib.sh"

# ok_rc NAME: the audit ran: exit 0, or 1 for a finding at the level.
ok_rc() {
    if [ "$RC" -eq 0 ] || [ "$RC" -eq 1 ]; then pass; else fail "$1" "exit status $RC"; fi
}

run --fail-on critical
ok_rc bare_fail_on
expect_err_lacks bare_fail_on_known "unknown option"
expect_out_has bare_fail_on_summary "portscope audit: "
run --json --fail-on low
ok_rc bare_json_fail_on
expect_err_lacks bare_json_fail_on_known "unknown option"
check bare_json_fail_on_lines json_check --require severity --require action
run --fail-on=info --no-color
ok_rc bare_fail_on_equals
# At info every finding fails, so the summary decides the status.
if grep -q "^portscope audit: .*, 0 findings" "$T/out"; then expect_rc bare_info_none 0
else expect_rc bare_info_some 1; fi

run --fail-on severe
expect_rc bare_bad_level 2
expect_err_has bare_bad_level_msg "'severe' is not a level"
run --fail-on
expect_rc bare_no_level 2
expect_err_has bare_no_level_msg "needs a value"
# Before another command, the audit's option is unknown.
run --fail-on high list
expect_rc fail_on_before_list 2
expect_err_has fail_on_before_list_msg "unknown option '--fail-on'"
run --help
expect_out_has bare_help_is_main "Usage: portscope [GLOBAL OPTIONS]"
finish
