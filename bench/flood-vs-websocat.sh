#!/usr/bin/env bash
# Side-by-side: how fast wsprobe --json and websocat -t take in a flood of
# N small text messages from the local scenario server (pre-encoded frames).
# Prints both rates, wsprobe's peak memory and the ratio. Skips websocat when
# it is not installed (cargo install websocat --version 1.14.1 --locked).
#
#   bash bench/flood-vs-websocat.sh            # 1 000 000 messages of 32 bytes, best of 3
#   N=200000 SIZE=64 ROUNDS=5 bash bench/flood-vs-websocat.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
SIZE=${SIZE:-32}
ROUNDS=${ROUNDS:-3}

cargo build --release --quiet
BIN=target/release/wsprobe
LOG=$(mktemp)
"$BIN" serve --port 0 >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -f "$LOG"' EXIT
for _ in $(seq 50); do grep -q 'ws://' "$LOG" && break; sleep 0.1; done
BASE=$(grep -o 'ws://[^ ]*' "$LOG" | head -1)
URL="${BASE%/}/flood?n=${N}&size=${SIZE}"
echo "flood: $N messages of $SIZE bytes from $URL"

# Wall seconds of one run, output to /dev/null.
seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f\n", b - a }'
}

best() { sort -g | head -1; }

# Every message must arrive, or the rate means nothing.
got=$("$BIN" "$URL" --json | grep -c '"kind":"message"' || true)
[ "$got" -eq "$N" ] || { echo "wsprobe received $got of $N messages"; exit 1; }

ws_times=""
wc_times=""
have_websocat=no
command -v websocat >/dev/null && have_websocat=yes
for _ in $(seq "$ROUNDS"); do
    ws_times+="$(seconds "$BIN" "$URL" --json)"$'\n'
    if [ $have_websocat = yes ]; then
        wc_times+="$(seconds websocat -t "$URL")"$'\n'
    fi
done
ws=$(printf '%s' "$ws_times" | best)
ws_rate=$(awk -v n="$N" -v t="$ws" 'BEGIN { print n / t }')
peak=unknown
if [ -x /usr/bin/time ]; then
    peak=$( { /usr/bin/time -f '%M' "$BIN" "$URL" --json >/dev/null; } 2>&1 | tail -1)
    peak="$((peak / 1024)) MiB"
fi
printf 'wsprobe --json : %8.3f s  %10.0f msg/s  peak memory %s\n' "$ws" "$ws_rate" "$peak"
if [ $have_websocat = yes ]; then
    wc=$(printf '%s' "$wc_times" | best)
    wc_rate=$(awk -v n="$N" -v t="$wc" 'BEGIN { print n / t }')
    printf 'websocat -t    : %8.3f s  %10.0f msg/s  (%s)\n' "$wc" "$wc_rate" "$(websocat --version)"
    printf 'ratio          : %.2fx\n' "$(awk -v a="$ws_rate" -v b="$wc_rate" 'BEGIN { print a / b }')"
else
    echo "websocat is not installed; skipping the comparison (cargo install websocat --version 1.14.1 --locked)"
fi
