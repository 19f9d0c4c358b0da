#!/usr/bin/env python3
"""The README's headline table: `icslint check --format json` against
`rg -c .` on the same bytes, at an empty folder and 1x, 10x and 100x
national (benches/corpus.py), without the cache and with a warm one.

    cargo build --release && python3 benches/headline.py [--runs N] [--write]

Each cell is hyperfine's mean (`-N -i`, two warm-up runs) and its ratio to
`rg` on the same folder. With --write, the table between the markers
`<!-- headline:start -->` and `<!-- headline:end -->` in README.md is
replaced, with the date, the commit and the load average it was measured
at; without it, the table is printed. Needs hyperfine, rg and python3.
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("ICSLINT", os.path.join(ROOT, "target/release/icslint"))
CORPUS = os.path.join(ROOT, "target/bench-corpus")


def mean(cmds, runs, env):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            ["hyperfine", "-N", "-i", "-w", "2", "-r", str(runs), "--export-json", out.name, *cmds],
            cwd=CORPUS, env=env, check=True, stdout=subprocess.DEVNULL,
        )
        return [r["mean"] for r in json.load(open(out.name))["results"]]


def ms(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--write", action="store_true")
    a = ap.parse_args()
    for tool in ("hyperfine", "rg"):
        if not shutil.which(tool):
            sys.exit(f"needs {tool}")
    if not os.access(BIN, os.X_OK):
        sys.exit(f"no {BIN}: run cargo build --release first")
    os.makedirs(CORPUS, exist_ok=True)
    empty = os.path.join(CORPUS, "empty")
    os.makedirs(empty, exist_ok=True)
    with open(os.path.join(empty, "a.icg"), "w") as f:
        f.write('system s "S" { regime 2022 }\n')
    home = tempfile.mkdtemp()
    env = dict(os.environ, XDG_CACHE_HOME=home)
    env.pop("ICSLINT_NO_CACHE", None)
    env.pop("ICSLINT_CACHE_DIR", None)
    rows = []
    try:
        for name in ("empty", "x1", "x10", "x100"):
            d = os.path.join(CORPUS, name)
            if not os.path.isdir(d):
                x = int(name[1:])
                subprocess.run([sys.executable, os.path.join(ROOT, "benches/corpus.py"), d, str(42 * x), "1"],
                               check=True, stdout=subprocess.DEVNULL)
            mb = sum(os.path.getsize(os.path.join(p, f)) for p, _, fs in os.walk(d) for f in fs
                     if f.endswith(".icg")) / 1e6
            rg, cold, warm = mean([f"rg -c . {name}",
                                   f"{BIN} check {name} --format json --no-cache",
                                   f"{BIN} check {name} --format json"], a.runs, env)
            label = {"empty": "one tiny file"}.get(name, f"{name[1:]}× national")
            rows.append(f"| {label} | {mb:.2f} MB | {ms(rg)} | {ms(cold)} ({cold / rg:.1f}×) | {ms(warm)} ({warm / rg:.1f}×) |")
    finally:
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(os.path.join(CORPUS, ".icslint_cache"), ignore_errors=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    load = open("/proc/loadavg").read().split()[0] if os.path.exists("/proc/loadavg") else "?"
    table = "\n".join([
        f"Measured {datetime.date.today()} at {commit}, load average {load} before the runs, "
        f"by `python3 benches/headline.py --runs {a.runs} --write` (hyperfine means):",
        "",
        "| workspace | input | `rg -c .` | `check --format json --no-cache` | a second, unchanged run (cache hit) |",
        "| --- | --- | --- | --- | --- |",
        *rows,
    ])
    if not a.write:
        print(table)
        return
    path = os.path.join(ROOT, "README.md")
    text = open(path).read()
    start, end = "<!-- headline:start -->\n", "<!-- headline:end -->"
    i, j = text.index(start) + len(start), text.index(end)
    open(path, "w").write(text[:i] + table + "\n" + text[j:])
    print(table)


if __name__ == "__main__":
    main()
