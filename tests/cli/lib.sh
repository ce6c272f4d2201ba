# Shared helpers for the CLI tests; sourced by each tests/cli/test_*.sh.
#
# Environment (set by ctest, see tests/CMakeLists.txt):
#   PORTSCOPE      the portscope binary under test
#   PS_JSON_CHECK  the ps-json-check helper (tests/cli/json_check.c)
#   PS_TEST_DATA   tests/data
#   PS_TEST_KNOWN_BUGS=1  also run the checks that expose known src bugs
#
# A test script runs commands with `run ARGS...` (stdout, stderr and the exit
# status land in $T/out, $T/err and $RC), checks them with the expect_*
# functions and ends with `finish`, which prints "N passed, M failed" as its
# last line and exits non-zero when a check failed.

set -u

: "${PORTSCOPE:?PORTSCOPE must name the portscope binary}"
: "${PS_JSON_CHECK:?PS_JSON_CHECK must name the ps-json-check helper}"
: "${PS_TEST_DATA:?PS_TEST_DATA must name tests/data}"

# Nothing from the caller's environment may change the results.
unset PORTSCOPE_REGISTRY NO_COLOR XDG_CACHE_HOME
export LC_ALL=C

DATA=$PS_TEST_DATA
SERVICES=$DATA/services.txt
NMAP=$DATA/nmap-services.txt
IANA=$DATA/iana-small.csv
# The deterministic registry: the built-in table plus the fixture.
FIX=(--no-system --services "$SERVICES")

T=$(mktemp -d "${TMPDIR:-/tmp}/ps-cli-test.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
# Registry snapshots go to this test's own cache, never the user's.
export PORTSCOPE_CACHE_DIR=$T/cache
export HOME=$T/home

PASSED=0
FAILED=0
SKIPPED=0
RC=0
LAST=""

# run ARGS...: runs portscope; sets RC, $T/out and $T/err.
run() {
    LAST="portscope $*"
    "$PORTSCOPE" "$@" >"$T/out" 2>"$T/err"
    RC=$?
}

# run_env VAR=VALUE... -- ARGS...: as run, with extra environment.
run_env() {
    local envs=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        envs+=("$1")
        shift
    done
    shift
    LAST="${envs[*]} portscope $*"
    env "${envs[@]}" "$PORTSCOPE" "$@" >"$T/out" 2>"$T/err"
    RC=$?
}

pass() {
    PASSED=$((PASSED + 1))
}

# fail NAME WHY: records a failure with the last command's output.
fail() {
    FAILED=$((FAILED + 1))
    echo "FAIL: $1: $2"
    echo "  command: $LAST (exit $RC)"
    echo "  stdout:"
    head -n 20 "$T/out" 2>/dev/null | sed 's/^/    | /'
    echo "  stderr:"
    head -n 20 "$T/err" 2>/dev/null | sed 's/^/    | /'
}

# check NAME COMMAND...: passes when COMMAND succeeds.
check() {
    local name=$1
    shift
    if "$@"; then pass; else fail "$name" "'$*' failed"; fi
}

expect_rc() {
    if [ "$RC" -eq "$2" ]; then pass; else fail "$1" "exit status $RC, expected $2"; fi
}

# expect_out_has NAME TEXT / expect_err_has NAME TEXT: fixed strings.
expect_out_has() {
    if grep -qF -- "$2" "$T/out"; then pass; else fail "$1" "stdout lacks '$2'"; fi
}
expect_out_lacks() {
    if grep -qF -- "$2" "$T/out"; then fail "$1" "stdout has '$2'"; else pass; fi
}
expect_err_has() {
    if grep -qF -- "$2" "$T/err"; then pass; else fail "$1" "stderr lacks '$2'"; fi
}
expect_err_lacks() {
    if grep -qF -- "$2" "$T/err"; then fail "$1" "stderr has '$2'"; else pass; fi
}
expect_out_empty() {
    if [ -s "$T/out" ]; then fail "$1" "stdout is not empty"; else pass; fi
}
expect_err_empty() {
    if [ -s "$T/err" ]; then fail "$1" "stderr is not empty"; else pass; fi
}

# expect_eq NAME GOT WANT
expect_eq() {
    if [ "$2" = "$3" ]; then
        pass
    else
        fail "$1" "got '$2', expected '$3'"
    fi
}

# expect_no_escapes NAME: stdout and stderr have no ESC byte.
expect_no_escapes() {
    if grep -q $'\033' "$T/out" "$T/err"; then
        fail "$1" "output has terminal escape codes"
    else
        pass
    fi
}

# table_column N: column N of the table on stdout, joined by spaces: one
# value per row, the header and indented notes under a row left out.
table_column() {
    awk -v c="$1" 'NR > 1 && !/^[ \t]/ { printf "%s%s", sep, $c; sep = " " }
                   END { print "" }' "$T/out"
}

# json_check ARGS...: ps-json-check on stdout; its output lands in $T/json.
json_check() {
    "$PS_JSON_CHECK" "$@" <"$T/out" >"$T/json" 2>"$T/json.err"
}

# json_values PATH: the value of PATH on each stdout line, joined by spaces.
json_values() {
    "$PS_JSON_CHECK" --print "$1" <"$T/out" | tr '\n' ' ' | sed 's/ $//'
}

# known_bug WHY: 0 when the checks that follow should run. They expose a bug
# in src/ and are skipped unless PS_TEST_KNOWN_BUGS is set.
# regression WHY: the checks that follow guard a fixed bug; they always run.
regression() {
    return 0
}

known_bug() {
    if [ -n "${PS_TEST_KNOWN_BUGS:-}" ] && [ "$PS_TEST_KNOWN_BUGS" != 0 ]; then
        return 0
    fi
    SKIPPED=$((SKIPPED + 1))
    echo "SKIP (known bug in src, set PS_TEST_KNOWN_BUGS=1 to run): $1"
    return 1
}

finish() {
    if [ "$SKIPPED" -gt 0 ]; then
        echo "($SKIPPED known-bug check group(s) skipped)"
    fi
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
    exit $?
}
