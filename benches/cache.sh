#!/bin/sh
# The cache of `icslint check` against `rg -c .` (every file read once):
# a warm cache (a hit: discovery, reading and hashing, the stored output
# written), `--no-cache`, and a cold cache (the first run, which also
# writes the entry), at 1x, 10x and 100x national (benches/corpus.py).
#
#   cargo build --release && sh benches/cache.sh [RUNS] [SCALES...]
#
# Needs hyperfine and rg. The key is kept in a temporary XDG_CACHE_HOME,
# the entries in target/bench-corpus/.icslint_cache (the current folder
# of the runs). On a shared machine, compare the ratios, not the times.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${ICSLINT:-$root/target/release/icslint}
runs=${1:-10}
[ $# -gt 0 ] && shift
scales=${*:-1 10 100}
[ -x "$bin" ] || { echo "no $bin: run cargo build --release first" >&2; exit 2; }
command -v hyperfine > /dev/null || { echo "needs hyperfine" >&2; exit 2; }
command -v rg > /dev/null || { echo "needs rg" >&2; exit 2; }
unset ICSLINT_NO_CACHE ICSLINT_CACHE_DIR
XDG_CACHE_HOME=$(mktemp -d)
export XDG_CACHE_HOME
trap 'rm -rf "$XDG_CACHE_HOME"' EXIT
cd "$root/target/bench-corpus"
for x in $scales; do
    if [ ! -d "x$x" ]; then
        python3 "$root/benches/corpus.py" "x$x" $((42 * x)) 1 > /dev/null
    fi
    echo "== ${x}x national"
    # Warm: the first warm-up run stores the entry.
    hyperfine -N -i -w 2 -r "$runs" \
        "rg -c . x$x" \
        "$bin check x$x --format json" \
        "$bin check x$x --format json --no-cache"
    # Cold: each run first removes the entries (not the folder).
    hyperfine -N -i -w 1 -r "$(( runs < 5 ? runs : 5 ))" \
        --prepare "sh -c 'rm -f .icslint_cache/[0-9a-f]*'" \
        "$bin check x$x --format json"
done
