#!/usr/bin/env python3
"""Copies a benchmark corpus (benches/corpus.py) with comply-or-explain
added throughout, to measure what documents, clauses and explanations
cost: every file names its published document, every top-level block
opens with a `clause`, and every ICB explains three recommendations
(some of which fire there, some not: both paths of the matching run).

    python3 benches/explained.py IN_DIR OUT_DIR

Then time `icslint check` on both folders (benches/measure.sh does it
with ICSLINT and a corpus folder; README, "Performance", has the numbers).
"""
import os
import re
import sys

TOP = re.compile(r'^([a-z][a-z0-9_]*) ([a-z][a-z0-9_]*)(?: "[^"\n]*")? \{\s*$', re.M)
EXPLAIN = (
    '    explain {rule} "Departure agreed by the board for the benchmark" '
    '{{ approved_by @{icb}; agreed 2025-06-01; review 2099-06-01 }}\n'
)


def annotate(name, text):
    out = [f'document "Governance document {name}" {{ version "1.0"; url "https://example.org/{name}" }}\n\n']
    clause = 0
    pos = 0
    for m in TOP.finditer(text):
        out.append(text[pos:m.end()])
        out.append("\n")
        pos = m.end() + 1 if text[m.end():m.end() + 1] == "\n" else m.end()
        kind, ident = m.group(1), m.group(2)
        if kind in ("system", "authority"):
            continue
        clause += 1
        out.append(f'    clause "{clause}"\n')
        if kind == "icb":
            for rule in ("CCN111", "CCN161", "CCN181"):
                out.append(EXPLAIN.format(rule=rule, icb=ident))
    out.append(text[pos:])
    return "".join(out)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    files = 0
    for dirpath, _, names in os.walk(src):
        for n in names:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, src)
            q = os.path.join(dst, rel)
            os.makedirs(os.path.dirname(q), exist_ok=True)
            text = open(p, encoding="utf-8").read()
            if n.endswith(".icg"):
                text = annotate(rel.replace(os.sep, "_"), text)
                files += 1
            open(q, "w", encoding="utf-8").write(text)
    print(f"{files} files annotated in {dst}")


if __name__ == "__main__":
    main()
