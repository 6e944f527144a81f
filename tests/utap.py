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
import os
import re

import ktap

BEGIN_RE = re.compile(r"^utest: begin (.+?)\s*$")
END_RE = re.compile(r"^utest: end (.+?) (?:status (-?\d+)|error (\w+))\s*$")
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


def judge_program(prefix, lines, end, excuse=None):
    """excuse(description): the reason a failing check is an intended difference, or None."""
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
        detail = [] if status == "pass" else [line]
        if m.group(4) == "SKIP":
            status = "skip"
        why = excuse(m.group(3) or "") if excuse and status == "fail" else None
        if why:
            status, detail = "skip", [line, f"an intended difference: {why}"]
        results.append((f"{prefix}/{m.group(2)} {m.group(3) or ''}".rstrip(), status, detail))
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


def judge(boot, text, exit_status, programs, linux=False, differences=()):
    """programs: the paths given to utest=, in order. linux: the log is Linux's, run by our
    init (user/linux/init.c), which powers off (QEMU exit status 0) instead of reporting a
    verdict through isa-debug-exit; there a failing check listed in differences (from
    read_differences) is skipped with its reason."""
    found = sections(text)
    results = []
    for path in programs:
        prefix = f"{boot}{path}"
        if path not in found:
            results.append((prefix, "fail", ["never began (an earlier program or the kernel "
                                             "did not get this far)"]))
            continue
        lines, end = found[path]
        name = os.path.basename(path.split()[0])
        excuse = (lambda desc, name=name: excused(differences, name, desc)) if linux else None
        results += judge_program(prefix, lines, end, excuse)
    any_failed = any(r[1] == "fail" for r in results)
    if ktap.PANIC_RE.search(text):
        results.append((f"{boot}/no-panic", "fail", ["the log shows a kernel panic"]))
    want = 0 if linux else ktap.EXIT_FAIL if any_failed else ktap.EXIT_PASS
    if exit_status != want:
        meaning = "Linux did not power off" if linux else \
            ktap.EXIT_MEANING.get(exit_status, "QEMU failed or was killed at the timeout")
        results.append((f"{boot}/exit-status", "fail",
                        [f"QEMU exit status {exit_status} ({meaning})"]))
    return results


def read_differences(path):
    """The intended differences from Linux (tests/linux-differences.txt): a list of
    (program, description prefix, reason), one per "PROGRAM | DESCRIPTION | REASON" line."""
    out = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 3 or not all(parts):
                raise ValueError(f"{path}:{n}: want PROGRAM | DESCRIPTION | REASON")
            out.append(tuple(parts))
    return out


def excused(differences, program, description):
    """The reason program's check description is an intended difference, or None."""
    for prog, prefix, reason in differences:
        if prog == program and description.startswith(prefix):
            return reason
    return None
