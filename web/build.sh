#!/usr/bin/env bash
# Builds icslint for the browser and writes one self-contained page,
# target/web/index.html: the WebAssembly module (base64), the script and
# the styles inlined, no request of any kind (its Content-Security-Policy
# forbids them). Open it from disk, or e-mail it: nothing is installed,
# and nothing the page is given leaves it.
#
# Needs the Rust toolchain with the wasm32-wasip1 target
# (`rustup target add wasm32-wasip1`), and coreutils' base64.
# The module is built in its own target folder (target/wasm-build), so the
# build never waits on a test run's lock.
set -euo pipefail
cd "$(dirname "$0")/.."
target=wasm32-wasip1
# Exit 3 (tests/web.rs skips on it): the target is not installed.
if [ ! -d "$(rustc --print sysroot)/lib/rustlib/$target" ]; then
    if command -v rustup >/dev/null 2>&1; then
        echo "web/build.sh: the Rust target $target is missing: rustup target add $target" >&2
    else
        echo "web/build.sh: the Rust target $target is missing, and rustup is not installed to add it" >&2
    fi
    exit 3
fi
cargo build --quiet --locked --release --target "$target" \
    --target-dir target/wasm-build -p icslint-wasm
wasm="target/wasm-build/$target/release/icslint_wasm.wasm"
out=target/web
mkdir -p "$out"
tmp="$out/.module.b64"
base64 -w0 "$wasm" >"$tmp"
awk -v style=web/style.css -v script=web/app.js -v module="$tmp" '
    function include(file,   line) {
        while ((getline line < file) > 0) print line
        close(file)
    }
    /^<!-- icslint:style -->$/ { include(style); next }
    /^<!-- icslint:script -->$/ { include(script); next }
    /^<!-- icslint:module -->$/ { include(module); printf "\n"; next }
    { print }
' web/page.html >"$out/index.html.tmp"
rm -f "$tmp"
mv "$out/index.html.tmp" "$out/index.html"
echo "web/build.sh: wrote $out/index.html ($(wc -c <"$out/index.html") bytes; module $(wc -c <"$wasm") bytes)" >&2
