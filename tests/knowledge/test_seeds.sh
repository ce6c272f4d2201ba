#!/usr/bin/env bash
# Every port number the seed pages name resolves to a knowledge entry that
# carries the page's use: some significant word of the page's name for the
# port appears in the entry's title, service, use names or notes. The pages
# are read at test time from ../shared/seeds; without them the test skips.
set -u
. "$(dirname "$0")/../cli/lib.sh"

SEEDS=${PS_SEEDS_DIR:-}
if [ -z "$SEEDS" ] || ! ls "$SEEDS"/*.txt >/dev/null 2>&1; then
    echo "SKIP: seed pages not found (PS_SEEDS_DIR=$SEEDS)"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi

# Prints "PORTSPEC<TAB>LABEL" for every port the pages name, in the four
# layouts they use: "20 FTP data", "| 20-21 | FTP |", "ftp 21/tcp File
# Transfer", and "FTP (File Transfer Protocol)Associated port: 21".
extract() {
    sed 's/\xe2\x80\x93/-/g; s/\r//' "$@" | awk '
        /^[0-9]+ [A-Za-z]/ { p = $1; $1 = ""; print p "\t" $0; next }
        /^\| *[0-9]/ {
            split($0, cell, "|"); spec = cell[2]; label = cell[3]
            gsub(/\/(TCP|UDP)(,(TCP|UDP))*/, "", spec)
            gsub(/[ ]/, "", spec)
            print spec "\t" label; next
        }
        /^[a-z0-9-]+[ \t]+[0-9]+\/(tcp|udp)/ {
            split($2, pp, "/"); name = $1; $1 = ""; $2 = ""
            print pp[1] "\t" name " " $0; next
        }'
    sed 's/\r//' "$@" | grep -o '[A-Za-z0-9 ]*([^)]*) *As*ociated ports\?: [0-9, and]*' |
        sed 's/ *As*ociated ports\?: /\t/' |
        awk -F'\t' '{ spec = $2; gsub(/ and /, ",", spec); gsub(/ /, "", spec); print spec "\t" $1 }'
}

# Expands "20-21", "5631,5632" into one port per line.
expand() {
    tr ',' '\n' <<<"$1" | while read -r part; do
        [ -z "$part" ] && continue
        if [[ $part == *-* ]]; then seq "${part%-*}" "${part#*-}"; else echo "$part"; fi
    done
}

STOP=" the and for over with from used uses use via protocol protocols port ports service services system network networks version internet windows microsoft server servers transfer secure ssl and/or "

significant_words() {
    tr 'A-Z' 'a-z' <<<"$1" | tr -c 'a-z0-9\n' ' ' | tr ' ' '\n' |
        awk -v stop="$STOP" 'length($0) >= 3 && index(stop, " " $0 " ") == 0'
}

declare -A knowledge
text_for_port() {
    local port=$1
    if [ -z "${knowledge[$port]+x}" ]; then
        # Service, title and the uses array of every entry at the port.
        knowledge[$port]=$("$PORTSCOPE" --no-system explain --json "$port" 2>/dev/null |
            sed -n 's/.*"service":\("[^"]*"\),"title":\("[^"]*"\).*"uses":\(\[[^]]*\]\).*/\1 \2 \3/p' |
            tr 'A-Z' 'a-z')
    fi
    printf '%s' "${knowledge[$port]}"
}

pairs=$(extract "$SEEDS"/*.txt | sort -u)
checked=0
while IFS=$'\t' read -r spec label; do
    [ -z "$spec" ] && continue
    [[ $spec =~ ^[0-9,-]+$ ]] || continue
    words=$(significant_words "$label")
    for port in $(expand "$spec"); do
        [ "$port" -le 65535 ] || continue
        text=$(text_for_port "$port")
        checked=$((checked + 1))
        if [ -z "$text" ]; then
            fail "seed_port_$port" "no knowledge entry for port $port (page says: $label)"
            continue
        fi
        found=""
        for w in $words; do
            if [[ $text == *"$w"* ]]; then found=$w; break; fi
        done
        if [ -n "$found" ] || [ -z "$words" ]; then
            pass "seed_port_$port"
        else
            fail "seed_port_$port" "entry for $port lacks the page's use: $label"
        fi
    done
done <<<"$pairs"
[ "$checked" -gt 150 ] && pass seed_pairs_found || fail seed_pairs_found "only $checked ports read from the pages"
finish
