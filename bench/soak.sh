#!/usr/bin/env bash
# Soak: 10 000 reconnect cycles against the scenario server's /going-away
# (the server closes with 1001 at once; a fast policy reconnects after about
# a millisecond), first headless, then the TUI in a pseudo-terminal. For the
# client process it samples resident memory (VmRSS), open file descriptors
# and threads from /proc at cycle 100, half way and at the end, and prints a
# table: flat figures mean a reconnect cycle leaks nothing. The TUI runs
# twice: with its default history and with --history 1000.
#
# Uses only the release binary (built if missing) and /proc; the TUI run
# needs `script` (util-linux) or python3.
#
#   bench/soak.sh [CYCLES]        (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."

cycles="${1:-10000}"
early=100
half=$((cycles / 2))
# Attempt N starts when N-1 cycles are done; the run is sampled at the start
# of attempt cycles+1 and then stopped. The limit only bounds a stray run.
attempts=$((cycles + 1))
limit=$((cycles + 1000))
bin="${WSPROBE_BIN:-target/release/wsprobe}"
if [[ ! -x "$bin" ]]; then
    cargo build --release --locked
fi

tmp="$(mktemp -d)"
server_pid=""
cleanup() {
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

# Tiny floors and bases: each reconnect waits 0-1 ms.
cat >"$tmp/fast.toml" <<'TOML'
[classes.going-away]
floor = "0s"
base = "1ms"
cap = "1ms"
TOML

"$bin" serve --port 0 >"$tmp/server.out" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 100); do
    url="$(grep -o 'ws://[^ ]*' "$tmp/server.out" | head -n 1 || true)"
    [[ -n "$url" ]] && break
    sleep 0.05
done
[[ -n "$url" ]] || { echo "soak: the scenario server printed no URL" >&2; exit 1; }
target="${url%/}/going-away"

# rss_kb fds threads of a process, from /proc.
sample() {
    local pid=$1 status fds
    status="$(cat "/proc/$pid/status" 2>/dev/null || true)"
    fds="$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
    awk -v fds="$fds" '/^VmRSS:/ {r = $2} /^Threads:/ {t = $2}
        END {print (r ? r : "?"), fds, (t ? t : "?")}' <<<"$status"
}

elapsed() { # seconds since $1 (an $EPOCHREALTIME), one decimal
    local now=${EPOCHREALTIME/./} then=${1/./}
    local ds=$(((now - then) / 100000))
    echo "$((ds / 10)).$((ds % 10))"
}

row() { # mode cycle "rss fds threads"
    local r f t
    read -r r f t <<<"$3"
    printf '%-10s %8s %10s %5s %8s\n' "$1" "$2" "$r" "$f" "$t"
}

declare -a rows=()

# --- headless: count cycles from its `connecting   attempt N` lines --------
mkfifo "$tmp/lines"
start=$EPOCHREALTIME
"$bin" "$target" --headless --policy "$tmp/fast.toml" --max-attempts "$limit" \
    >"$tmp/lines" 2>"$tmp/headless.err" &
client=$!
first="" mid="" last=""
while IFS= read -r line; do
    if [[ "$line" =~ connecting\ +attempt\ ([0-9]+) ]]; then
        n=${BASH_REMATCH[1]}
        # Attempt N starts when N-1 cycles are done.
        if ((n == early + 1)); then
            first="$(sample "$client")"
        elif ((n == half + 1)); then
            mid="$(sample "$client")"
        elif ((n == attempts)); then
            last="$(sample "$client")"
            kill "$client" 2>/dev/null || true
        fi
    fi
done <"$tmp/lines"
wait "$client" || true
secs=$(elapsed "$start")
rows+=("$(row headless "$early" "$first")" "$(row headless "$half" "$mid")"
    "$(row headless "$cycles" "$last")")
headless_time=$secs

# --- TUI in a pseudo-terminal: count cycles from its debug log ------------
# Each attempt logs one "the policy decided" line: one per finished cycle.
# run_tui LABEL [ARGS…]: one run, two rows; the time goes to $tui_time.
run_tui() {
    local label=$1 log="$tmp/$1.log" keys="$tmp/$1.keys" cmd wrapper tui n
    local first="" mid="" last="" first_at="" mid_at="" last_at="" start deadline
    shift
    : >"$log"
    cmd="stty cols 120 rows 40; RUST_LOG=wsprobe=debug exec $(printf '%q' "$bin") \
$(printf '%q' "$target") --policy $(printf '%q' "$tmp/fast.toml") --max-attempts $limit \
--log-file $(printf '%q' "$log") $*"
    mkfifo "$keys"
    start=$EPOCHREALTIME
    if command -v script >/dev/null; then
        script -qfec "$cmd" /dev/null <"$keys" >/dev/null 2>&1 &
    else
        python3 -c 'import pty, sys; pty.spawn(["sh", "-c", sys.argv[1]])' "$cmd" \
            <"$keys" >/dev/null 2>&1 &
    fi
    wrapper=$!
    exec 3>"$keys"
    tui=""
    for _ in $(seq 200); do
        tui="$(pgrep -P "$wrapper" | head -n 1 || true)"
        # python's pty.spawn adds one more process: the shell execs wsprobe.
        [[ -n "$tui" && "$(cat "/proc/$tui/comm" 2>/dev/null)" == wsprobe ]] && break
        [[ -n "$tui" ]] && tui="$(pgrep -P "$tui" | head -n 1 || true)"
        [[ -n "$tui" && "$(cat "/proc/$tui/comm" 2>/dev/null)" == wsprobe ]] && break
        tui=""
        sleep 0.05
    done
    [[ -n "$tui" ]] || { echo "soak: the TUI did not start" >&2; exit 1; }
    deadline=$((SECONDS + 1800))
    while ((SECONDS < deadline)); do
        n=$(grep -c 'the policy decided' "$log" || true)
        if [[ -z "$first" ]] && ((n >= early)); then
            first="$(sample "$tui")"
            first_at=$n
        fi
        if [[ -z "$mid" ]] && ((n >= half)); then
            mid="$(sample "$tui")"
            mid_at=$n
        fi
        if ((n >= cycles)); then
            last="$(sample "$tui")"
            last_at=$n
            break
        fi
        kill -0 "$tui" 2>/dev/null || break
        sleep 0.02
    done
    tui_time=$(elapsed "$start")
    printf q >&3
    exec 3>&-
    wait "$wrapper" || true
    rows+=("$(row "$label" "${first_at:-?}" "$first")" "$(row "$label" "${mid_at:-?}" "$mid")"
        "$(row "$label" "${last_at:-?}" "$last")")
}

# The TUI keeps up to --history events (100 000 by default; a cycle makes
# three or four), so its memory may grow with them; the second run keeps
# 1 000 (full after some 300 cycles), which tells that growth from a leak.
run_tui tui
tui_time_full=$tui_time
run_tui tui-h1000 --history 1000

echo "soak: $cycles reconnect cycles against $target"
printf '%-10s %8s %10s %5s %8s\n' mode cycle "rss_kB" fds threads
printf '%s\n' "${rows[@]}"
echo "time: headless ${headless_time} s, tui ${tui_time_full} s, tui --history 1000 ${tui_time} s"
