#!/usr/bin/env python3
"""Read the KTAP that built-in KUnit printed on a kernel console log.

    scripts/lib/ktap.py CONSOLE_LOG

Prints one line per result, tab-separated: status (ok, fail, skip), the
test's name (suite.case, suite.case.parameter for parameterised cases:
every level of nesting joined by dots), and for a failure its diagnostic
lines (the "# ..." and other lines printed in its block before its result),
newlines written as a literal backslash-n.

Results are the leaves of the tree: a case with parameters reports its
parameters, not itself. A test that failed with no failed leaf under it
(a suite that crashed before reporting its cases) is reported as a
failure of its own, and so is a block whose plan ("1..N") promised more
results than it printed. No KTAP at all is one failure, "KTAP output".
Kernel messages printed in the middle of the KTAP (not indented) count
as diagnostics of the top level.
"""
import re
import sys

STAMP = re.compile(r"^\[ *\d+\.\d+\] ?")
RESULT = re.compile(r"^(not ok|ok) (\d+)(?: (?:- )?([^#]*?))?\s*(?:#\s*(.*))?$")
INDENT = 4


def parse(lines):
    """Yield (status, name, diagnostics) for every result to report."""
    started = False
    subtest = {}          # level -> name of the block at that level
    diags = {}            # level -> diagnostic lines since its last result
    failed_under = {}     # level -> a failure was reported in the block
    planned = {}          # level -> plan of the block at that level
    seen = {}             # level -> results printed in the block
    out = []

    def close_block(level, name):
        """The block at level ends: check its plan."""
        want, got = planned.pop(level, None), seen.pop(level, 0)
        if want is not None and got < want:
            out.append(("fail", name or "KTAP plan",
                        [f"{want} results planned, {got} reported (a crash?)"]))
            return True
        return False

    for raw in lines:
        line = STAMP.sub("", raw.rstrip("\r\n"))
        if not started:
            if line.lstrip().startswith("KTAP version"):
                started = True
            else:
                continue
        stripped = line.lstrip(" ")
        level = (len(line) - len(stripped)) // INDENT
        if stripped.startswith("KTAP version"):
            continue
        if stripped.startswith("# Subtest:"):
            subtest[level] = stripped[len("# Subtest:"):].strip()
            diags[level] = []
            failed_under[level] = False
            seen[level] = 0
            planned.pop(level, None)
            continue
        m = re.match(r"^1\.\.(\d+)$", stripped)
        if m:
            planned[level] = int(m.group(1))
            seen.setdefault(level, 0)
            continue
        m = RESULT.match(stripped)
        if not m:
            if stripped:
                diags.setdefault(level, []).append(stripped)
            continue
        ok, name, directive = m.group(1) == "ok", (m.group(3) or "").strip(), m.group(4) or ""
        path = [subtest[i] for i in range(1, level + 1) if i in subtest] + [name]
        full = ".".join(path)
        seen[level] = seen.get(level, 0) + 1
        child = level + 1
        has_children = child in subtest or child in seen
        lost = close_block(child, full) if has_children else False
        child_failed = failed_under.get(child, False) or lost
        text = []
        for lv in sorted(k for k in diags if k >= level):
            text += diags[lv]
            diags[lv] = []
        if directive.upper().startswith("SKIP"):
            status = "skip"
            text = [directive[4:].strip()]
        else:
            status = "ok" if ok else "fail"
        if not has_children:
            out.append((status, full, text if status != "ok" else []))
        elif status == "fail" and not child_failed:
            out.append(("fail", full, text + ["failed without a failed case under it"]))
        elif status == "skip":
            out.append((status, full, text))
        if status == "fail" or child_failed:
            failed_under[level] = True
        for lv in [k for k in subtest if k > level]:
            del subtest[lv]
        for lv in [k for k in failed_under if k > level]:
            del failed_under[lv]
    if not started:
        return [("fail", "KTAP output", ["the log has no KTAP: is CONFIG_KUNIT=y and kunit.enable=1 given?"])]
    # Blocks still open at the end: the kernel stopped in the middle.
    for lv in sorted(seen, reverse=True):
        name = ".".join(subtest[i] for i in range(1, lv + 1) if i in subtest)
        close_block(lv, name or "KTAP plan")
    return out


def main():
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(sys.argv) == 2 else 2
    with open(sys.argv[1], errors="replace") as f:
        for status, name, text in parse(f):
            detail = "\\n".join(t.replace("\t", " ") for t in text)
            print(f"{status}\t{name}\t{detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
