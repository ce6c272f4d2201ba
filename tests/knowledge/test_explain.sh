#!/usr/bin/env bash
# portscope explain and lookup --risky on real output.
set -u
. "$(dirname "$0")/../cli/lib.sh"

run "${FIX[@]}" explain ftp
expect_rc explain_ftp 0
expect_out_has explain_ftp_header '21/tcp ftp: '
expect_out_has explain_ftp_passive 'passive'
expect_out_has explain_ftp_instead 'Instead: '
expect_out_has explain_ftp_uses '  Uses:'

run_env COLUMNS=40 -- "${FIX[@]}" explain 23
expect_rc explain_wrap 0
check explain_wrap_width awk 'length($0) > 40 && $0 !~ /^[^ ]*$/ && NF > 1 { bad = 1 } END { exit bad }' "$T/out"

run "${FIX[@]}" explain 22 53/udp
expect_rc explain_two 0
expect_out_has explain_two_ssh '22/tcp'
expect_out_has explain_two_dns '53/udp'

run "${FIX[@]}" explain --json 23/tcp
expect_rc explain_json 0
check explain_json_keys "$PS_JSON_CHECK" --require port --require proto --require title \
    --require risk --require flags --require uses --require alternative --require explain \
    <"$T/out"

run "${FIX[@]}" explain doom
expect_rc explain_by_use 0
expect_out_has explain_by_use_port '666/'

run "${FIX[@]}" explain no-such-service-zz
expect_rc explain_unknown 1
expect_err_has explain_unknown_msg "nothing on 'no-such-service-zz'"

run "${FIX[@]}" explain 70000
expect_rc explain_bad 2
expect_err_has explain_bad_msg "70000"

run "${FIX[@]}" explain
expect_rc explain_none 2

run "${FIX[@]}" lookup --risky critical
expect_rc risky_critical 0
expect_out_has risky_bo '31337/udp'
check risky_only_critical awk 'NR > 1 && $3 != "critical" { bad = 1 } END { exit bad }' "$T/out"

run "${FIX[@]}" lookup --risky high 23 80
expect_rc risky_keys 0
expect_out_has risky_keys_telnet '23/tcp'
check risky_keys_no_http awk '$1 == "80/tcp" { bad = 1 } END { exit bad }' "$T/out"

run "${FIX[@]}" lookup --json --risky critical
expect_rc risky_json 0
check risky_json_keys "$PS_JSON_CHECK" --require risk --require category <"$T/out"

run "${FIX[@]}" lookup --risky severe
expect_rc risky_bad_level 2
expect_err_has risky_bad_level_msg "severe"

run "${FIX[@]}" lookup --json 23/tcp
expect_rc lookup_knowledge_json 0
check lookup_knowledge_keys "$PS_JSON_CHECK" --require category --require uses \
    --require risk --require flags --require alternative <"$T/out"

run "${FIX[@]}" lookup 23/tcp
expect_out_has lookup_knowledge_table_risk ' high '
expect_out_has lookup_knowledge_table_instead 'instead: '

run "${FIX[@]}" search trojan
expect_rc search_knowledge 0
expect_out_has search_knowledge_hit '31337'

finish
