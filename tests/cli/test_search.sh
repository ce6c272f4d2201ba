#!/usr/bin/env bash
# portscope search: ranking, AND of words, --limit, --json, exit statuses.
. "$(dirname "$0")/lib.sh"

# The fixture has one record per kind of match for "quokka".
run "${FIX[@]}" search quokka
expect_rc search_rank 0
expect_eq search_rank_order "$(table_column 2)" \
    "quokka pst-marsupial quokkad pst-animal pst-bio"
expect_eq search_rank_ports "$(table_column 1)" \
    "47060/tcp 47061/tcp 47062/tcp 47063/tcp 47064/tcp"
expect_err_empty search_rank_stderr
expect_no_escapes search_rank_plain

# Words ignore case and must all match.
run "${FIX[@]}" search QUOKKA Noon
expect_rc search_and 0
expect_eq search_and_rows "$(table_column 2)" "pst-animal"
run "${FIX[@]}" search quokka no-such-word-pst
expect_rc search_and_none 1
expect_err_has search_and_none_msg "no record matches every word"
expect_out_empty search_and_none_stdout

# Exit 1 when nothing matches at all.
run "${FIX[@]}" search zzqqxx
expect_rc search_nomatch 1
expect_out_empty search_nomatch_stdout

# --limit / -n
run "${FIX[@]}" search -n 2 quokka
expect_rc search_limit 0
expect_eq search_limit_rows "$(table_column 2)" "quokka pst-marsupial"
run "${FIX[@]}" search quokka --limit=1
expect_eq search_limit_long "$(table_column 2)" "quokka"
run "${FIX[@]}" search -n 0 quokka
expect_rc search_limit_zero 2
expect_err_has search_limit_zero_msg "'0' is not a whole number"
run "${FIX[@]}" search -n many quokka
expect_rc search_limit_word 2
expect_err_has search_limit_word_msg "'many'"

# --json: the score first, best first.
run "${FIX[@]}" search --json quokka
expect_rc search_json 0
check search_json_valid json_check --lines 5 --require score --require port \
    --require name --require class
expect_eq search_json_names "$(json_values name)" \
    "quokka pst-marsupial quokkad pst-animal pst-bio"
check search_json_score_first grep -q '^{"score":[0-9]*,"port":' "$T/out"
scores=$(json_values score)
sorted=$(tr ' ' '\n' <<<"$scores" | sort -rn -u | tr '\n' ' ' | sed 's/ $//')
expect_eq search_json_scores_decrease "$scores" "$sorted"

# The built-in table alone: an exact name comes first.
run --no-system search ssh
expect_rc search_builtin 0
expect_eq search_builtin_first "$(awk 'NR == 2 { print $1, $2 }' "$T/out")" "22/tcp ssh"

# Usage errors.
run "${FIX[@]}" search
expect_rc search_no_word 2
expect_err_has search_no_word_msg "no word given"
run "${FIX[@]}" search quokka ""
expect_rc search_empty_word 2
expect_err_has search_empty_word_msg "word 2 is empty"

finish
