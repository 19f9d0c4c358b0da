#!/usr/bin/env python3
"""Hostile inputs at scale: wall time, peak RSS and output size of the
release binary on each (issue 19, "safe to run on untrusted documents").

    cargo build --release && python3 benches/hostile.py [NAMES...]

Each case is a workspace written once to target/bench-hostile/NAME/ (the
same bytes every time), checked with `--format json` (and `--statistics`,
which renders no finding) so the time is the check's and the findings',
not a report's snippets. Output is proportional to the findings: the table
gives the JSON's bytes per finding. Needs GNU time (/usr/bin/time -v).
"""

import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("ICSLINT", os.path.join(ROOT, "target", "release", "icslint"))
OUT = os.path.join(ROOT, "target", "bench-hostile")


def authorities(n):
    s = [f'system big "Big ICS" {{ regime 2022; population {n * 1000} }}\n']
    for i in range(n):
        s.append(
            f'authority a{i} "Authority {i}" {{ kind unitary; tier upper; population 1000; share @big 100% }}\n'
        )
    return "".join(s)


def pack(rules):
    out = ["pack: hostile\ntitle: Hostile\nsource: bench\nrules:\n"]
    for rid, assert_, message in rules:
        out.append(
            f"  - id: {rid}\n    name: r-{rid.lower()}\n"
            "    provenance: { source: bench, ref: here, summary: hostile }\n"
            "    severity: warning\n    scope: system\n"
            f"    assert: '{assert_}'\n    message: '{message}'\n    help: 'no'\n"
        )
    return "".join(out)


def cases():
    """NAME -> {file: text}."""
    c = {}
    c["authorities-20k"] = {"big.icg": authorities(20_000)}
    sup = ['system s "S" { regime 2022 }\nicb i "NHS S ICB" {\n    system @s\n']
    for k in range(20_000):
        sup.append(f"    # icslint: allow ICG002 -- reason {k}\n    colour{k} blue\n")
    sup.append("}\n")
    c["suppressions-20k"] = {"a.icg": "".join(sup)}
    # Every line a top-level error: the scan gives up the run of them as one.
    c["syntax-errors-200k"] = {
        "a.icg": 'system s "S" { regime 2022 }\n' + "= =\n" * 200_000
    }
    # One top-level block per error, each recovered on its own; only the
    # language's findings, so the count is the errors'.
    c["syntax-error-blocks-200k"] = {
        "a.icg": "".join(f'system s{k} "S" {{ regime 2022; = }}\n' for k in range(200_000)),
        "icslint.yaml": "select: [ICG]\n",
    }
    line = ['system s "S" { regime 2022 }\nicb i "NHS S ICB" { system @s;']
    for k in range(400_000):
        line.append(f" k{k} 1;")
    line.append(" }\n")
    c["findings-one-line-400k"] = {"a.icg": "".join(line)}
    c["spaces-70k"] = {
        "a.icg": " " * 70_000 + 'system s "S" { regime 2022 }\n' + " " * 70_000 + "= =\n"
    }
    # Every authority's type needs every other's missing population.
    c["no-population-20k"] = {
        "a.icg": 'system big "Big ICS" { regime 2022 }\n'
        + "".join(
            f'authority a{i} "Authority {i}" {{ kind unitary; tier upper; share @big 100% }}\n'
            for i in range(20_000)
        )
    }
    # Typos of 20,000 IDs: a did-you-mean each, among 20,000 candidates.
    typo = [authorities(20_000)]
    for k in range(20_000):
        typo.append(f'place p{k} "P{k}" {{ system @big; authorities [@a{k}x] }}\n')
    c["did-you-mean-20k"] = {"a.icg": "".join(typo)}
    big = authorities(3_000)
    c["pack-cubic"] = {
        "big.icg": big,
        "icslint.yaml": "rules: [hostile.yaml]\nselect: [LOC, ICG]\n",
        "hostile.yaml": pack(
            [
                (
                    "LOC001",
                    "all(self.authorities, all(self.authorities, all(self.authorities, population > 0)))",
                    "cubic",
                )
            ]
        ),
    }
    c["pack-message"] = {
        "big.icg": authorities(5_000),
        "icslint.yaml": "rules: [hostile.yaml]\nselect: [LOC, ICG]\n",
        "hostile.yaml": pack([("LOC003", "no", "{authorities}" * 200)]),
    }
    c["pack-minus"] = {
        "big.icg": authorities(20_000),
        "icslint.yaml": "rules: [hostile.yaml]\nselect: [LOC, ICG]\n",
        "hostile.yaml": pack(
            [("LOC004", "count(minus(authorities, authorities)) > 0", "x")]
        ),
    }
    return c


def write(name, files):
    d = os.path.join(OUT, name)
    if os.path.isdir(d):
        return d
    os.makedirs(d)
    for f, text in files.items():
        with open(os.path.join(d, f), "w") as h:
            h.write(text)
    return d


def run(d, args):
    t = time.time()
    p = subprocess.run(
        ["/usr/bin/time", "-v", BIN] + args,
        cwd=d,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wall = time.time() - t
    err = p.stderr.decode(errors="replace")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    return wall, rss * 1024 / 1e6, p.returncode, p.stdout, err


def main():
    if not os.access(BIN, os.X_OK):
        sys.exit(f"no {BIN}: run cargo build --release first")
    wanted = sys.argv[1:]
    print(
        f"{'case':<26} {'in_MB':>7} {'json_s':>7} {'RSS_MB':>7} {'exit':>4} "
        f"{'findings':>9} {'out_MB':>7} {'B/finding':>9} {'stats_s':>7}"
    )
    for name, files in cases().items():
        if wanted and name not in wanted:
            continue
        d = write(name, files)
        size = sum(len(t.encode()) for f, t in files.items() if f.endswith(".icg")) / 1e6
        wall, rss, code, out, err = run(d, ["check", ".", "--format", "json"])
        try:
            n = len(json.loads(out)["findings"])
        except Exception:
            n = -1
            print(err[-2000:], file=sys.stderr)
        swall, _, _, _, _ = run(d, ["check", ".", "--statistics"])
        per = len(out) / n if n > 0 else 0
        print(
            f"{name:<26} {size:7.2f} {wall:7.2f} {rss:7.1f} {code:>4} "
            f"{n:>9} {len(out) / 1e6:7.2f} {per:9.0f} {swall:7.2f}"
        )


if __name__ == "__main__":
    main()
