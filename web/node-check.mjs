// Runs the module the page inlines, in Node.js, for tests/web.rs.
//   node web/node-check.mjs MODULE.wasm < inputs   one JSON line per input
//   node web/node-check.mjs MODULE.wasm --example  the bundled example
// Standard input holds framed inputs (wasm/src/lib.rs, `Input::decode`),
// each after its length as a little-endian u32. Each is checked by a fresh
// instance, with the same host calls the page gives (web/app.js): a panic's
// message on standard error, and nothing else.
import { readFileSync } from "node:fs";

const [wasmPath, mode] = process.argv.slice(2);
const module = await WebAssembly.compile(readFileSync(wasmPath));

async function instance() {
  let memory = null;
  const view = () => new DataView(memory.buffer);
  const calls = {
    fd_write(fd, iovs, n, written) {
      let total = 0;
      for (let i = 0; i < n; i++) {
        const ptr = view().getUint32(iovs + 8 * i, true);
        const len = view().getUint32(iovs + 8 * i + 4, true);
        if (fd === 2) process.stderr.write(new Uint8Array(memory.buffer, ptr, len));
        total += len;
      }
      view().setUint32(written, total, true);
      return 0;
    },
    environ_sizes_get(c, s) { view().setUint32(c, 0, true); view().setUint32(s, 0, true); return 0; },
    environ_get() { return 0; },
    args_sizes_get(c, s) { view().setUint32(c, 0, true); view().setUint32(s, 0, true); return 0; },
    args_get() { return 0; },
    clock_time_get(id, precision, at) { view().setBigUint64(at, BigInt(Math.round(performance.now() * 1e6)), true); return 0; },
    random_get(ptr, len) { crypto.getRandomValues(new Uint8Array(memory.buffer, ptr, len)); return 0; },
    fd_prestat_get() { return 8; },
    proc_exit(code) { throw new Error("exit " + code); },
  };
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== "function") continue;
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = calls[imp.name] ?? (() => 52);
  }
  const inst = await WebAssembly.instantiate(module, imports);
  memory = inst.exports.memory;
  inst.exports._initialize?.();
  return inst.exports;
}

function take(x, ptr) {
  const len = new DataView(x.memory.buffer).getUint32(ptr, true);
  const text = new TextDecoder().decode(new Uint8Array(x.memory.buffer, ptr + 4, len));
  x.icslint_free(ptr, len + 4);
  return text;
}

if (mode === "--example") {
  const x = await instance();
  process.stdout.write(take(x, x.icslint_example()) + "\n");
} else {
  const all = readFileSync(0);
  let at = 0;
  while (at < all.length) {
    const len = all.readUInt32LE(at);
    const input = all.subarray(at + 4, at + 4 + len);
    at += 4 + len;
    let line;
    try {
      const x = await instance();
      const ptr = x.icslint_alloc(input.length);
      new Uint8Array(x.memory.buffer, ptr, input.length).set(input);
      line = take(x, x.icslint_check(ptr, input.length));
    } catch (e) {
      // A trap: the tests fail on it, with what it was.
      line = JSON.stringify({ trap: String(e) });
    }
    process.stdout.write(line + "\n");
  }
}
