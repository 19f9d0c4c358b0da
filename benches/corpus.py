#!/usr/bin/env python3
"""Writes a national-scale workspace for benchmarks: the example systems
replicated into SYSTEMS systems, each a copy of one example workspace (chosen
with a seeded generator) whose IDs are renamed so that every copy is its own
system. 42 systems (252 files) is one "national" workspace: England has 42
integrated care systems.

    python3 benches/corpus.py OUT_DIR [SYSTEMS] [SEED]

The sources are examples/riverbend (in this repository) and, when the shared
examples sit beside the repository, ../shared/examples/northmoor and
wessex-vale: six files each, so every system is six files.
"""
import os
import random
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = [
    os.path.join(ROOT, "examples", "riverbend"),
    os.path.join(ROOT, "..", "shared", "examples", "northmoor"),
    os.path.join(ROOT, "..", "shared", "examples", "wessex-vale"),
]
# `kind id "Name" {` or `kind id {`: the ID a block declares.
HEADER = re.compile(r'^(\s*[a-z][a-z0-9_]*\s+)([a-z][a-z0-9_]*)(?=\s*("[^"\n]*"\s*)?\{)', re.M)
REF = re.compile(r"@([a-z][a-z0-9_]*)")


def load(folder):
    files = sorted(f for f in os.listdir(folder) if f.endswith(".icg"))
    texts = {f: open(os.path.join(folder, f), encoding="utf-8").read() for f in files}
    ids = set()
    for t in texts.values():
        ids.update(m.group(2) for m in HEADER.finditer(t))
    return texts, ids


def rename(text, ids, suffix):
    text = HEADER.sub(
        lambda m: m.group(1) + (m.group(2) + suffix if m.group(2) in ids else m.group(2)), text
    )
    return REF.sub(lambda m: "@" + (m.group(1) + suffix if m.group(1) in ids else m.group(1)), text)


def main():
    out = sys.argv[1]
    systems = int(sys.argv[2]) if len(sys.argv) > 2 else 42
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    sources = [load(s) for s in SOURCES if os.path.isdir(s)]
    rng = random.Random(seed)
    total = 0
    for n in range(systems):
        texts, ids = rng.choice(sources)
        folder = os.path.join(out, f"system{n:05}")
        os.makedirs(folder, exist_ok=True)
        for name, text in texts.items():
            body = rename(text, ids, f"_s{n}")
            with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
                f.write(body)
            total += len(body.encode("utf-8"))
    print(f"{systems} systems, {systems * 6} files, {total} bytes in {out}")


if __name__ == "__main__":
    main()
