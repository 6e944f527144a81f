"""Reads the KTAP document a teachos boot prints and judges a boot's log (see docs/testing.md).

The kernel (kernel/ktest.c) prints KTAP version 1 with one level of nesting, a subtest per suite:

    KTAP version 1
    1..2
        KTAP version 1
        # Subtest: printf
        1..3
        ok 1 test_widths
        # test_flags: tests/ktest/printf_test.c:33: expected ...
        not ok 2 test_flags
        ok 3 test_pointer # SKIP reason
    # printf: pass:1 fail:1 skip:1 total:3
    not ok 1 printf
    ...
    # Totals: pass:.. fail:.. skip:.. total:..

Other console output (printk lines, GRUB's escape codes before it) may surround or interleave the
document; lines that are not KTAP are ignored. judge_boot() turns a log and QEMU's exit status into
results, each a (name, status, detail) tuple with status "pass", "fail" or "skip".
"""
import re
import shutil
import subprocess

HEADER = "KTAP version 1"
INDENT = "    "
RESULT_RE = re.compile(r"^(not ok|ok) (\d+)(?: (?:- )?([^#]*?))?\s*(?:#\s*(SKIP|TODO)\b\s*(.*))?$")
PLAN_RE = re.compile(r"^1\.\.(\d+)$")
SUBTEST_RE = re.compile(r"^# Subtest: (.+)$")
PANIC_RE = re.compile(r"Kernel panic")

# QEMU's exit status in a ktest boot: isa-debug-exit turns the kernel's value v into (v << 1) | 1
# (arch/x86_64/qemu_exit.h); a plain exit (status 0) after -no-reboot means a reset, which is
# what a triple fault does.
EXIT_PASS, EXIT_FAIL, EXIT_PANIC, EXIT_RESET = 1, 3, 5, 0
EXIT_MEANING = {
    EXIT_PASS: "the kernel reported that all tests passed",
    EXIT_FAIL: "the kernel reported failed tests",
    EXIT_PANIC: "the kernel panicked",
    EXIT_RESET: "the machine reset (a triple fault?)",
    None: "timed out",
}


class Case:
    def __init__(self, number, name, status, reason, diagnostics):
        self.number, self.name, self.status = number, name, status
        self.reason, self.diagnostics = reason, diagnostics


class Suite:
    def __init__(self, name):
        self.name = name
        self.plan = None      # the subtest's "1..N"
        self.cases = []
        self.verdict = None   # "pass"/"fail"/"skip" from the top-level line, None if missing
        self.number = None
        self.diagnostics = []  # top-level "# ..." lines before a result that had no subtest


class Document:
    """One parsed KTAP document: the top-level plan, the suites, and what was wrong with it."""

    def __init__(self):
        self.found = False
        self.plan = None
        self.suites = []
        self.problems = []
        self.lines = []       # the KTAP lines, for TAP::Parser

    def top_level_verdicts(self):
        """{number: passed?} per suite, as we judge it: failed if its line or any case says so."""
        return {s.number: s.verdict != "fail" and all(c.status != "fail" for c in s.cases)
                for s in self.suites if s.number is not None}


def _status(word, directive):
    if word == "not ok":
        return "fail"
    return "skip" if directive == "SKIP" else "pass"


def extract(text):
    """The KTAP lines of a console log: from the first header line on, CRs dropped."""
    lines = text.replace("\r", "").split("\n")
    for i, line in enumerate(lines):
        if line == HEADER:
            return lines[i:]
    return None


def parse(text):
    """Parses the first KTAP document in a console log into a Document."""
    doc = Document()
    lines = extract(text)
    if lines is None:
        doc.problems.append("no KTAP document in the log (no line 'KTAP version 1')")
        return doc
    doc.found = True
    suite = None          # the subtest being read
    diagnostics = []      # "# ..." lines of the current case, printed before its result line
    top_diagnostics = []  # top-level "# ..." lines since the last top-level result
    expected_top = 1
    for line in lines:
        if line.startswith(INDENT):
            inner = line[len(INDENT):]
            doc.lines.append(line)
            if inner == HEADER:
                suite = Suite(None)
                diagnostics = []
                continue
            if suite is None:
                continue
            m = SUBTEST_RE.match(inner)
            if m:
                suite.name = m.group(1).strip()
                continue
            m = PLAN_RE.match(inner)
            if m:
                suite.plan = int(m.group(1))
                continue
            m = RESULT_RE.match(inner)
            if m:
                number = int(m.group(2))
                if number != len(suite.cases) + 1:
                    doc.problems.append(f"suite {suite.name}: case {number} out of order "
                                        f"(expected {len(suite.cases) + 1})")
                suite.cases.append(Case(number, (m.group(3) or "").strip() or f"case{number}",
                                        _status(m.group(1), m.group(4)), m.group(5) or "",
                                        diagnostics))
                diagnostics = []
                continue
            if inner.startswith("#"):
                diagnostics.append(inner)
            continue
        if line == HEADER:
            if doc.lines:
                break  # a second document: only the first one counts
            doc.lines.append(line)
            continue
        m = PLAN_RE.match(line)
        if m and doc.plan is None:
            doc.plan = int(m.group(1))
            doc.lines.append(line)
            continue
        m = RESULT_RE.match(line)
        if m:
            doc.lines.append(line)
            number, name = int(m.group(2)), (m.group(3) or "").strip()
            if number != expected_top:
                doc.problems.append(f"top-level result {number} out of order "
                                    f"(expected {expected_top})")
            expected_top = number + 1
            if suite is None or (suite.name is not None and suite.name != name):
                suite = Suite(name)  # a result without a subtest, e.g. an unknown suite name
                suite.diagnostics = top_diagnostics
            top_diagnostics = []
            suite.name = suite.name or name
            suite.number = number
            suite.verdict = _status(m.group(1), m.group(4))
            doc.suites.append(suite)
            suite = None
            continue
        if line.startswith("#"):
            doc.lines.append(line)
            top_diagnostics.append(line)
    if suite is not None:
        # A subtest began but its top-level result line never came: the boot was cut short.
        doc.suites.append(suite)
    _check(doc)
    return doc


def _check(doc):
    if doc.plan is None:
        doc.problems.append("no top-level plan (1..N)")
    elif len([s for s in doc.suites if s.number is not None]) != doc.plan:
        got = len([s for s in doc.suites if s.number is not None])
        doc.problems.append(f"planned {doc.plan} suites, got {got} results")
    for s in doc.suites:
        if s.verdict is None:
            doc.problems.append(f"suite {s.name}: no result line (output cut short)")
        if s.plan is not None and len(s.cases) != s.plan:
            doc.problems.append(f"suite {s.name}: planned {s.plan} cases, got {len(s.cases)}")
        failed = any(c.status == "fail" for c in s.cases)
        if s.plan is not None and s.verdict is not None and failed != (s.verdict == "fail"):
            doc.problems.append(f"suite {s.name}: result line says "
                                f"{'not ok' if s.verdict == 'fail' else 'ok'} but "
                                f"{'a' if failed else 'no'} case failed")


def tap_parser_check(doc):
    """Runs Perl's TAP::Parser over the document's top level; returns a problem string or None.

    TAP::Parser ignores the indented subtest lines, so it sees the plan and one result per
    suite. Its plan, count and failures must agree with ours, and it must report no parse error.
    """
    if not shutil.which("perl"):
        return "perl is not installed (tools/install-deps installs it)"
    script = r"""
        use strict; use warnings; use TAP::Parser;
        local $/; my $tap = <STDIN>;
        my $p = TAP::Parser->new({ tap => $tap });
        my @failed;
        while (my $r = $p->next) {
            push @failed, $r->number if $r->is_test && !$r->is_ok;
        }
        print "planned ", ($p->tests_planned // -1), "\n";
        print "run ", $p->tests_run, "\n";
        print "failed @failed\n";
        print "error $_\n" for $p->parse_errors;
    """
    try:
        out = subprocess.run(["perl", "-e", script], input="\n".join(doc.lines) + "\n",
                             capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return "TAP::Parser did not finish"
    if out.returncode != 0:
        return f"perl TAP::Parser failed: {out.stderr.strip()}"
    fields = {}
    errors = []
    for line in out.stdout.splitlines():
        key, _, value = line.partition(" ")
        if key == "error":
            errors.append(value)
        else:
            fields[key] = value
    if errors:
        return "TAP::Parser: " + "; ".join(errors)
    ours = doc.top_level_verdicts()
    our_failed = sorted(n for n, ok in ours.items() if not ok)
    their_failed = sorted(int(n) for n in fields.get("failed", "").split())
    if doc.plan is not None and int(fields.get("planned", -1)) != doc.plan:
        return f"TAP::Parser sees plan {fields.get('planned')}, we see {doc.plan}"
    if int(fields.get("run", -1)) != len(ours):
        return f"TAP::Parser counts {fields.get('run')} results, we count {len(ours)}"
    if their_failed != our_failed:
        return f"TAP::Parser's failed suites {their_failed} differ from ours {our_failed}"
    return None


def judge_boot(config, text, exit_status, cross_check=True):
    """Results of one ktest boot: each leaf case, then the checks on the boot as a whole.

    exit_status is QEMU's exit status, or None when the runner killed it at the timeout.
    """
    doc = parse(text)
    results = []
    for s in doc.suites:
        if not s.cases and s.plan is None:
            # A top-level result with no subtest (an unknown suite): it is its own leaf.
            results.append((f"{config}/{s.name}", s.verdict or "fail", s.diagnostics))
        for c in s.cases:
            detail = c.diagnostics + ([f"SKIP {c.reason}"] if c.status == "skip" else [])
            results.append((f"{config}/{s.name}/{c.name}", c.status, detail))
    for p in doc.problems:
        results.append((f"{config}/ktap", "fail", [p]))

    any_failed = any(r[1] == "fail" for r in results)
    meaning = EXIT_MEANING.get(exit_status, "QEMU failed")
    if exit_status == EXIT_PASS and not any_failed:
        results.append((f"{config}/exit-status", "pass", []))
    elif exit_status == EXIT_FAIL and any_failed:
        results.append((f"{config}/exit-status", "pass", []))
    else:
        detail = f"QEMU exit status {exit_status} ({meaning})"
        if exit_status in (EXIT_PASS, EXIT_FAIL):
            detail += ", which disagrees with the KTAP output"
        results.append((f"{config}/exit-status", "fail", [detail]))
    if PANIC_RE.search(text):
        results.append((f"{config}/no-panic", "fail", ["the log shows a kernel panic"]))
    if cross_check and doc.found:
        problem = tap_parser_check(doc)
        results.append((f"{config}/TAP::Parser", "fail" if problem else "pass",
                        [problem] if problem else []))
    return results
