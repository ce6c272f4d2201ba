# shellcheck shell=bash
# What the scan tests in namespaces (test_scan_connect.sh, test_scan_syn.sh,
# test_scan_udp.sh) share: the target they build, running a scan (timed, or in the
# background to be stopped by a signal), and what a finished or an
# interrupted scan must have written. Sources tests/cli/lib.sh (pass,
# fail, expect_*, $T) and harness.sh (net_*):
#
#   . "$(dirname "$0")/scan_checks.sh"
#   scan_checks_init reset admin-prohibited   # SKIP without root, `portscope scan`
#   net_setup
#   scan_target_random            # OPEN, DROP, ADMIN: listeners and rules
#   scan full4 -p- -n -Pn "$NET_TGT4" -oJ "$T/full4.jsonl"
#   check_outputs full4 "$T/full4" "$NET_TGT4" 1 65535
#
# Where the scan types differ (scan_checks_init sets them):
#   CHECK_CLOSED_REASON  a closed port's reason: conn-refused (-sT), reset (-sS)
#   CHECK_ADMIN_REASON   the reason of a port the target rejects with ICMP
#                        admin-prohibited: admin-prohibited (-sS, which reads
#                        the ICMP error itself); empty: not checked (-sT gets
#                        only what connect(2) makes of the error)
# An open port's reason is syn-ack and a dropped one's no-response for both.
#
# Where the protocols differ: CHECK_PROTO (tcp, the default, or udp) picks
# the ports and reasons that the checks of port results expect:
#   tcp  OPEN, DROP and ADMIN (scan_target_random); open syn-ack, closed
#        CHECK_CLOSED_REASON, dropped filtered no-response, rejected
#        filtered CHECK_ADMIN_REASON; the open ports in $T/open.want
#   udp  UDP_OPEN (answer), UDP_SILENT (do not) and UDP_ADMIN (ICMP
#        admin-prohibited) among UDP_PORTS, the only ports scanned (the
#        others closed): open udp-response, closed port-unreach, silent
#        open|filtered no-response, rejected filtered admin-prohibited;
#        the open ports in $T/open.udp.want
# CHECK_PROTOS (default: CHECK_PROTO) are the protocols a scan's results
# may have (a -sS -sU scan has both; each is checked on its own).
#
# The functions:
#   scan_checks_init CLOSED [ADMIN]   the reasons; skips without root or
#                                `portscope scan`; xmllint or not
#   scan_checks_need OPTION [TOOL...]   skips without the scan type or tools
#   expect_states LO HI          "PORT STATE" expected, of CHECK_PROTO
#   scan_target_random           the target: ports drawn, served, filtered
#   scan NAME ARGS...            a timed scan: $T/out, $T/err, RC
#   scan_outputs NAME RUN FAM    IP, and the output options of run RUN
#   scan_bg CMD...               CMD in the scanner namespace, in the
#                                background (BG_PID), signals at defaults
#   stop_scan NAME SIG PID       SIG to PID, waits (10 s at most), RC
#   check_json NAME FILE IP LO HI   every port once, exact states, summary
#   check_outputs NAME BASE IP LO HI [FORMAT...]   BASE.jsonl and the other
#                                formats: xml (valid, open ports), gnmap, nmap
#   check_xml, check_xml_open, check_open_list, check_gnmap_open (open
#                                ports of CHECK_PROTO)
#   check_shards N LO HI IP ARGS...   N shards of LO-HI cover it exactly once
#   check_interrupted NAME SIG [FORMAT...]   exit 130, well-formed files
#   sent_mark / expect_nothing_sent NAME   the scanner's send counters
#   bad NAME WORD ARGS...        a usage error: exit 2, WORD named, no packet
#   admin_reasons NAME           the reasons given to the ADMIN ports

SCAN_CHECKS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../cli/lib.sh
. "$SCAN_CHECKS_DIR/../cli/lib.sh"
# shellcheck source=harness.sh
. "$SCAN_CHECKS_DIR/harness.sh"
: "${PS_SCAN_TARGET:?PS_SCAN_TARGET must name the ps-scan-target helper}"

# scan_checks_init CLOSED [ADMIN]: CHECK_CLOSED_REASON and
# CHECK_ADMIN_REASON; skips (exit 0) without root, ip, nft or `portscope
# scan`; sets DTD and HAVE_XMLLINT (the XML checks need both).
scan_checks_init() {
    CHECK_CLOSED_REASON=$1
    CHECK_ADMIN_REASON=${2:-}
    net_require_root
    "$PORTSCOPE" scan --help >/dev/null 2>&1 ||
        net__skip "\`portscope scan\` is not available yet ($PORTSCOPE scan --help fails)"
    DTD=/usr/share/nmap/nmap.dtd
    HAVE_XMLLINT=0
    if command -v xmllint >/dev/null && [ -r "$DTD" ]; then
        HAVE_XMLLINT=1
    else
        echo "note: no xmllint or $DTD: the XML checks are skipped"
    fi
}

# scan_checks_need OPTION [TOOL...]: skips (exit 0) unless `portscope scan
# --help` names OPTION (the scan type under test, such as -sS) and every
# TOOL is installed.
scan_checks_need() {
    local tool
    "$PORTSCOPE" scan --help 2>&1 | grep -q -- "$1" ||
        net__skip "\`portscope scan $1\` is not available yet"
    shift
    for tool in "$@"; do
        command -v "$tool" >/dev/null || net__skip "needs $tool"
    done
}

# --- the target -------------------------------------------------------------
# scan_target_random: 30 open ports (listeners), 300 dropped (filtered, no
# response) and 4 rejected with ICMP admin-prohibited (filtered too), some
# of each kind in 1..5000 (the range of the shorter scans); every other
# port closed. Sets OPEN, DROP, ADMIN (ports separated by spaces) and
# N_OPEN, and writes the open ports to $T/open.want.
scan_target_random() {
    OPEN=$(net_random_ports_in 1 5000 6)
    DROP=$(net_random_ports_in 1 5000 30 "$OPEN")
    ADMIN=$(net_random_ports_in 1 5000 2 "$OPEN $DROP")
    OPEN="$OPEN $(net_random_ports 24 "$OPEN $DROP $ADMIN")"
    DROP="$DROP $(net_random_ports 270 "$OPEN $DROP $ADMIN")"
    ADMIN="$ADMIN $(net_random_ports 2 "$OPEN $DROP $ADMIN")"
    # shellcheck disable=SC2086
    net_listen $OPEN
    # shellcheck disable=SC2086
    net_drop $DROP
    # shellcheck disable=SC2086
    net_reject_admin $ADMIN
    N_OPEN=$(wc -w <<<"$OPEN")
    echo "target: $N_OPEN open, $(wc -w <<<"$DROP") dropped, $(wc -w <<<"$ADMIN") admin-prohibited"
    echo "open ports: $OPEN"
    echo "admin-prohibited ports: $ADMIN"
    ports_sorted "$OPEN" >"$T/open.want"
}

# ports_sorted WORDS: one port a line, sorted numerically.
ports_sorted() {
    tr ' ' '\n' <<<"$1" | grep . | sort -n
}

# --- running scans ----------------------------------------------------------
# scan NAME ARGS...: `portscope scan ARGS` in the scanner namespace; stdout,
# stderr, status in $T/out, $T/err, RC; prints how long it took.
scan() {
    local name=$1 t0 t1
    shift
    LAST="(scanner netns) portscope scan $*"
    t0=$EPOCHREALTIME
    net_scan "$@" >"$T/out" 2>"$T/err"
    RC=$?
    t1=$EPOCHREALTIME
    awk -v n="$name" -v a="$t0" -v b="$t1" -v rc="$RC" \
        'BEGIN { printf "time %s: %.2f s (exit %d)\n", n, b - a, rc }'
}

# scan_outputs NAME RUN FAM: for run RUN (1, 2...) of a scan NAME of the
# target over IPv FAM (4 or 6): IP, the target's address; OUTS, the output
# options (-oJ $T/NAME.jsonl, on the first run also -oX, -oG and -oN to
# $T/NAME.*); FORMATS, what check_outputs is to check besides the JSON.
# shellcheck disable=SC2034  # for the tests
scan_outputs() {
    IP=$NET_TGT4
    [ "$3" = 6 ] && IP=$NET_TGT6
    FORMATS=()
    OUTS=(-oJ "$T/$1.jsonl")
    if [ "$2" = 1 ]; then
        FORMATS=(xml gnmap nmap)
        OUTS+=(-oX "$T/$1.xml" -oG "$T/$1.gnmap" -oN "$T/$1.nmap")
    fi
}

# scan_bg CMD...: CMD (such as "$PORTSCOPE" scan ...) in the scanner
# namespace in the background, stdout and stderr to $T/out and $T/err;
# BG_PID is its process, which cleanup stops should the test end first.
# Signals at their defaults: a background job of a script would start with
# SIGINT ignored. `ip netns exec` execs CMD, so BG_PID is CMD itself.
scan_bg() {
    env --default-signal=INT,TERM ip netns exec "$NET_NS_SCAN" "$@" >"$T/out" 2>"$T/err" &
    BG_PID=$!
    net_bg "$BG_PID"
}

# stop_scan NAME SIG PID: sends SIG, waits up to 10 s for PID to end (a
# failure, and SIGKILL, if it does not); RC is its status.
stop_scan() {
    local name=$1 sig=$2 pid=$3 _
    kill "-$sig" "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        fail "${name}_stops" "still running 10 s after SIG$sig"
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid"
    RC=$?
}

# --- checking results -------------------------------------------------------
# check__proto: CHECK_PROTO's ports and answers (see the top): C_OPEN,
# C_SILENT, C_ADMIN, C_PORTS (empty: every port), the reasons C_R_OPEN,
# C_R_CLOSED and C_R_ADMIN (empty: not checked), the state of silence
# C_SILENT_STATE, the file of the open ports C_OPEN_WANT and the sed regex
# of an open port in normal output C_NORMAL_RE.
check__proto() {
    if [ "${CHECK_PROTO:-tcp}" = udp ]; then
        C_OPEN=$UDP_OPEN C_SILENT=$UDP_SILENT C_ADMIN=$UDP_ADMIN C_PORTS=$UDP_PORTS
        C_R_OPEN=udp-response C_R_CLOSED=port-unreach C_R_ADMIN=admin-prohibited
        C_SILENT_STATE="open|filtered" C_OPEN_WANT=$T/open.udp.want C_NORMAL_RE=$NORMAL_OPEN_RE_UDP
    else
        C_OPEN=$OPEN C_SILENT=$DROP C_ADMIN=$ADMIN C_PORTS=
        C_R_OPEN=syn-ack C_R_CLOSED=$CHECK_CLOSED_REASON C_R_ADMIN=$CHECK_ADMIN_REASON
        C_SILENT_STATE=filtered C_OPEN_WANT=$T/open.want C_NORMAL_RE=$NORMAL_OPEN_RE
    fi
}

# expect_states LO HI: "PORT STATE" for the ports of LO..HI scanned (all,
# or those in C_PORTS) as the target is built, of CHECK_PROTO.
expect_states() {
    check__proto
    awk -v lo="$1" -v hi="$2" -v open="$C_OPEN" -v silent="$C_SILENT" -v adm="$C_ADMIN" \
        -v silent_state="$C_SILENT_STATE" -v only="$C_PORTS" 'BEGIN {
        n = split(open, o, " "); for (i = 1; i <= n; i++) st[o[i]] = "open"
        n = split(silent, f, " "); for (i = 1; i <= n; i++) st[f[i]] = silent_state
        n = split(adm, f, " "); for (i = 1; i <= n; i++) st[f[i]] = "filtered"
        n = split(only, f, " "); for (i = 1; i <= n; i++) scanned[f[i]] = 1
        for (p = lo; p <= hi; p++)
            if (!n || (p in scanned)) print p, (p in st ? st[p] : "closed") }'
}

# diff_head GOT WANT: the first differences, on one line.
diff_head() {
    diff "$1" "$2" | grep '^[<>]' | head -n 12 | tr '\n' ' '
}

# check_json NAME FILE IP LO HI: FILE is the JSON Lines of a finished scan
# of IP, ports LO..HI (those in C_PORTS): one "port" object of CHECK_PROTO
# per port with the right state and reason, then one "summary" object that
# adds up (over every protocol). Leaves the port objects of CHECK_PROTO in
# $T/NAME.ports (type ip port proto state reason service rtt_ms, tabs).
check_json() {
    local name=$1 file=$2 ip=$3 lo=$4 hi=$5 n all proto=${CHECK_PROTO:-tcp}
    expect_states "$lo" "$hi" >"$T/$name.want"
    n=$(wc -l <"$T/$name.want")
    LAST="$LAST [$file]"
    if [ ! -s "$file" ]; then
        fail "${name}_json_file" "no output in $file"
        return
    fi
    if ! "$PS_JSON_CHECK" --require type <"$file" >/dev/null 2>"$T/json.err"; then
        fail "${name}_json_lines" "$(head -c 300 "$T/json.err")"
        return
    fi
    pass
    "$PS_JSON_CHECK" --print type --print ip --print port --print proto --print state \
        --print reason --print service --print rtt_ms <"$file" >"$T/$name.tsv"
    awk -F'\t' '$1 == "port"' "$T/$name.tsv" >"$T/$name.all"
    awk -F'\t' -v p="$proto" '$4 == p' "$T/$name.all" >"$T/$name.ports"
    all=$(wc -l <"$T/$name.all")
    expect_eq "${name}_port_count" "$(wc -l <"$T/$name.ports")" "$n"
    expect_eq "${name}_no_port_twice" "$(cut -f3 "$T/$name.ports" | sort | uniq -d | head -n 5 | tr '\n' ' ')" ""
    expect_eq "${name}_ip" "$(awk -F'\t' -v ip="$ip" '$2 != ip { print $2 }' "$T/$name.all" | sort -u | head -n 3 | tr '\n' ' ')" ""
    expect_eq "${name}_proto" "$(awk -F'\t' -v ps=" ${CHECK_PROTOS:-$proto} " '!index(ps, " " $4 " ") { print $4 }' \
        "$T/$name.all" | sort -u | head -n 3 | tr '\n' ' ')" ""
    expect_eq "${name}_keys" "$(awk -F'\t' '$7 == "(missing)" || $8 == "(missing)" { print $3 }' "$T/$name.all" | head -n 3 | tr '\n' ' ')" ""
    # The states, port by port.
    awk -F'\t' '{ print $3, $5 }' "$T/$name.ports" | sort -n -k1,1 >"$T/$name.got"
    if cmp -s "$T/$name.got" "$T/$name.want"; then
        pass
    else
        fail "${name}_states" "(< got, > expected): $(diff_head "$T/$name.got" "$T/$name.want")"
    fi
    # The reasons: open C_R_OPEN, closed C_R_CLOSED, silent no-response,
    # rejected C_R_ADMIN (when set).
    local bad
    bad=$(awk -F'\t' -v silent=" $C_SILENT " -v adm=" $C_ADMIN " -v r_open="$C_R_OPEN" \
        -v r_closed="$C_R_CLOSED" -v r_admin="$C_R_ADMIN" '
        ($5 == "open" && $6 != r_open) || ($5 == "closed" && $6 != r_closed) ||
        (index(silent, " " $3 " ") && $6 != "no-response") ||
        (r_admin != "" && index(adm, " " $3 " ") && $6 != r_admin) {
            print $3 "/" $5 "/" $6 }' "$T/$name.ports" | head -n 5 | tr '\n' ' ')
    expect_eq "${name}_reasons" "$bad" ""
    # The summary: once, last, and adding up (every protocol's ports).
    expect_eq "${name}_one_summary" "$(awk -F'\t' '$1 != "port"' "$T/$name.tsv" | cut -f1 | tr '\n' ' ')" "summary "
    local counts
    counts=$(awk -F'\t' '{ c[$5]++ } END {
        printf "%d %d %d %d", c["open"], c["closed"], c["filtered"], c["open|filtered"] }' "$T/$name.all")
    tail -n 1 "$file" | "$PS_JSON_CHECK" --print type --print hosts_total --print hosts_up \
        --print open --print closed --print filtered --print open_filtered --print interrupted \
        --print probes_sent --print elapsed_s >"$T/$name.summary" 2>&1
    local s_type s_tot s_up s_open s_closed s_filt s_of s_int s_probes s_el
    IFS=$'\t' read -r s_type s_tot s_up s_open s_closed s_filt s_of s_int s_probes s_el <"$T/$name.summary"
    expect_eq "${name}_summary" "$s_type $s_tot $s_up $s_open $s_closed $s_filt $s_of $s_int" \
        "summary 1 1 $counts false"
    if [[ $s_probes =~ ^[0-9]+$ ]] && [ "$s_probes" -ge "$all" ]; then
        pass
    else
        fail "${name}_summary_probes" "probes_sent '$s_probes', expected at least $all"
    fi
    if [[ $s_el =~ ^[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$ ]]; then
        pass
    else
        fail "${name}_summary_elapsed" "elapsed_s '$s_el'"
    fi
}

# admin_reasons NAME: the reasons check_json NAME saw given to the
# rejected ports of CHECK_PROTO (ADMIN, UDP_ADMIN), distinct, on one line.
admin_reasons() {
    check__proto
    awk -F'\t' -v a=" $C_ADMIN " 'index(a, " " $3 " ") { print $6 }' "$T/$1.ports" 2>/dev/null |
        sort -u | tr '\n' ' '
}

# check_xml NAME FILE: valid against nmap.dtd.
check_xml() {
    [ "$HAVE_XMLLINT" = 1 ] || return 0
    LAST="xmllint --noout --dtdvalid $DTD $2"
    if [ ! -s "$2" ]; then
        fail "$1" "no XML in $2"
    elif xmllint --noout --dtdvalid "$DTD" "$2" >"$T/xml.err" 2>&1; then
        pass
    else
        fail "$1" "not valid: $(head -c 400 "$T/xml.err")"
    fi
}

# check_xml_open NAME FILE: the open ports of CHECK_PROTO in the XML are
# the target's.
check_xml_open() {
    [ "$HAVE_XMLLINT" = 1 ] || return 0
    check__proto
    xmllint --xpath "//port[@protocol='${CHECK_PROTO:-tcp}' and state/@state='open']/@portid" \
        "$2" 2>/dev/null | grep -o '[0-9]\+' | sort -n >"$T/xml.open"
    check__open_is "$1" "$2" "$T/xml.open"
}

# check__open_is NAME FILE GOT: GOT (the open ports read from FILE) is
# C_OPEN_WANT.
check__open_is() {
    if cmp -s "$3" "$C_OPEN_WANT"; then
        pass
    else
        fail "$1" "open ports in $2 (< got, > expected): $(diff_head "$3" "$C_OPEN_WANT")"
    fi
}

# check_open_list NAME FILE REGEX: the ports that match the sed REGEX (its
# \1 the port) in FILE are exactly the open ones (of CHECK_PROTO).
check_open_list() {
    local name=$1 file=$2 re=$3
    if [ ! -s "$file" ]; then
        fail "$name" "no output in $file"
        return
    fi
    check__proto
    sed -n "s/$re/\\1/p" "$file" | sort -n >"$T/list.open"
    check__open_is "$name" "$file" "$T/list.open"
}

# check_gnmap_open NAME FILE: the open ports of CHECK_PROTO in grepable
# output ("Ports: 22/open/tcp//ssh///, ...") are the target's.
check_gnmap_open() {
    [ -s "$2" ] || { fail "$1" "no output in $2"; return; }
    check__proto
    grep -o "[0-9]\+/open/${CHECK_PROTO:-tcp}/" "$2" | cut -d/ -f1 | sort -n >"$T/list.open"
    check__open_is "$1" "$2" "$T/list.open"
}
# Normal output: "22/tcp  open  ssh", "53/udp  open  domain" (not
# "open|filtered").
# shellcheck disable=SC2034  # for the tests
NORMAL_OPEN_RE='^\([0-9][0-9]*\)\/tcp  *open\( .*\)\{0,1\}$'
# shellcheck disable=SC2034
NORMAL_OPEN_RE_UDP='^\([0-9][0-9]*\)\/udp  *open\( .*\)\{0,1\}$'

# check_outputs NAME BASE IP LO HI [FORMAT...]: the files of a finished
# scan of IP, ports LO..HI: BASE.jsonl (check_json NAME) and, for each
# FORMAT named, BASE.xml (valid, the open ports), BASE.gnmap and BASE.nmap
# (the open ports).
check_outputs() {
    local name=$1 base=$2 ip=$3 lo=$4 hi=$5 fmt
    shift 5
    check_json "$name" "$base.jsonl" "$ip" "$lo" "$hi"
    for fmt in "$@"; do
        case $fmt in
        xml)
            check_xml "${name}_xml_valid" "$base.xml"
            check_xml_open "${name}_xml_open" "$base.xml"
            ;;
        gnmap) check_gnmap_open "${name}_gnmap_open" "$base.gnmap" ;;
        nmap)
            check__proto
            check_open_list "${name}_normal_open" "$base.nmap" "$C_NORMAL_RE"
            ;;
        *) fail "${name}_format" "check_outputs: unknown format $fmt" ;;
        esac
    done
}

# check_shards N LO HI IP ARGS...: `scan ARGS -p LO-HI --seed S --shard K/N
# IP` for K = 1..N, one seed: each finishes with port results, and
# together they give every port of LO..HI exactly once, in its state.
check_shards() {
    local n=$1 lo=$2 hi=$3 ip=$4 k seed
    shift 4
    seed=$((NET_SEED % 100000 + 1))
    : >"$T/shards.ports"
    for k in $(seq "$n"); do
        scan "shard$k" "$@" -p "$lo-$hi" -n -Pn --seed "$seed" --shard "$k/$n" "$ip" -oJ "$T/shard$k.jsonl"
        expect_rc "shard${k}_rc" 0
        "$PS_JSON_CHECK" --print type --print port --print state <"$T/shard$k.jsonl" 2>"$T/json.err" |
            awk -F'\t' '$1 == "port" { print $2, $3 }' >"$T/shard$k.got"
        if [ -s "$T/shard$k.got" ]; then pass; else fail "shard${k}_has_ports" "no port results"; fi
        tail -n 1 "$T/shard$k.jsonl" | "$PS_JSON_CHECK" --print type --print interrupted >"$T/shard$k.summary" 2>&1
        expect_eq "shard${k}_summary" "$(cat "$T/shard$k.summary")" "summary	false"
        cat "$T/shard$k.got" >>"$T/shards.ports"
        echo "shard $k/$n: $(wc -l <"$T/shard$k.got") ports"
    done
    LAST="the $n shards of -p $lo-$hi together"
    expect_eq shards_no_port_twice "$(cut -d' ' -f1 "$T/shards.ports" | sort | uniq -d | head -n 5 | tr '\n' ' ')" ""
    sort -n -k1,1 "$T/shards.ports" >"$T/shards.got"
    expect_states "$lo" "$hi" >"$T/shards.want"
    if cmp -s "$T/shards.got" "$T/shards.want"; then
        pass
    else
        fail shards_cover_range "(< got, > expected): $(diff_head "$T/shards.got" "$T/shards.want")"
    fi
}

# check_interrupted NAME SIG [FORMAT...]: a scan stopped by SIG (RC from
# stop_scan) exits 130 and leaves $T/NAME.jsonl well-formed: some port
# results, none twice, then a summary with "interrupted": true; FORMATs:
# $T/NAME.xml valid, $T/NAME.gnmap not empty.
check_interrupted() {
    local name=$1 sig=$2 fmt nports
    shift 2
    expect_rc "${name}_rc" 130
    for fmt in "$@"; do
        case $fmt in
        xml) check_xml "${name}_xml_valid" "$T/$name.xml" ;;
        gnmap) check "${name}_gnmap_file" test -s "$T/$name.gnmap" ;;
        *) fail "${name}_format" "check_interrupted: unknown format $fmt" ;;
        esac
    done
    if [ ! -s "$T/$name.jsonl" ]; then
        fail "${name}_json" "no JSON written"
        return
    fi
    if "$PS_JSON_CHECK" --require type <"$T/$name.jsonl" >/dev/null 2>"$T/json.err"; then
        pass
    else
        fail "${name}_json_lines" "$(head -c 300 "$T/json.err")"
    fi
    "$PS_JSON_CHECK" --print type --print port <"$T/$name.jsonl" >"$T/$name.tsv" 2>/dev/null
    nports=$(awk -F'\t' '$1 == "port"' "$T/$name.tsv" | wc -l)
    echo "SIG$sig: $nports port results before the interruption"
    if [ "$nports" -lt 65535 ]; then pass; else fail "${name}_partial" "$nports port results: the scan was not interrupted"; fi
    expect_eq "${name}_no_port_twice" "$(awk -F'\t' '$1 == "port" { print $2 }' "$T/$name.tsv" | sort | uniq -d | head -n 5 | tr '\n' ' ')" ""
    tail -n 1 "$T/$name.jsonl" | "$PS_JSON_CHECK" --print type --print interrupted >"$T/$name.summary" 2>&1
    expect_eq "${name}_summary" "$(cat "$T/$name.summary")" "summary	true"
}

# --- nothing sent -----------------------------------------------------------
# sent_mark: remembers the scanner's nft send counter and veth TX count;
# expect_nothing_sent NAME: neither has moved since.
# The link must be quiet first: answers to an earlier, interrupted scan
# may still arrive, and the kernel resets each late SYN-ACK, which moves
# the TX count without any probe of the scan under test.
sent_mark() {
    local prev now i
    prev=$(net_tx_packets)
    for i in 1 2 3 4 5 6 7 8 9 10; do
        sleep 0.3
        now=$(net_tx_packets)
        [ "$now" = "$prev" ] && break
        prev=$now
    done
    SENT0=$(net_sent)
    TX0=$(net_tx_packets)
}
expect_nothing_sent() {
    expect_eq "${1}_nothing_sent" "$(net_sent)" "$SENT0"
    expect_eq "${1}_no_tx" "$(net_tx_packets)" "$TX0"
}

# bad NAME WORD ARGS...: scan ARGS must exit 2 naming WORD on stderr, and
# neither the scanner's nft counter nor its veth TX count may move.
bad() {
    local name=$1 word=$2
    shift 2
    sent_mark
    scan "$name" "$@"
    expect_rc "${name}_rc" 2
    expect_err_has "${name}_names_it" "$word"
    expect_nothing_sent "$name"
}
