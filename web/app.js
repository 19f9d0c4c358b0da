"use strict";
// The page's script: reads the files given (dropped, chosen or pasted),
// runs icslint's WebAssembly module on them (wasm/src/lib.rs) and shows
// its findings, their explanations and the board's report.
//
// Every text that comes from the documents reaches the page through
// `textContent` or an attribute's value, never as markup; the report, which
// is markup, goes into a sandboxed frame with no script (`sandbox=""`) and
// its own Content-Security-Policy.
(function () {
  const $ = (id) => document.getElementById(id);
  const files = new Map(); // path -> Uint8Array
  let module = null; // the compiled module, instantiated afresh per check
  let reportHtml = null;

  // --- the module ---------------------------------------------------------

  function moduleBytes() {
    const el = $("module");
    const b64 = el.textContent.replace(/\s+/g, "");
    const text = atob(b64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    el.remove(); // 8 MB of text the DOM no longer needs
    return bytes;
  }

  async function compiled() {
    if (!module) module = await WebAssembly.compile(moduleBytes());
    return module;
  }

  // What the module may ask of its host (WASI): it writes a panic's message
  // to standard error and asks for nothing else that matters. Every other
  // call says "not supported" (52, ENOSYS); no file, clock or network.
  function host(stderr) {
    let memory = null;
    const view = () => new DataView(memory.buffer);
    const calls = {
      fd_write(fd, iovs, n, written) {
        let total = 0;
        for (let i = 0; i < n; i++) {
          const ptr = view().getUint32(iovs + 8 * i, true);
          const len = view().getUint32(iovs + 8 * i + 4, true);
          if (fd === 2) stderr.push(new TextDecoder().decode(new Uint8Array(memory.buffer, ptr, len)));
          total += len;
        }
        view().setUint32(written, total, true);
        return 0;
      },
      environ_sizes_get(count, size) { view().setUint32(count, 0, true); view().setUint32(size, 0, true); return 0; },
      environ_get() { return 0; },
      args_sizes_get(count, size) { view().setUint32(count, 0, true); view().setUint32(size, 0, true); return 0; },
      args_get() { return 0; },
      clock_time_get(id, precision, at) { view().setBigUint64(at, BigInt(Math.round(performance.now() * 1e6)), true); return 0; },
      random_get(ptr, len) { crypto.getRandomValues(new Uint8Array(memory.buffer, ptr, len)); return 0; },
      fd_prestat_get() { return 8; }, // EBADF: no folder is open to it
      proc_exit(code) { throw new Error("icslint stopped (exit " + code + ")"); },
    };
    const imports = {};
    for (const imp of WebAssembly.Module.imports(module)) {
      if (imp.kind !== "function") continue;
      imports[imp.module] = imports[imp.module] || {};
      imports[imp.module][imp.name] = calls[imp.name] || (() => 52);
    }
    return { imports, attach(m) { memory = m; } };
  }

  async function instance() {
    await compiled();
    const stderr = [];
    const h = host(stderr);
    const inst = await WebAssembly.instantiate(module, h.imports);
    h.attach(inst.exports.memory);
    if (inst.exports._initialize) inst.exports._initialize();
    return { x: inst.exports, stderr };
  }

  function take(x, ptr) {
    const len = new DataView(x.memory.buffer).getUint32(ptr, true);
    const text = new TextDecoder().decode(new Uint8Array(x.memory.buffer, ptr + 4, len));
    x.icslint_free(ptr, len + 4);
    return text;
  }

  // The framing of wasm/src/lib.rs (`Input::decode`): u32 little-endian
  // lengths; version, date, configuration (or 0xFFFFFFFF), then the files.
  function frame(date, config, entries) {
    const enc = new TextEncoder();
    const parts = [];
    const u32 = (n) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); parts.push(b); };
    const put = (bytes) => { u32(bytes.length); parts.push(bytes); };
    u32(1);
    put(enc.encode(date));
    if (config === null) u32(0xffffffff); else put(enc.encode(config));
    u32(entries.length);
    for (const [name, bytes] of entries) { put(enc.encode(name)); put(bytes); }
    let size = 0;
    for (const p of parts) size += p.length;
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }

  async function runCheck(date, config, entries) {
    const { x, stderr } = await instance();
    const input = frame(date, config, entries);
    const ptr = x.icslint_alloc(input.length);
    if (input.length && !ptr) throw new Error("the documents are too large to check in a browser");
    new Uint8Array(x.memory.buffer, ptr, input.length).set(input);
    try {
      return JSON.parse(take(x, x.icslint_check(ptr, input.length)));
    } catch (e) {
      const detail = stderr.join("").trim();
      throw new Error(detail ? "icslint failed: " + detail : "icslint failed: " + e.message);
    }
  }

  async function example() {
    const { x } = await instance();
    return JSON.parse(take(x, x.icslint_example()));
  }

  // --- the files given ----------------------------------------------------

  function wanted(name) {
    return /\.(icg|ya?ml)$/i.test(name);
  }

  function showFiles() {
    const list = $("file-list");
    list.replaceChildren();
    const names = [...files.keys()].sort();
    for (const name of names) {
      const li = document.createElement("li");
      li.textContent = name + " (" + files.get(name).length + " bytes)";
      list.append(li);
    }
    const n = names.length;
    $("file-count").textContent = n === 0 ? "No files chosen." : n === 1 ? "1 file chosen." : n + " files chosen.";
  }

  async function addFile(name, file) {
    if (!wanted(name)) return;
    files.set(name, new Uint8Array(await file.arrayBuffer()));
  }

  // A dropped folder, walked through the entries API.
  async function addEntry(entry, prefix) {
    if (entry.isFile) {
      const file = await new Promise((ok, fail) => entry.file(ok, fail));
      await addFile(prefix + entry.name, file);
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
        if (batch.length === 0) break;
        for (const e of batch) await addEntry(e, prefix + entry.name + "/");
      }
    }
  }

  async function onDrop(ev) {
    ev.preventDefault();
    $("drop").classList.remove("over");
    const items = ev.dataTransfer.items ? [...ev.dataTransfer.items] : [];
    const entries = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null)).filter(Boolean);
    if (entries.length) {
      for (const e of entries) await addEntry(e, "");
    } else {
      for (const f of ev.dataTransfer.files) await addFile(f.name, f);
    }
    showFiles();
    await check();
  }

  async function onPick(ev) {
    for (const f of ev.target.files) await addFile(f.webkitRelativePath || f.name, f);
    ev.target.value = "";
    showFiles();
    await check();
  }

  // --- the findings -------------------------------------------------------

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  const SEVERITY = { error: "✖ Error", warning: "▲ Warning", advice: "ℹ Advice" };

  function findingItem(f, rules) {
    const li = el("li", "finding sev-" + f.severity + (f.status === "explained" ? " explained" : ""));
    li.dataset.rule = f.rule;
    li.dataset.file = f.location.path;
    li.dataset.line = String(f.location.line);
    const h = el("h3");
    h.append(el("span", "sev", SEVERITY[f.severity] || f.severity), " ", el("code", null, f.rule), " " + f.name);
    li.append(h);
    li.append(el("p", "where", f.location.path + ":" + f.location.line + ":" + f.location.column));
    li.append(el("p", "message", f.message));
    if (f.status === "explained" && f.explanation) {
      const x = f.explanation;
      const p = el("p", "board");
      p.append(el("strong", null, x.overdue ? "Explained by the board, but the review date has passed: " : "Explained by the board: "));
      p.append(x.reason + " (agreed by " + x.approved_by + (x.review ? ", review by " + x.review : "") + ")");
      li.append(p);
    }
    if (f.help) {
      const p = el("p", "help");
      p.append(el("strong", null, "What to write: "), f.help);
      li.append(p);
    }
    if (f.provenance) {
      const p = el("p", "source");
      p.append(el("strong", null, "Source: "), f.provenance.source + ", " + f.provenance.ref + ": " + f.provenance.summary);
      li.append(p);
    }
    if (f.citation && f.citation.text) {
      const p = el("p", "citation");
      p.append(el("strong", null, "Where the document says it: "), f.citation.text);
      li.append(p);
    }
    for (const l of f.labels || []) {
      li.append(el("p", "where", l.location.path + ":" + l.location.line + ": " + l.message));
    }
    const rule = rules[f.rule];
    if (rule) {
      const d = el("details");
      d.append(el("summary", null, "About " + f.rule + " (the rule's explanation)"));
      d.append(el("pre", null, rule.explain));
      li.append(d);
    }
    return li;
  }

  function show(result) {
    const status = $("status");
    status.classList.remove("problem");
    if (result.error) {
      status.classList.add("problem");
      status.textContent = "Could not check: " + result.error;
      return;
    }
    const list = $("findings");
    list.replaceChildren();
    const found = (result.findings && result.findings.findings) || [];
    for (const f of found) list.append(findingItem(f, result.rules || {}));
    $("human").textContent = result.human;
    status.textContent = result.summary + (result.exit === 2 ? " A file or the configuration could not be used: see the ICG findings." : "");
    if (result.exit === 2) status.classList.add("problem");
    reportHtml = result.report;
    const frame = $("report");
    if (reportHtml) {
      frame.srcdoc = reportHtml;
      $("save-report").disabled = false;
    } else {
      frame.srcdoc = "";
      $("save-report").disabled = true;
      if (result.report_error) status.textContent += " The board report could not be written: " + result.report_error;
    }
  }

  async function check() {
    const entries = [...files.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const pasted = $("paste").value;
    if (pasted.trim() !== "") {
      const name = $("paste-name").value.trim() || "pasted.icg";
      entries.push([name, new TextEncoder().encode(pasted)]);
    }
    const config = $("config").value.trim() === "" ? null : $("config").value;
    const date = $("as-of").value || today();
    if (entries.length === 0 && config === null) {
      $("status").textContent = "Choose, drop or paste a document first.";
      return;
    }
    $("status").textContent = "Checking " + entries.length + (entries.length === 1 ? " file…" : " files…");
    $("check").disabled = true;
    try {
      const started = performance.now();
      const result = await runCheck(date, config, entries);
      show(result);
      document.body.dataset.checkedIn = String(Math.round(performance.now() - started));
      document.body.dataset.state = "checked";
    } catch (e) {
      $("status").classList.add("problem");
      $("status").textContent = String(e.message || e);
      document.body.dataset.state = "failed";
    } finally {
      $("check").disabled = false;
    }
  }

  async function loadExample() {
    files.clear();
    for (const f of await example()) files.set(f.name, new TextEncoder().encode(f.text));
    showFiles();
    await check();
  }

  function today() {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  // --- tabs (the WAI-ARIA pattern: arrows move, Home and End jump) --------

  function selectTab(tab) {
    for (const t of document.querySelectorAll("[role=tab]")) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute("aria-controls")).hidden = !on;
    }
    tab.focus();
  }

  function onTabKey(ev) {
    const tabs = [...document.querySelectorAll("[role=tab]")];
    const i = tabs.indexOf(ev.target);
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[ev.key];
    if (to === undefined) return;
    ev.preventDefault();
    selectTab(tabs[(to + tabs.length) % tabs.length]);
  }

  function saveReport() {
    if (!reportHtml) return;
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([reportHtml], { type: "text/html" }));
    a.download = "icslint-report.html";
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  // --- wiring ---------------------------------------------------------------

  $("as-of").value = today();
  const drop = $("drop");
  drop.addEventListener("dragover", (ev) => { ev.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", onDrop);
  $("pick-files").addEventListener("change", onPick);
  $("pick-folder").addEventListener("change", onPick);
  $("check").addEventListener("click", check);
  $("example").addEventListener("click", loadExample);
  $("clear").addEventListener("click", () => {
    files.clear();
    $("paste").value = "";
    showFiles();
  });
  $("save-report").addEventListener("click", saveReport);
  for (const t of document.querySelectorAll("[role=tab]")) {
    t.addEventListener("click", () => selectTab(t));
    t.addEventListener("keydown", onTabKey);
  }
  // Tests and scripts hand the page files without a person (tests/web.rs).
  window.icslintPage = {
    async checkFiles(list, config) {
      files.clear();
      for (const [name, text] of list) files.set(name, typeof text === "string" ? new TextEncoder().encode(text) : new Uint8Array(text));
      if (config !== undefined) $("config").value = config;
      showFiles();
      await check();
    },
  };
  if (location.hash === "#example") loadExample();
})();
