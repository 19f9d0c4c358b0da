#!/bin/sh
# ICG004's did-you-mean over a workspace with many IDs and many references
# to IDs that do not exist: each dangling reference is compared with the
# workspace's IDs for the nearest spelling. This used to be a full edit
# distance against every ID (dangling references × IDs, each quadratic in
# the length); the time should now grow far more slowly than that product.
#
#   sh benches/dangling-references.sh [BINARY] [IDS] [DANGLING]
#
# IDS defaults to 20,000 places, DANGLING to 20,000 references (half of
# them one letter away from an ID, half far from every ID). Prints the
# best of three wall times of `check --select ICG004`.
set -eu
# Every run checks: a cache hit would time reading, not checking
# (benches/cache.sh times the cache).
export ICSLINT_NO_CACHE=1
bin=${1:-target/release/icslint}
ids=${2:-20000}
dangling=${3:-20000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir/ws.icg" "$ids" "$dangling" <<'PY'
import random, sys
path, ids, dangling = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(11)
with open(path, "w") as f:
    f.write('system s "S" { regime 2022 }\n')
    for i in range(ids):
        f.write(f'authority council_{i:06d} "Council {i}" {{ kind district; tier lower; population 1000; share @s 0.001% }}\n')
    for i in range(dangling):
        if i % 2 == 0:
            # A typo of an existing ID: one letter changed.
            ref = f"councel_{rng.randrange(ids):06d}"
        else:
            # Nothing near it.
            ref = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(14))
        f.write(f'place p_{i:06d} "Place {i}" {{ system @s; authorities [@{ref}] }}\n')
PY
size=$(wc -c < "$dir/ws.icg")
echo "workspace: $size bytes, $ids IDs, $dangling dangling references"
best=
for run in 1 2 3; do
    start=$(date +%s.%N)
    "$bin" check "$dir" --select ICG004 --format json > "$dir/out.json" 2>&1 || true
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
done
found=$(grep -c '"rule": "ICG004"' "$dir/out.json" || true)
suggested=$(grep -c 'did you mean' "$dir/out.json" || true)
printf 'check --select ICG004: best of 3 %.2f s (%s findings, %s with a suggestion)\n' "$best" "$found" "$suggested"
