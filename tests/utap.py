"""Judging the user test programs' output, as kernel/utest.c frames it (docs/testing.md).

A boot with utest=PATH,PATH... runs each program in turn and prints

    utest: begin /bin/tests/proc_test
    ...the program's TAP on its standard output (kernel log lines may interleave)...
    utest: end /bin/tests/proc_test status 0

judge() turns the console log and QEMU's exit status into results (name, status, detail): one
per TAP line of every program, one per program for its plan and exit status, and the boot's own
(exit status, no panic). A program that never began or never ended (a panic, a hang, a crash of
the kernel) fails with the reason.
"""
import re

import ktap

BEGIN_RE = re.compile(r"^utest: begin (\S+)\s*$")
END_RE = re.compile(r"^utest: end (\S+) (?:status (-?\d+)|error (\w+))\s*$")
PLAN_RE = re.compile(r"^1\.\.(\d+)\s*$")
TAP_RE = re.compile(r"^(not ok|ok) (\d+)(?: - (.*?))?(?:\s+#\s*(SKIP|TODO)\b(.*))?\s*$")
KERNEL_LINE_RE = re.compile(r"^\[\s*\d+\.\d+\]")


def sections(text):
    """{path: (lines, end)} where end is ("status", n), ("error", name) or None (no end)."""
    out, current, lines = {}, None, []
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        m = BEGIN_RE.match(line)
        if m:
            if current:
                out[current] = (lines, None)
            current, lines = m.group(1), []
            continue
        m = END_RE.match(line)
        if m and current == m.group(1):
            end = ("status", int(m.group(2))) if m.group(2) is not None else ("error", m.group(3))
            out[current] = (lines, end)
            current, lines = None, []
            continue
        if current and not KERNEL_LINE_RE.match(line):
            lines.append(line)
    if current:
        out[current] = (lines, None)
    return out


def judge_program(prefix, lines, end):
    results, plan, seen = [], None, 0
    for line in lines:
        m = PLAN_RE.match(line)
        if m and plan is None:
            plan = int(m.group(1))
            continue
        m = TAP_RE.match(line)
        if not m:
            continue
        seen += 1
        status = "pass" if m.group(1) == "ok" else "fail"
        if m.group(4) == "SKIP":
            status = "skip"
        results.append((f"{prefix}/{m.group(2)} {m.group(3) or ''}".rstrip(), status,
                        [] if status == "pass" else [line]))
    problems = []
    if plan is None:
        problems.append("no TAP plan (1..N) in its output")
    elif plan != seen:
        problems.append(f"planned {plan} tests, printed {seen}")
    if end is None:
        problems.append("it never ended (the kernel panicked, hung, or lost the program)")
    elif end[0] == "error":
        problems.append(f"it did not start: {end[1]}")
    elif end[1] != 0:
        problems.append(f"wait status {end[1]:#x}" + (f" (killed by signal {end[1] & 0x7f})"
                                                      if end[1] & 0x7f else
                                                      f" (exit {end[1] >> 8})"))
    results.append((f"{prefix}/plan-and-exit", "fail" if problems else "pass",
                    problems + (lines[-20:] if problems else [])))
    return results


def judge(boot, text, exit_status, programs):
    """programs: the paths given to utest=, in order."""
    found = sections(text)
    results = []
    for path in programs:
        prefix = f"{boot}{path}"
        if path not in found:
            results.append((prefix, "fail", ["never began (an earlier program or the kernel "
                                             "did not get this far)"]))
            continue
        lines, end = found[path]
        results += judge_program(prefix, lines, end)
    any_failed = any(r[1] == "fail" for r in results)
    if ktap.PANIC_RE.search(text):
        results.append((f"{boot}/no-panic", "fail", ["the log shows a kernel panic"]))
    want = ktap.EXIT_FAIL if any_failed else ktap.EXIT_PASS
    if exit_status != want:
        meaning = ktap.EXIT_MEANING.get(exit_status, "QEMU failed or was killed at the timeout")
        results.append((f"{boot}/exit-status", "fail",
                        [f"QEMU exit status {exit_status} ({meaning})"]))
    return results
