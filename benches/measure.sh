#!/bin/sh
# Wall time and peak memory of the release binary on national-scale
# workspaces: 1x, 10x and 100x national (42, 420 and 4,200 systems of six
# files; see benches/corpus.py), each checked with every built-in pack.
#
#   cargo build --release && sh benches/measure.sh [RUNS] [SCALES...]
#
# RUNS (default 5) runs per scale; the table gives the best and the median
# wall time, throughput at the best, and the highest peak RSS of the runs
# (MB of 10^6 bytes, as the input's; RSS/in is bytes over bytes).
# Corpora are written once to target/bench-corpus/ (seeded, so the same
# bytes every time). Needs python3 and GNU time (/usr/bin/time -v).
set -eu
# Every run checks: a cache hit would time reading, not checking
# (benches/cache.sh times the cache).
export ICSLINT_NO_CACHE=1
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${ICSLINT:-$root/target/release/icslint}
runs=${1:-5}
[ $# -gt 0 ] && shift
scales=${*:-1 10 100}
[ -x "$bin" ] || { echo "no $bin: run cargo build --release first" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time" >&2; exit 2; }
printf '%-6s %6s %8s %9s %9s %9s %9s %7s\n' scale files MB best_s median_s MB/s RSS_MB RSS/in
for x in $scales; do
    dir=$root/target/bench-corpus/x$x
    if [ ! -d "$dir" ]; then
        python3 "$root/benches/corpus.py" "$dir" $((42 * x)) 1 > /dev/null
    fi
    files=$(find "$dir" -name '*.icg' | wc -l)
    bytes=$(find "$dir" -name '*.icg' -exec cat {} + | wc -c)
    log=$(mktemp)
    i=0
    while [ $i -lt "$runs" ]; do
        /usr/bin/time -v "$bin" check "$dir" --format json > /dev/null 2>> "$log" || true
        i=$((i + 1))
    done
    python3 - "$log" "$bytes" "$x" "$files" <<'PY'
import re, statistics, sys
log, size, x, files = open(sys.argv[1]).read(), int(sys.argv[2]), sys.argv[3], sys.argv[4]
def secs(s):
    parts = [float(p) for p in s.split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
wall = [secs(m) for m in re.findall(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", log)]
rss = [int(m) for m in re.findall(r"Maximum resident set size \(kbytes\): (\d+)", log)]
mb = size / 1e6
# GNU time gives KiB: the peak in bytes, against the documents' bytes.
best, med, peak = min(wall), statistics.median(wall), max(rss) * 1024 / 1e6
print(f"{x + 'x':<6} {files:>6} {mb:8.2f} {best:9.3f} {med:9.3f} {mb / best:9.2f} {peak:9.1f} {peak / mb:7.1f}")
PY
    rm -f "$log"
done
