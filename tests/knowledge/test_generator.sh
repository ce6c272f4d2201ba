#!/usr/bin/env bash
# The knowledge generator's schema check: every bad entry stops the build
# with FILE:LINE and what is wrong; a good file compiles.
set -u
: "${GEN_KNOWLEDGE:?GEN_KNOWLEDGE must name the gen-knowledge binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/ps-gen-test.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
PASSED=0
FAILED=0

good='[21/tcp ftp]
title: File Transfer Protocol
category: file-transfer
risk: high
flags: cleartext, legacy
use: FTP | logins and commands
alternative: SFTP (22/tcp) | encrypted
explain:
  First paragraph
  continues here.
  .
  Second paragraph.
'

# expect_reject NAME LINE PATTERN TEXT: the generator must fail, naming
# FILE:LINE and a message matching PATTERN.
expect_reject() {
    local name=$1 line=$2 pattern=$3 text=$4
    printf '%s' "$text" >"$T/$name.txt"
    if "$GEN_KNOWLEDGE" "$T/out.c" "$T/$name.txt" 2>"$T/err"; then
        echo "FAIL: $name: accepted"; FAILED=$((FAILED + 1)); return
    fi
    if grep -q "^$T/$name.txt:$line: .*$pattern" "$T/err" && [ ! -e "$T/out.c" ]; then
        PASSED=$((PASSED + 1))
    else
        echo "FAIL: $name: expected '$T/$name.txt:$line: ...$pattern', got: $(cat "$T/err")"
        FAILED=$((FAILED + 1))
    fi
}

printf '%s' "$good" >"$T/good.txt"
if "$GEN_KNOWLEDGE" "$T/out.c" "$T/good.txt" 2>"$T/err" &&
   grep -q '"First paragraph continues here.\\n\\nSecond paragraph."' "$T/out.c" &&
   grep -q 'ps__knowledge_count = 1;' "$T/out.c"; then
    PASSED=$((PASSED + 1))
else
    echo "FAIL: good file: $(cat "$T/err")"; FAILED=$((FAILED + 1))
fi
rm -f "$T/out.c"

expect_reject bad_category 3 "unknown category 'webz'" "${good/file-transfer/webz}"
expect_reject bad_risk 4 "unknown risk 'severe'" "${good/risk: high/risk: severe}"
expect_reject bad_flag 5 "unknown flag 'plaintext'" "${good/cleartext/plaintext}"
expect_reject use_without_bar 6 "use needs 'NAME | NOTE'" "${good/FTP | logins/FTP logins}"
expect_reject no_risk 1 "no risk" "${good/risk: high
/}"
expect_reject no_use 1 "no 'use' line" "${good/use: FTP | logins and commands
/}"
expect_reject bad_header 1 "entry header" "${good/\[21\/tcp ftp\]/[21/tcp ftp}"
expect_reject bad_proto 1 "unknown protocol 'tcpx'" "${good/21\/tcp/21/tcpx}"
expect_reject big_port 1 "0 to 65535" "${good/21\/tcp/70000/tcp}"
expect_reject reversed 1 "low to high" "${good/21\/tcp/30-20/tcp}"
expect_reject unknown_key 2 "unknown key 'titel'" "${good/title:/titel:}"
expect_reject twice 3 "'title' given twice" "${good/category:/title: again
category:}"
expect_reject field_first 1 "before any" "risk: low
$good"
expect_reject duplicate 14 "duplicate entry; the first is at" "$good
$good"
expect_reject empty_paragraph 12 "empty paragraph" "${good/  Second paragraph./  .
  Second paragraph.}"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
