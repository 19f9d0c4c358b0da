#!/usr/bin/env python3
"""The language server on a national-scale workspace, over stdio as an
editor drives it. The start: the time from `initialize` sent to its
answer, the server's resident memory then, and the time until the first
request after `initialized` is answered (which waits for the workspace to
be read, parsed, lowered and checked), with the peak resident memory at
the end. Then 60 one-line edits of an ICB constitution (a key misspelt, then
put right), each followed at
once by a hover, a definition and a completion at a reference of the
edited file: the time from the edit sent to each answer (the re-check of
the edit is in it: a request sees every edit before it), and from the
edit to its diagnostics.

    python3 benches/corpus.py target/bench-corpus/x10 420   # once
    python3 benches/lsp-stdio.py [BINARY] [WORKSPACE] [RUNS]

BINARY defaults to target/release/icslint, WORKSPACE to
target/bench-corpus/x10, RUNS to 5. Prints each run and the medians.
Memory is read from /proc (Linux): VmRSS when `initialize` is answered,
VmHWM (the peak) before `exit`, in MB of 10^6 bytes.
"""
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def send(p, msg):
    body = json.dumps(msg).encode()
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    p.stdin.flush()


def receive(p):
    length = None
    while True:
        line = p.stdout.readline()
        if not line:
            raise EOFError("the server closed its output")
        line = line.strip()
        if not line:
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(p.stdout.read(length))


def answer(p, id):
    """Reads until the response to request `id`; counts diagnostics."""
    published = 0
    while True:
        m = receive(p)
        if m.get("id") == id and "method" not in m:
            return m, published
        if m.get("method") == "textDocument/publishDiagnostics":
            published += 1


def status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024 / 1e6
    return float("nan")


EDIT_FILE = "system00000/icb-constitution.icg"


def position(text, offset):
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return {"line": line, "character": len(text[start:offset].encode("utf-16-le")) // 2}


def edits(p, workspace, n):
    """Times requests straight after one-line edits; returns per-request
    lists of milliseconds."""
    path = os.path.abspath(os.path.join(workspace, EDIT_FILE))
    uri = "file://" + path
    text = open(path, encoding="utf-8").read()
    send(p, {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": uri, "languageId": "icg", "version": 1, "text": text}}})
    at = text.index("system @") + len("system @") + 1
    line_start = text.index("    review every 12 months")
    out = {"diagnostics": [], "hover": [], "definition": [], "completion": []}
    next_id = 100
    for i in range(n):
        # A misspelt key and back: the diagnostics change with every edit.
        new = "    review every 12 months" if i % 2 else "    reviw every 12 months"
        old_line = text[line_start:text.index("\n", line_start)]
        start, end = position(text, line_start), position(text, line_start + len(old_line))
        text = text[:line_start] + new + text[line_start + len(old_line):]
        t0 = time.perf_counter()
        send(p, {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": i + 2},
            "contentChanges": [{"range": {"start": start, "end": end}, "text": new}]}})
        method = ["textDocument/hover", "textDocument/definition", "textDocument/completion"][i % 3]
        key = ["hover", "definition", "completion"][i % 3]
        next_id += 1
        send(p, {"jsonrpc": "2.0", "id": next_id, "method": method, "params": {
            "textDocument": {"uri": uri}, "position": position(text, at)}})
        got_answer = got_diags = None
        while got_answer is None or got_diags is None:
            m = receive(p)
            now = time.perf_counter() - t0
            if m.get("id") == next_id and "method" not in m:
                assert m.get("result") is not None, m
                got_answer = now
            elif (m.get("method") == "textDocument/publishDiagnostics"
                  and m["params"]["uri"] == uri and m["params"].get("version") == i + 2):
                got_diags = now
        out[key].append(got_answer * 1e3)
        out["diagnostics"].append(got_diags * 1e3)
    return out


def run(binary, workspace):
    root = "file://" + os.path.abspath(workspace)
    p = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    t0 = time.perf_counter()
    send(p, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
             "params": {"processId": None, "rootUri": root, "capabilities": {}}})
    answer(p, 1)
    t_init = time.perf_counter() - t0
    rss_init = status(p.pid, "VmRSS")
    send(p, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
    send(p, {"jsonrpc": "2.0", "id": 2, "method": "workspace/symbol", "params": {"query": "zzz"}})
    _, published = answer(p, 2)
    t_ready = time.perf_counter() - t0
    timed = edits(p, workspace, 60)
    peak = status(p.pid, "VmHWM")
    send(p, {"jsonrpc": "2.0", "id": 3, "method": "shutdown", "params": None})
    answer(p, 3)
    send(p, {"jsonrpc": "2.0", "method": "exit", "params": None})
    p.wait(timeout=60)
    return t_init, rss_init, t_ready, peak, published, timed


def main():
    args = sys.argv[1:]
    binary = args[0] if len(args) > 0 else os.path.join(ROOT, "target", "release", "icslint")
    workspace = args[1] if len(args) > 1 else os.path.join(ROOT, "target", "bench-corpus", "x10")
    runs = int(args[2]) if len(args) > 2 else 5
    rows = []
    for _ in range(runs):
        r = run(binary, workspace)
        rows.append(r)
        print("initialize answered in %.1f ms at %.1f MB; first request answered (workspace "
              "checked) at %.0f ms, peak %.1f MB; %d files' diagnostics published"
              % (r[0] * 1e3, r[1], r[2] * 1e3, r[3], r[4]))
        print("  after an edit, medians (max): " + ", ".join(
            "%s %.2f ms (%.1f)" % (k, statistics.median(v), max(v)) for k, v in r[5].items()))
    med = [statistics.median(r[i] for r in rows) for i in range(4)]
    print("median of %d: initialize %.1f ms, %.1f MB; ready %.0f ms, peak %.1f MB"
          % (runs, med[0] * 1e3, med[1], med[2] * 1e3, med[3]))
    for k in rows[0][5]:
        print("  %s after an edit: median %.2f ms over all runs" % (
            k, statistics.median(x for r in rows for x in r[5][k])))


if __name__ == "__main__":
    main()
