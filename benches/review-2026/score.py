#!/usr/bin/env python3
"""Score an icslint binary against the boundary cases in this folder.

usage: score.py ICSLINT [CASE...]
       score.py --groups ICSLINT     (scores per change of issue 20)

For each case folder (cNN_*): reads the annotations of every .icg file,
runs `ICSLINT check --format json --fail-on never [--as-of D] CASE` (D from
a first-line comment `# as-of: D`), and compares.

Annotations (trailing, or on a comment-only line for the next line):
  # expect: ID, ID    a finding of ID must start on this line (once per mention)
  # ok: ID            ID must not fire on this line
  # claims: ID        (on an `explain` header) this explanation must claim a finding of ID
  # noclaim: ID       this explanation must not claim any finding of ID
  # max-severity: warning   (file header) no finding of a rule pack may be an error

TP: expected and found on that line. FN: expected, not found.
FP: found on a line marked `ok` for that rule, or a finding of a rule under
review (REVIEWED) on a line with no annotation at all.
Claims are scored under the pseudo-rule `explain` the same way.
Other unexpected findings (a reviewed rule on a line annotated for other
rules), severity breaches and language errors (ICG001-ICG004: the case's
text does not parse for this binary) are listed, not counted.
"""
import json, os, re, subprocess, sys
from collections import Counter, defaultdict

REVIEWED = {"CCN113", "STA012", "STA014", "STA016", "STA026", "STA027", "STA028",
            "STA029", "STA032", "STA033", "STA034", "STA030", "STA008", "STA009",
            "STA013", "STA006", "CCN081", "CCN121", "CCN141", "CCN202", "ICG022",
            "ICG023", "CCN061", "CCN041", "CCN132"}
ANN = re.compile(r"#\s*(expect|ok|claims|noclaim)\s*:\s*([A-Za-z0-9_, ]+)")
HERE = os.path.dirname(os.path.abspath(__file__))


def annotations(path):
    exp, ok, claims, noclaim, annotated = Counter(), set(), Counter(), set(), set()
    asof, maxsev = None, None
    lines = open(path, encoding="utf-8").read().split("\n")
    for i, line in enumerate(lines, 1):
        m = re.match(r"\s*#\s*as-of:\s*(\d{4}-\d\d-\d\d)", line)
        if m and i <= 3:
            asof = m.group(1)
        m = re.match(r"\s*#\s*max-severity:\s*(\w+)", line)
        if m and i <= 3:
            maxsev = m.group(1)
        target = i + 1 if line.lstrip().startswith("#") else i
        for kind, ids in ANN.findall(line):
            for rid in [x.strip() for x in ids.split(",") if x.strip()]:
                annotated.add(target)
                if kind == "expect":
                    exp[(rid, target)] += 1
                elif kind == "ok":
                    ok.add((rid, target))
                elif kind == "claims":
                    claims[(rid, target)] += 1
                else:
                    noclaim.add((rid, target))
    return exp, ok, claims, noclaim, annotated, asof, maxsev


def run_case(binary, case):
    files = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(case) for f in fs if f.endswith(".icg"))
    asof = maxsev = None
    ann = {}
    for f in files:
        a = annotations(f)
        ann[os.path.realpath(f)] = a
        asof = asof or a[5]
        maxsev = maxsev or a[6]
    cmd = [binary, "check", "--format", "json", "--fail-on", "never", "--color", "never"]
    if asof:
        cmd += ["--as-of", asof]
    cmd.append(case)
    p = subprocess.run(cmd, capture_output=True, text=True)
    try:
        findings = json.loads(p.stdout)["findings"]
    except Exception:
        return ann, None, asof, maxsev, (p.stdout + p.stderr).strip()[:400]
    return ann, findings, asof, maxsev, None


def score(binary, cases):
    per = defaultdict(lambda: Counter())
    dis = []
    for case in cases:
        name = os.path.basename(case)
        ann, findings, asof, maxsev, err = run_case(binary, case)
        if findings is None:
            dis.append(f"{name}: the run failed: {err}")
            findings = []
        found = Counter()
        claimed = Counter()
        for f in findings:
            path = os.path.realpath(f["location"]["path"]) if f.get("location") else None
            line = f["location"]["line"] if f.get("location") else 0
            found[(path, f["rule"], line)] += 1
            ex = f.get("explanation")
            if ex and f.get("status") == "explained" and ex.get("location"):
                claimed[(os.path.realpath(ex["location"]["path"]), f["rule"], ex["location"]["line"])] += 1
            if f["rule"] in ("ICG001", "ICG002", "ICG003", "ICG004", "ICG013"):
                dis.append(f"{name}: LANGUAGE {f['rule']} line {line}: {f['message'][:160]}")
            if maxsev == "warning" and f["severity"] == "error" and not f["rule"].startswith("ICG"):
                dis.append(f"{name}: SEVERITY {f['rule']} line {line} is an error under regime 2026 (at most a warning)")
        for path, (exp, ok, claims, noclaim, annotated, _, _) in ann.items():
            rel = os.path.relpath(path, HERE)
            for (rid, line), n in exp.items():
                got = found[(path, rid, line)]
                tp = min(n, got)
                per[rid]["tp"] += tp
                per[rid]["fn"] += n - tp
                if n > tp:
                    elsewhere = [l for (p2, r2, l) in found if p2 == path and r2 == rid]
                    dis.append(f"{rel}:{line}: FN {rid} expected" + (f" (found at line(s) {sorted(elsewhere)})" if elsewhere else ""))
                if got > n:
                    dis.append(f"{rel}:{line}: {rid} found {got}x, expected {n}x (extra not counted)")
            for (rid, line) in ok:
                got = found[(path, rid, line)]
                if got:
                    per[rid]["fp"] += got
                    dis.append(f"{rel}:{line}: FP {rid} fired on a line marked ok")
            for (rid, line), n in claims.items():
                got = claimed[(path, rid, line)]
                tp = min(n, got)
                per["explain"]["tp"] += tp
                per["explain"]["fn"] += n - tp
                if n > tp:
                    who = [l for (p2, r2, l) in claimed if p2 == path and r2 == rid]
                    dis.append(f"{rel}:{line}: FN explain: this {rid} explanation claims nothing (claims made at line(s) {sorted(who)})")
            for (rid, line) in noclaim:
                got = claimed[(path, rid, line)]
                if got:
                    per["explain"]["fp"] += got
                    dis.append(f"{rel}:{line}: FP explain: this {rid} explanation claimed {got} finding(s) a deeper one should")
            for (p2, rid, line), n in found.items():
                if p2 != path or rid not in REVIEWED:
                    continue
                if line not in annotated:
                    per[rid]["fp"] += n
                    dis.append(f"{rel}:{line}: FP {rid} on an unannotated line")
                elif (rid, line) not in exp and (rid, line) not in ok:
                    dis.append(f"{rel}:{line}: unexpected {rid} on a line annotated for other rules (not counted)")
    return per, dis


def pr(c):
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else float("nan")
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else float("nan")
    return p, r


# The changes of issue 20 and the cases written for each (by case number).
GROUPS = {
    "nested explain": range(1, 10),
    "CCN113 by meaning": list(range(10, 23)) + [44, 45, 46],
    "STA012 elected mayor": range(23, 27),
    "STA012/STA014 any part (small shares)": list(range(27, 32)) + list(range(35, 39)),
    "STA016 ended plan (--as-of)": range(40, 44),
    "new duties STA026-029, STA032-034": range(50, 70),
    "dated shares (--as-of)": range(70, 90),
    "regime 2026": list(range(32, 35)) + list(range(90, 110)),
}


def case_number(path):
    return int(re.match(r"c(\d+)", os.path.basename(path)).group(1))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == "--groups":
        binary = sys.argv[2]
        allc = sorted(os.path.join(HERE, d) for d in os.listdir(HERE)
                      if re.match(r"c\d+", d) and os.path.isdir(os.path.join(HERE, d)))
        print(f"binary: {binary}")
        for g, nums in GROUPS.items():
            cs = [c for c in allc if case_number(c) in nums]
            per, _ = score(binary, cs)
            tot = Counter()
            for c in per.values():
                tot.update(c)
            p, r = pr(tot)
            print(f"  {g:40} cases {len(cs):>2}  TP {tot['tp']:>2} FN {tot['fn']:>2} FP {tot['fp']:>2}  precision {p:.3f} recall {r:.3f}")
        return
    binary = sys.argv[1]
    cases = sys.argv[2:] or sorted(os.path.join(HERE, d) for d in os.listdir(HERE)
                                   if re.match(r"c\d+", d) and os.path.isdir(os.path.join(HERE, d)))
    per, dis = score(binary, cases)
    tot = Counter()
    for c in per.values():
        tot.update(c)
    p, r = pr(tot)
    print(f"binary: {binary}\ncases: {len(cases)}")
    print(f"overall: TP {tot['tp']} FN {tot['fn']} FP {tot['fp']}  precision {p:.3f}  recall {r:.3f}")
    print(f"{'rule':8} {'TP':>3} {'FN':>3} {'FP':>3} {'prec':>6} {'recall':>6}")
    for rid in sorted(per):
        c = per[rid]
        p, r = pr(c)
        print(f"{rid:8} {c['tp']:>3} {c['fn']:>3} {c['fp']:>3} {p:>6.3f} {r:>6.3f}")
    print(f"\ndisagreements ({len(dis)}):")
    for d in dis:
        print("  " + d)


if __name__ == "__main__":
    main()
