#!/bin/sh
# How long the human (miette) output takes for one large file with many
# findings, beside the JSON output of the same run. Human output used to
# re-scan the file from its start for every finding (quadratic); both
# should now grow linearly with the file.
#
#   sh benches/human-output.sh [BINARY] [BLOCKS]
#
# BLOCKS defaults to 8000 (about 800 KB, 16,000 findings).
set -eu
# Every run checks: a cache hit would time reading, not checking
# (benches/cache.sh times the cache).
export ICSLINT_NO_CACHE=1
bin=${1:-target/release/icslint}
n=${2:-8000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir/big.icg" "$n" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write('system s "S" { regime 2022 }\n')
    for i in range(n):
        # A misspelt key (ICG002) and so no geography (CCN171) each.
        f.write(
            f'place p{i} "Place number {i} of the big generated file" {{\n'
            f"    system @s\n"
            f"    geograpy \"the area served by place number {i}\"\n"
            f"}}\n"
        )
PY
size=$(wc -c < "$dir/big.icg")
echo "file: $size bytes, $n blocks"
for fmt in json human; do
    start=$(date +%s.%N)
    NO_COLOR=1 "$bin" check "$dir" --format "$fmt" > "$dir/out.$fmt" 2>&1 || true
    end=$(date +%s.%N)
    lines=$(wc -l < "$dir/out.$fmt")
    printf '%-6s %8.2f s  (%s lines of output)\n' "$fmt" "$(echo "$end - $start" | bc)" "$lines"
done
