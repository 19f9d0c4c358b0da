#!/bin/sh
# Wall time, peak memory and output size of `icslint report` (HTML, Markdown
# and JSON) and of `icslint transition` (2025 to 2026: JSON and the HTML
# briefing) on national-scale workspaces (benches/corpus.py: 42 systems of
# six files per scale), next to `check --format json` on the same corpus
# (issue 22 asks each to stay within twice check's time and memory).
#
#   cargo build --release && sh benches/report.sh [RUNS] [SCALES...]
#
# RUNS (default 3) runs per command; the table gives the best wall time and
# the highest peak RSS. Corpora are shared with benches/measure.sh under
# target/bench-corpus/. Needs python3 and GNU time (/usr/bin/time -v).
set -eu
# Every run checks: a cache hit would time reading, not checking
# (benches/cache.sh times the cache).
export ICSLINT_NO_CACHE=1
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${ICSLINT:-$root/target/release/icslint}
runs=${1:-3}
[ $# -gt 0 ] && shift
scales=${*:-1 10}
[ -x "$bin" ] || { echo "no $bin: run cargo build --release first" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time" >&2; exit 2; }
printf '%-6s %-16s %8s %8s %9s\n' scale command best_s RSS_MB out_MB
for x in $scales; do
    dir=$root/target/bench-corpus/x$x
    if [ ! -d "$dir" ]; then
        python3 "$root/benches/corpus.py" "$dir" $((42 * x)) 1 > /dev/null
    fi
    for cmd in "check json" "report html" "report md" "report json" "transition json" "transition html"; do
        set -- $cmd
        log=$(mktemp)
        out=$(mktemp)
        i=0
        while [ $i -lt "$runs" ]; do
            if [ "$1" = check ]; then
                /usr/bin/time -v "$bin" check "$dir" --format json > "$out" 2>> "$log" || true
            elif [ "$1" = transition ]; then
                /usr/bin/time -v "$bin" transition "$dir" --from 2025 --to 2026 --format "$2" > "$out" 2>> "$log" || true
            else
                /usr/bin/time -v "$bin" report "$dir" --format "$2" --as-of 2026-01-01 > "$out" 2>> "$log" || true
            fi
            i=$((i + 1))
        done
        python3 - "$log" "$out" "$x" "$cmd" <<'PY'
import os, re, sys
log, out, x, cmd = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3], sys.argv[4]
def secs(s):
    parts = [float(p) for p in s.split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
wall = [secs(m) for m in re.findall(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", log)]
rss = [int(m) for m in re.findall(r"Maximum resident set size \(kbytes\): (\d+)", log)]
print(f"x{x:<5} {cmd:<16} {min(wall):8.2f} {max(rss) / 1024:8.1f} {os.path.getsize(out) / 1e6:9.2f}")
PY
        rm -f "$log" "$out"
    done
done
