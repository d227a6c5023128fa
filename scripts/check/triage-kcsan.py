#!/usr/bin/env python3
"""Sort the KCSAN reports of a kernel log into the series' and the base's.

    scripts/check/triage-kcsan.py CONSOLE_LOG TREE BASE_COMMIT [KNOWN]

A report names two accesses, each with a stack whose first frame is the
function that made the access (inlined helpers show as their caller).  A
report is the series' when either of those functions is one that the
series adds or changes (from `git diff BASE..HEAD` of TREE: hunk headers
and added definitions); otherwise it is the base kernel's own, a race that
6.12 has without the series.  KNOWN (config/kcsan-base-races.txt) lists
reports of the first kind whose racing accesses were checked to be 6.12
code all the same: they count as the base's ("base-known").  Prints one
line per distinct report ("series", "base" or "base-known", the two
functions, how often, the access lines) and exits 1 if any report is the
series'.
"""
import re
import subprocess
import sys

FUNC_DEF = re.compile(r"^\+[A-Za-z_].*?\b([A-Za-z_][A-Za-z0-9_]*)\s*\([^;]*$")
HUNK_FUNC = re.compile(r"^@@ [^@]* @@.*?\b([A-Za-z_][A-Za-z0-9_]*)\s*\(")
HEADER = re.compile(r"BUG: KCSAN: ([\w-]+) in (\S+) / (\S+)")
ACCESS = re.compile(r"^\s*(?:\[[\s\d.]+\]\s*)?((?:read|write|read-write)\b.*) (?:by task|by interrupt)")
FRAME = re.compile(r"^\s*(?:\[[\s\d.]+\]\s*)?([A-Za-z_][\w.]*)\+0x[0-9a-f]+/0x[0-9a-f]+")


def series_functions(tree, base):
    diff = subprocess.run(
        ["git", "-C", tree, "diff", "-U0", f"{base}..HEAD", "--",
         "*.c", "*.h", ":!tools"],
        check=True, capture_output=True, text=True).stdout
    funcs = set()
    for line in diff.splitlines():
        m = HUNK_FUNC.match(line) or FUNC_DEF.match(line)
        if m:
            funcs.add(m.group(1))
    return funcs


def reports(log):
    """Yield (kind, fn_a, fn_b, [top frame of each access]) per report."""
    lines = open(log, errors="replace").read().splitlines()
    i = 0
    while i < len(lines):
        m = HEADER.search(lines[i])
        if not m:
            i += 1
            continue
        tops, j = [], i + 1
        while j < len(lines) and "=====" not in lines[j] and not HEADER.search(lines[j]):
            if ACCESS.match(lines[j]):
                k = j + 1
                while k < len(lines) and not FRAME.match(lines[k]):
                    k += 1
                if k < len(lines):
                    tops.append(FRAME.match(lines[k]).group(1).split(".")[0])
            j += 1
        yield m.group(1), m.group(2), m.group(3), tops
        i = j


def known_races(path):
    known = {}
    for line in open(path):
        if line.strip() and not line.startswith("#"):
            pair, _, why = line.rstrip("\n").partition("\t")
            known[pair.strip()] = why.strip()
    return known


def main():
    if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    log, tree, base = sys.argv[1:4]
    known = known_races(sys.argv[4]) if len(sys.argv) == 5 else {}
    funcs = series_functions(tree, base)
    seen = {}
    for kind, a, b, tops in reports(log):
        names = {a.split(".")[0], b.split(".")[0], *tops}
        key = (kind, a, b)
        entry = seen.setdefault(key, {"n": 0, "tops": set(), "series": False})
        entry["n"] += 1
        entry["tops"].update(tops)
        entry["series"] |= bool(names & funcs)
    bad = 0
    for (kind, a, b), e in sorted(seen.items(), key=lambda kv: -kv[1]["n"]):
        who, why = ("series" if e["series"] else "base"), ""
        if e["series"] and f"{a} / {b}" in known:
            who, why = "base-known", f"\t{known[f'{a} / {b}']}"
        bad += who == "series"
        print(f"{who}\t{kind} in {a} / {b}\t{e['n']}x\taccesses: {', '.join(sorted(e['tops']))}{why}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
